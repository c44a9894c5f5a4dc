import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach } from 'node:test';
import type { FastifyBaseLogger, FastifyInstance, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../api/app.js';
import type { AuthProvider } from '../../api/auth/provider.js';
import { createNoneProvider } from '../../api/auth/providers/none.js';
import { createTokenService, type Principal, type TokenService } from '../../api/auth/tokens.js';
import { ownershipFromConfig } from '../../api/ownership/index.js';
import { type Config, loadConfig } from '../../core/config.js';
import type { ServerJson } from '../../core/server-json.js';
import { createServerJsonValidator, type ServerJsonValidator } from '../../core/validation/index.js';
import type { Database } from '../../db/connect.js';
import { resetDatabase, type TestBackend } from './db.js';

export const SHARED = join(import.meta.dirname, '..', '..', '..', 'shared');
export const ANON = 'io.modelcontextprotocol.anonymous';

let validator: ServerJsonValidator | undefined;
/** Compiling six schemas takes a moment: one validator per test process. */
export const sharedValidator = (): ServerJsonValidator => {
  validator ??= createServerJsonValidator();
  return validator;
};

export interface TestApi {
  app: FastifyInstance;
  tokens: TokenService;
  config: Config;
  token(principal?: Partial<Principal>): Promise<string>;
  anonymousToken(): Promise<string>;
  request(
    method: string,
    url: string,
    options?: { body?: unknown; token?: string; headers?: Record<string, string>; rawBody?: string },
  ): Promise<LightMyRequestResponse>;
}

export async function startTestApi(
  db: Database,
  options: { env?: Record<string, string>; providers?: AuthProvider[]; logger?: FastifyBaseLogger } = {},
): Promise<TestApi> {
  const config = loadConfig({ ENABLE_ANONYMOUS_AUTH: 'true', ...options.env });
  const tokens = createTokenService(randomBytes(32));
  const app = await buildApp({
    config,
    db,
    logger: options.logger ?? pino({ level: 'silent' }),
    validator: sharedValidator(),
    tokens,
    providers: options.providers ?? [createNoneProvider()],
    ownership: ownershipFromConfig(config),
  });
  await app.ready();
  const api: TestApi = {
    app,
    tokens,
    config,
    async token(principal = {}) {
      const issued = await tokens.issue({
        authMethod: principal.authMethod ?? 'none',
        authMethodSub: principal.authMethodSub ?? 'test',
        permissions: principal.permissions ?? [
          { action: 'publish', resource: '*' },
          { action: 'edit', resource: '*' },
        ],
      });
      return issued.registry_token;
    },
    async anonymousToken() {
      const res = await app.inject({ method: 'POST', url: '/v0/auth/none' });
      return (res.json() as { registry_token: string }).registry_token;
    },
    request(method, url, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      if (opts.body !== undefined || opts.rawBody !== undefined)
        headers['content-type'] ??= 'application/json';
      return app.inject({
        method: method as 'GET',
        url,
        headers,
        ...(opts.rawBody !== undefined
          ? { payload: opts.rawBody }
          : opts.body !== undefined
            ? { payload: JSON.stringify(opts.body) }
            : {}),
      });
    },
  };
  return api;
}

/** The sixteen official examples, keyed by file name. */
export function loadExamples(): { file: string; doc: ServerJson }[] {
  const dir = join(SHARED, 'spec', 'examples');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, doc: JSON.parse(readFileSync(join(dir, file), 'utf8')) as ServerJson }));
}

/** Moves an example into the anonymous namespace (what an anonymous token may publish). */
export function intoAnonymous(doc: ServerJson): ServerJson {
  const [, local] = doc.name.split('/');
  return { ...doc, name: `${ANON}/${local}` };
}

/** A small valid server.json; override any field. */
export function serverJson(overrides: Record<string, unknown> = {}): ServerJson {
  return {
    $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
    name: `${ANON}/weather`,
    description: 'Weather forecasts for tests',
    version: '1.0.0',
    packages: [
      { registryType: 'npm', identifier: '@example/weather', version: '1.0.0', transport: { type: 'stdio' } },
    ],
    ...overrides,
  } as ServerJson;
}

export const encodeName = (name: string): string => encodeURIComponent(name);

export interface ApiFixture {
  db: Database;
  api: TestApi;
  /** A fresh anonymous token for each test. */
  token: string;
}

/**
 * Registers the usual hooks: one database and app per suite, tables reset and a new anonymous token
 * before each test. `bind` receives the fixture whenever it changes (assign it to the suite's lets).
 */
export function useTestApi(
  backend: TestBackend,
  bind: (fixture: ApiFixture) => void,
  options: { env?: () => Record<string, string> } = {},
): void {
  const fixture = {} as ApiFixture;
  before(async () => {
    fixture.db = await backend.open();
    fixture.api = await startTestApi(fixture.db, { env: options.env?.() });
    bind(fixture);
  });
  after(async () => {
    await fixture.api.app.close();
    await fixture.db.close();
  });
  beforeEach(async () => {
    await resetDatabase(fixture.db);
    fixture.token = await fixture.api.anonymousToken();
    bind(fixture);
  });
}
