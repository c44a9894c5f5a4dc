import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import pino from 'pino';
import { handleError } from '../../api/problem.js';
import { RegistryError } from '../../core/errors.js';
import { type Database, openDatabase } from '../../db/connect.js';
import { ANON, serverJson, startTestApi, type TestApi } from '../helpers/app.js';
import { openTestPostgres, openThroughProxy, postgresTestUrl } from '../helpers/db.js';
import type { TcpProxy } from '../helpers/tcp-proxy.js';

/** A pino logger whose records the test reads back. */
function capturingLogger(): {
  logger: pino.Logger;
  records: { level: number; msg?: string; err?: unknown }[];
} {
  const records: { level: number; msg?: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => records.push(JSON.parse(line)) });
  return { logger, records };
}

/** Every kind of route that touches the database: services in a transaction, plain reads, collectors. */
const ROUTES = [
  {
    what: 'publish (service transaction)',
    method: 'POST',
    url: '/v0/publish',
    body: 'publish',
    admin: false,
  },
  { what: 'sign-in (query wrapper)', method: 'POST', url: '/v0/auth/none', admin: false },
  {
    what: 'status change (service transaction)',
    method: 'PATCH',
    url: `/v0/servers/${encodeURIComponent(`${ANON}/seam`)}/versions/1.0.0/status`,
    body: 'status',
    admin: false,
  },
  { what: 'queue a build (repository)', method: 'POST', url: '/v0/admin/builds', admin: true },
  { what: 'build history (repository)', method: 'GET', url: '/v0/admin/builds', admin: true },
  { what: 'one build (repository)', method: 'GET', url: '/v0/admin/builds/1', admin: true },
  { what: 'health', method: 'GET', url: '/v0/health', admin: false },
  { what: 'metrics (scrape-time collectors)', method: 'GET', url: '/metrics', admin: false },
] as const;

async function assertOutageOnEveryRoute(api: TestApi, records: { level: number; msg?: string }[]) {
  const token = await api.token(); // publish and edit on '*': an admin token
  for (const route of ROUTES) {
    records.length = 0;
    const body =
      'body' in route
        ? route.body === 'publish'
          ? serverJson({ name: `${ANON}/seam`, version: `2.0.${Math.floor(Math.random() * 1e6)}` })
          : { status: 'deprecated' }
        : undefined;
    const res = await api.request(route.method, route.url, {
      ...(route.admin || 'body' in route ? { token } : {}),
      ...(body !== undefined ? { body } : {}),
    });
    assert.equal(res.statusCode, 503, `${route.what}: ${res.body}`);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/, route.what);
    assert.deepEqual(
      res.json(),
      { title: 'Service Unavailable', status: 503, detail: 'The database is unavailable; try again shortly' },
      route.what,
    );
    // An outage is a warning about a dependency, not an error logged as a bug.
    assert.ok(
      records.some((r) => r.level === 40 && r.msg === 'request failed: dependency unavailable'),
      `${route.what}: ${JSON.stringify(records)}`,
    );
    assert.ok(
      !records.some((r) => r.level >= 50),
      `${route.what} logged an error: ${JSON.stringify(records)}`,
    );
  }
}

describe('a database outage is the same 503 problem+json on every route', () => {
  it('with nothing listening at the database address (the connection is refused)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const db = await openDatabase({
      databaseUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
      dataDir: '',
      migrate: false,
      acquireTimeoutMs: 2_000,
      logger: { warn: () => {}, error: () => {}, debug: () => {} },
    });
    const { logger, records } = capturingLogger();
    const api = await startTestApi(db, { logger });
    try {
      await assertOutageOnEveryRoute(api, records);
    } finally {
      await api.app.close();
      await db.close();
    }
  });

  const url = postgresTestUrl();
  describe('with PostgreSQL cut and restored under the API', {
    skip: url ? false : 'needs PostgreSQL (TEST_DATABASE_URL)',
  }, () => {
    let direct: Database;
    let proxied: Database;
    let proxy: TcpProxy;
    let api: TestApi;
    const log = capturingLogger();
    before(async () => {
      direct = await openTestPostgres(url as string);
      ({ proxy, db: proxied } = await openThroughProxy(direct));
      api = await startTestApi(proxied, { logger: log.logger });
    });
    after(async () => {
      await api.app.close();
      await proxied.close();
      await proxy.close();
      await direct.close();
    });

    it('every route answers while the database is up, 503 while it is cut, and again after', async () => {
      const token = await api.token();
      const published = await api.request('POST', '/v0/publish', {
        token,
        body: serverJson({ name: `${ANON}/seam`, version: '1.0.0' }),
      });
      assert.equal(published.statusCode, 200, published.body);
      for (const [method, path] of [
        ['GET', '/v0/admin/builds'],
        ['GET', '/v0/health'],
        ['GET', '/metrics'],
      ] as const) {
        assert.equal((await api.request(method, path, { token })).statusCode, 200, path);
      }
      proxy.cut();
      await assertOutageOnEveryRoute(api, log.records);
      proxy.restore();
      let health = 0;
      for (let i = 0; i < 40 && health !== 200; i++) {
        health = (await api.request('GET', '/v0/health')).statusCode;
        if (health !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(health, 200);
      assert.equal((await api.request('GET', '/metrics')).statusCode, 200);
    });
  });
});

describe('the detail of a 500 never leaves the process', () => {
  it('sends a generic detail for a 500 RegistryError and logs the real one', async () => {
    const { logger, records } = capturingLogger();
    const app = Fastify({ loggerInstance: logger });
    app.setErrorHandler(handleError);
    const secret =
      'object store request failed: PutObject: AccessDenied for arn:aws:iam::123456789012:user/x';
    app.get('/store', async () => {
      throw new RegistryError(500, secret);
    });
    app.get('/bug', async () => {
      throw new TypeError(`cannot read ${secret}`);
    });
    app.get('/teapot', async () => {
      throw new RegistryError(502, secret);
    });
    try {
      for (const [path, status] of [
        ['/store', 500],
        ['/bug', 500],
        ['/teapot', 502],
      ] as const) {
        records.length = 0;
        const res = await app.inject({ method: 'GET', url: path });
        assert.equal(res.statusCode, status, path);
        assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
        assert.equal(res.json().detail, 'Internal server error', path);
        assert.ok(
          !res.body.includes('AccessDenied') && !res.body.includes('arn:aws'),
          `${path}: ${res.body}`,
        );
        assert.ok(
          records.some((r) => r.level === 50 && JSON.stringify(r.err).includes('AccessDenied')),
          `${path}: the detail is logged`,
        );
      }
    } finally {
      await app.close();
    }
  });
});
