import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BuildRun } from '../../db/repositories/builds.js';
import { ANON, type ApiFixture, serverJson, useTestApi } from '../helpers/app.js';
import { testBackends } from '../helpers/db.js';

for (const backend of testBackends()) {
  describe(`admin builds API, health and metrics (${backend.name})`, () => {
    let f: ApiFixture;
    useTestApi(backend, (fixture) => {
      f = fixture;
    });

    test('an admin queues a build and reads it back; others get problem+json', async () => {
      const admin = await f.api.token(); // publish and edit on '*'
      const queued = await f.api.request('POST', '/v0/admin/builds', {
        token: admin,
        body: { kind: 'full' },
      });
      assert.equal(queued.statusCode, 202);
      const run = queued.json() as BuildRun;
      assert.deepEqual([run.kind, run.status, run.requestedBy], ['full', 'queued', 'none:test']);
      assert.equal(queued.headers.location, `/v0/admin/builds/${run.id}`);

      const defaulted = await f.api.request('POST', '/v0.1/admin/builds', { token: admin, body: {} });
      assert.equal((defaulted.json() as BuildRun).kind, 'incremental');
      const bodiless = await f.api.request('POST', '/v0.1/admin/builds', { token: admin });
      assert.equal(bodiless.statusCode, 202, bodiless.body);
      assert.equal((bodiless.json() as BuildRun).kind, 'incremental');

      const one = await f.api.request('GET', `/v0/admin/builds/${run.id}`, { token: admin });
      assert.equal((one.json() as BuildRun).id, run.id);
      const list = await f.api.request('GET', '/v0/admin/builds?limit=1', { token: admin });
      const body = list.json() as { builds: BuildRun[]; metadata: { count: number; nextBefore?: number } };
      assert.equal(body.builds.length, 1);
      assert.equal(body.metadata.nextBefore, body.builds[0]?.id);

      for (const [method, url, token, status] of [
        ['POST', '/v0/admin/builds', f.token, 403],
        ['GET', '/v0/admin/builds', f.token, 403],
        ['GET', '/v0/admin/builds', undefined, 401],
        ['GET', '/v0/admin/builds/999999', admin, 404],
        ['GET', '/v0/admin/builds/abc', admin, 422],
      ] as const) {
        const res = await f.api.request(method, url, { ...(token ? { token } : {}) });
        assert.equal(res.statusCode, status, `${method} ${url}`);
        assert.match(String(res.headers['content-type']), /application\/problem\+json/);
      }
      const badKind = await f.api.request('POST', '/v0/admin/builds', {
        token: admin,
        body: { kind: 'everything' },
      });
      assert.equal(badKind.statusCode, 422);
    });

    test('health reports the database and the builder lag; metrics are Prometheus text', async () => {
      await f.api.request('POST', '/v0/publish', {
        token: f.token,
        body: serverJson({ name: `${ANON}/health` }),
      });
      const health = await f.api.request('GET', '/v0/health');
      assert.equal(health.statusCode, 200);
      const h = health.json() as {
        status: string;
        database: string;
        builder: { journalSeq: number; lag: number };
      };
      assert.deepEqual([h.status, h.database, h.builder.journalSeq, h.builder.lag], ['ok', 'ok', 1, 1]);

      const metrics = await f.api.request('GET', '/metrics');
      assert.equal(metrics.statusCode, 200);
      assert.match(String(metrics.headers['content-type']), /text\/plain/);
      assert.match(metrics.body, /registry_build_lag_seq 1/);
      assert.match(
        metrics.body,
        /registry_http_requests_total\{method="POST",route="\/v0\/publish",status="200"\} 1/,
      );
    });

    test('answers CORS preflight for browser clients', async () => {
      const res = await f.api.request('OPTIONS', '/v0/publish', {
        headers: {
          origin: 'https://example.org',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
      assert.equal(res.statusCode, 204);
      assert.equal(res.headers['access-control-allow-origin'], '*');
      assert.match(String(res.headers['access-control-allow-methods']), /POST/);
      assert.equal(res.headers['access-control-allow-headers'], 'authorization, content-type');
    });
  });
}
