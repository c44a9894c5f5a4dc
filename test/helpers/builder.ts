import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach } from 'node:test';
import pino from 'pino';
import type { Actor, WriteContext } from '../../api/services/context.js';
import { publishVersion } from '../../api/services/publish.js';
import { setAllVersionsStatus, setVersionStatus } from '../../api/services/status.js';
import type { BuilderOptions, BuildOutcome, BuildRequest } from '../../builder/options.js';
import { runBuild } from '../../builder/runs.js';
import { createSiteSigner, type SiteSigner } from '../../builder/signing.js';
import { isEdgeResponse, loadEdgeHandler, toEdgeEvent } from '../../cdn/edge/load.js';
import type { ServerJson } from '../../core/server-json.js';
import type { ServerList, ServerResponse, VersionStatus } from '../../core/shapes.js';
import type { Database } from '../../db/connect.js';
import { createFilesystemStore } from '../../store/filesystem.js';
import type { ObjectStore } from '../../store/types.js';
import { serverJson, sharedValidator } from './app.js';
import { resetDatabase, type TestBackend } from './db.js';

/** Writes through the real services and builds into a temporary site directory. */
export interface BuildFixture {
  db: Database;
  store: ObjectStore;
  root: string;
  signer: SiteSigner;
  options: BuilderOptions;
  now: Date;
  publish(overrides?: Record<string, unknown>): Promise<ServerResponse>;
  setStatus(name: string, version: string | undefined, status: VersionStatus): Promise<void>;
  build(kind?: BuildRequest['kind'], extra?: Partial<BuildRequest>): Promise<BuildOutcome>;
  /** GET an official URL through the edge function and the store, as a client would. */
  get(url: string): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

export const OPERATOR: Actor = {
  id: 'test:operator',
  permissions: [
    { action: 'publish', resource: '*' },
    { action: 'edit', resource: '*' },
  ],
};

const edge = loadEdgeHandler();

export async function openBuildFixture(db: Database, store?: ObjectStore): Promise<BuildFixture> {
  const root = mkdtempSync(join(tmpdir(), 'mcpreg-site-'));
  const target = store ?? createFilesystemStore(root);
  const ctx: WriteContext = { knex: db.knex, validator: sharedValidator() };
  const signer = createSiteSigner(randomBytes(32));
  const fixture: BuildFixture = {
    db,
    store: target,
    root,
    signer,
    now: new Date('2026-11-24T12:00:00Z'),
    options: {
      db,
      store: target,
      signer,
      logger: pino({ level: 'silent' }),
      now: () => fixture.now,
    },
    publish: (overrides = {}) => publishVersion(ctx, serverJson(overrides) as ServerJson, OPERATOR),
    async setStatus(name, version, status) {
      if (version === undefined) await setAllVersionsStatus(ctx, name, { status }, OPERATOR);
      else await setVersionStatus(ctx, name, version, { status }, OPERATOR);
    },
    build: (kind = 'incremental', extra = {}) =>
      runBuild(fixture.options, { kind, requestedBy: 'test', wait: true, ...extra }),
    async get(url) {
      const result = edge(toEdgeEvent('GET', url));
      if (isEdgeResponse(result)) {
        return { status: result.statusCode, body: result.body ? JSON.parse(result.body.data) : undefined };
      }
      const stored = await target.get(result.uri.slice(1));
      if (!stored) return { status: 404, body: undefined };
      return { status: 200, body: JSON.parse(Buffer.from(stored.body).toString('utf8')) };
    },
    async close() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** Follows nextCursor from the first page of GET /servers and returns every item's name:version. */
export async function crawl(fixture: BuildFixture, query = ''): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100_000; pages++) {
    const params = new URLSearchParams(query);
    if (cursor !== undefined) params.set('cursor', cursor);
    const qs = params.toString();
    const res = await fixture.get(`/v0.1/servers${qs ? `?${qs}` : ''}`);
    if (res.status !== 200) throw new Error(`GET page after ${cursor} answered ${res.status}`);
    const list = res.body as ServerList;
    for (const item of list.servers) seen.push(`${item.server.name}:${item.server.version}`);
    cursor = list.metadata.nextCursor;
    if (cursor === undefined) return seen;
  }
  throw new Error('crawl did not end');
}

/** The same store, failing every put after the first `allowed`: a build killed at that point. */
export function failingAfter(store: ObjectStore, allowed: number): ObjectStore {
  let puts = 0;
  return {
    description: store.description,
    get: (key) => store.get(key),
    head: (key) => store.head(key),
    list: (prefix) => store.list(prefix),
    delete: (keys) => store.delete(keys),
    async put(key, body, options) {
      puts += 1;
      if (puts > allowed) throw new Error(`killed after ${allowed} writes`);
      return store.put(key, body, options);
    },
  };
}

/** Builds with `store` in place of the fixture's store (same target name, same database state). */
export function buildWith(
  fixture: BuildFixture,
  store: ObjectStore,
  kind: BuildRequest['kind'] = 'incremental',
): Promise<BuildOutcome> {
  return runBuild(
    { ...fixture.options, store, target: fixture.store.description },
    { kind, requestedBy: 'test', wait: true },
  );
}

/**
 * The usual hooks of a builder suite: one database per suite; before each test the tables are reset
 * and a fresh fixture (new site directory) is made. `bind` receives it (assign it to the suite's let).
 */
export function useBuildFixture(backend: TestBackend, bind: (fixture: BuildFixture) => void): void {
  let db: Database | undefined;
  let fixture: BuildFixture | undefined;
  before(async () => {
    db = await backend.open();
  });
  after(async () => {
    await fixture?.close();
    await db?.close();
  });
  beforeEach(async () => {
    await fixture?.close();
    await resetDatabase(db as Database);
    fixture = await openBuildFixture(db as Database);
    bind(fixture);
  });
}
