import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Database } from '../../db/connect.js';
import { readJournal } from '../../db/repositories/journal.js';
import { countVersions } from '../../db/repositories/versions.js';
import { ANON, encodeName, serverJson, startTestApi, type TestApi, useTestApi } from '../helpers/app.js';
import { testBackends } from '../helpers/db.js';

for (const backend of testBackends()) {
  describe(`HTTP surface (${backend.name})`, () => {
    let db: Database;
    let api: TestApi;
    let token: string;
    useTestApi(backend, (f) => {
      ({ db, api, token } = f);
    });

    test('unknown routes are 404 problem+json with a hint', async () => {
      const bare = await api.request('GET', '/publish');
      assert.equal(bare.statusCode, 404);
      assert.equal(bare.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(bare.json().detail, "Endpoint not found. Did you mean '/v0.1/publish' or '/v0/publish'?");
      const versioned = await api.request('DELETE', '/v0/servers/x');
      assert.equal(versioned.statusCode, 404);
      assert.equal(versioned.json().title, 'Not Found');
    });

    test('NUL bytes in the path or the query are refused', async () => {
      const path = await api.request('POST', '/v0/publish%00', { token, body: serverJson() });
      assert.equal(path.statusCode, 400);
      assert.equal(path.json().detail, 'Invalid request: URL path contains null bytes');
      const q = await api.request('GET', '/v0/ping?x=%00');
      assert.equal(q.statusCode, 400);
      assert.equal(q.json().detail, 'Invalid request: query parameters contain null bytes');
    });

    test('a trailing slash redirects permanently to the path without it', async () => {
      const res = await api.request('GET', '/v0/ping/?a=1');
      assert.equal(res.statusCode, 308);
      assert.equal(res.headers.location, '/v0/ping?a=1');
    });

    test('path tricks in names and versions are refused before any query', async () => {
      await api.request('POST', '/v0/publish', { token, body: serverJson() });
      const tricks = [
        `/v0/servers/..%2F..%2Fetc%2Fpasswd/versions/1.0.0/status`,
        `/v0/servers/${encodeName(`${ANON}/weather/../x`)}/versions/1.0.0/status`,
        `/v0/servers/${encodeName(`${ANON}%2Fweather`)}/versions/1.0.0/status`,
        `/v0/servers/${encodeName(`${ANON}/wea\u0001ther`)}/versions/1.0.0/status`,
        `/v0/servers/${encodeName(`${ANON}/weather`)}/versions/1.0.0%0A/status`,
        `/v0/servers/${encodeName(`${ANON}/weather`)}/versions/%20/status`,
      ];
      for (const url of tricks) {
        const res = await api.request('PATCH', url, { token, body: { status: 'deprecated' } });
        assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
        assert.match(res.json().detail, /^Invalid (server name|version)$/);
      }
      // An unencoded slash is a different route altogether.
      const unencoded = await api.request('PATCH', `/v0/servers/${ANON}/weather/versions/1.0.0/status`, {
        token,
        body: { status: 'deprecated' },
      });
      assert.equal(unencoded.statusCode, 404);
      assert.equal((await readJournal(db.knex, 0, 10)).length, 1);
    });

    test('versions with + and other URL-encoded characters round-trip through the path', async () => {
      const version = '1.0.0+build.5';
      assert.equal(
        (await api.request('POST', '/v0.1/publish', { token, body: serverJson({ version }) })).statusCode,
        200,
      );
      const res = await api.request(
        'PATCH',
        `/v0.1/servers/${encodeName(`${ANON}/weather`)}/versions/${encodeURIComponent(version)}/status`,
        {
          token,
          body: { status: 'deprecated' },
        },
      );
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().server.version, version);
    });

    test('health, ping and version answer under both prefixes', async () => {
      for (const p of ['/v0', '/v0.1']) {
        const health = await api.request('GET', `${p}/health`);
        assert.equal(health.statusCode, 200);
        assert.equal(health.json().status, 'ok');
        assert.deepEqual((await api.request('GET', `${p}/ping`)).json(), { pong: true });
        assert.deepEqual(Object.keys((await api.request('GET', `${p}/version`)).json()), [
          'version',
          'git_commit',
          'build_time',
        ]);
      }
    });

    test('validate always answers 200 with {valid, issues}', async () => {
      const ok = await api.request('POST', '/v0/validate', { body: serverJson() });
      assert.equal(ok.statusCode, 200);
      assert.deepEqual(ok.json(), { valid: true, issues: [] });
      const bad = await api.request('POST', '/v0.1/validate', {
        body: serverJson({ description: '', version: 'latest' }),
      });
      assert.equal(bad.statusCode, 200);
      assert.equal(bad.json().valid, false);
      assert.ok(bad.json().issues.length >= 2);
      for (const issue of bad.json().issues)
        assert.deepEqual(Object.keys(issue).sort(), ['message', 'path', 'reference', 'severity', 'type']);
      const notJson = await api.request('POST', '/v0/validate', { rawBody: '{oops' });
      assert.equal(notJson.statusCode, 200);
      assert.equal(notJson.json().valid, false);
      assert.equal(notJson.json().issues[0].type, 'json');
      assert.equal(await countVersions(db.knex), 0);
    });

    test('anonymous sign-in returns the official token response', async () => {
      const res = await api.request('POST', '/v0.1/auth/none');
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.deepEqual(Object.keys(body).sort(), ['expires_at', 'registry_token']);
      const now = Math.floor(Date.now() / 1000);
      assert.ok(body.expires_at > now + 290 && body.expires_at <= now + 301);
      const claims = JSON.parse(Buffer.from(body.registry_token.split('.')[1], 'base64url').toString());
      assert.equal(claims.iss, 'mcp-registry');
      assert.equal(claims.auth_method, 'none');
      assert.deepEqual(claims.permissions, [
        { action: 'publish', resource: `${ANON}/*` },
        { action: 'edit', resource: `${ANON}/*` },
      ]);
    });
  });
}

describe('anonymous sign-in is off unless configured', () => {
  test('no /auth/none route when disabled', async () => {
    const { openTestPGlite } = await import('../helpers/db.js');
    const db = await openTestPGlite();
    try {
      const api = await startTestApi(db, { env: { ENABLE_ANONYMOUS_AUTH: 'false' }, providers: [] });
      assert.equal((await api.request('POST', '/v0/auth/none')).statusCode, 404);
      await api.app.close();
    } finally {
      await db.close();
    }
  });
});
