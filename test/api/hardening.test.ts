import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_ISSUES, MAX_SERVER_BYTES, MAX_VERSION_BYTES } from '../../core/limits.js';
import { PUBLISHER_PROVIDED_META_KEY } from '../../core/server-json.js';
import type { Database } from '../../db/connect.js';
import { getVersion } from '../../db/repositories/versions.js';
import { ANON, encodeName, serverJson, type TestApi, useTestApi } from '../helpers/app.js';
import { testBackends } from '../helpers/db.js';

/**
 * Issue 10's findings that inputs reach through the API: each one here failed before its fix
 * (the comment says how it failed).
 */
const PROBLEM_JSON = 'application/problem+json; charset=utf-8';

const deep = (levels: number): unknown => {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = { next: value };
  return value;
};

for (const backend of testBackends()) {
  describe(`hardening: what publishers send (${backend.name})`, () => {
    let db: Database;
    let api: TestApi;
    let token: string;
    useTestApi(backend, (f) => {
      ({ db, api, token } = f);
    });

    test('an unknown top-level field is dropped, so padding a document stores nothing extra', async () => {
      // Before: ~1 MiB per version stored and rendered (finding 1).
      const body = serverJson({ name: `${ANON}/padded`, padding: 'x'.repeat(16_000), 'x-more': [1, 2] });
      const res = await api.request('POST', '/v0/publish', { token, body });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal('padding' in res.json().server, false);
      const stored = await getVersion(db.knex, `${ANON}/padded`, '1.0.0');
      assert.deepEqual(Object.keys(stored?.value ?? {}).sort(), Object.keys(serverJson()).sort());
    });

    test('a version whose stored form exceeds the size cap is refused with 422', async () => {
      // Before: accepted whatever its size (finding 1).
      const packages = Array.from({ length: 40 }, (_, i) => ({
        registryType: 'npm',
        identifier: `@example/p${i}`,
        version: '1.0.0',
        transport: { type: 'stdio' },
        environmentVariables: [{ name: 'TOKEN', description: 'd'.repeat(4_000) }],
      }));
      const res = await api.request('POST', '/v0/publish', {
        token,
        body: serverJson({ name: `${ANON}/huge`, packages }),
      });
      assert.equal(res.statusCode, 422, res.body);
      assert.equal(res.headers['content-type'], PROBLEM_JSON);
      assert.match(JSON.stringify(res.json().errors), new RegExp(`at most ${MAX_VERSION_BYTES}`));
    });

    test('a server past its byte budget cannot publish more', async () => {
      // Before: any number of large versions (560 × 1 MiB stopped the builder; finding 1).
      const name = `${ANON}/budget`;
      assert.equal(
        (await api.request('POST', '/v0/publish', { token, body: serverJson({ name }) })).statusCode,
        200,
      );
      await db
        .knex('servers')
        .where({ name })
        .update({ stored_bytes: MAX_SERVER_BYTES - 100 });
      const res = await api.request('POST', '/v0/publish', {
        token,
        body: serverJson({ name, version: '1.0.1' }),
      });
      assert.equal(res.statusCode, 400);
      assert.match(res.json().errors[0].message, /per-server budget/);
    });

    test('wide arrays are refused before schema validation, with a bounded issue list', async () => {
      // Before: `packages: [0 × 300000]` took 339 s and answered 34 MiB (finding 3).
      const body = JSON.stringify({ ...serverJson(), packages: new Array(300_000).fill(0) });
      const res = await api.request('POST', '/v0/validate', { rawBody: body });
      assert.equal(res.statusCode, 200);
      const { valid, issues } = res.json();
      assert.equal(valid, false);
      assert.ok(issues.length <= MAX_ISSUES);
      assert.equal(issues[0].reference, 'limit-items');
      assert.ok(res.body.length < 10_000);
    });

    test('a URL of 200,000 "{" gets an answer, not an 80-second stall', async () => {
      // Before: the template regex backtracked quadratically; the process answered nothing (finding 2).
      const url = `https://a.com/${'{'.repeat(200_000)}`;
      const res = await api.request('POST', '/v0/validate', {
        body: serverJson({ remotes: [{ type: 'streamable-http', url }] }),
      });
      assert.equal(res.json().valid, false);
      assert.equal(res.json().issues[0].reference, 'limit-length');
    });

    test('NUL, unpaired surrogates and deep nesting: invalid for /validate, 422 for publish', async () => {
      // Before: /validate said valid, publish answered 500 (finding 7).
      const cases: [string, string][] = [
        ['nul', JSON.stringify(serverJson({ description: 'a\u0000b' }))],
        ['surrogate', JSON.stringify(serverJson({ title: 'x' })).replace('"x"', '"\\ud800"')],
        ['key', JSON.stringify(serverJson({ title: 'x' })).replace('"title"', '"t\\u0000"')],
        ['deep', JSON.stringify(serverJson({ _meta: { [PUBLISHER_PROVIDED_META_KEY]: deep(3_000) } }))],
      ];
      for (const [label, rawBody] of cases) {
        const checked = await api.request('POST', '/v0/validate', { rawBody });
        assert.equal(checked.json().valid, false, label);
        const published = await api.request('POST', '/v0/publish', { token, rawBody });
        assert.equal(published.statusCode, 422, `${label}: ${published.body}`);
        assert.equal(published.headers['content-type'], PROBLEM_JSON);
      }
    });

    test('versions with control characters are refused at publish', async () => {
      // Before: accepted, then no route could address them (finding 6).
      for (const version of ['1.0.0\r\nX: 1', '1.0.0\u001b[31m', '1.0.0\u0085']) {
        const res = await api.request('POST', '/v0/publish', { token, body: serverJson({ version }) });
        assert.equal(res.statusCode, 422, JSON.stringify(version));
      }
    });

    test('a version of 255 emoji (510 UTF-16 units) is reachable by every route', async () => {
      // Before: publish counted code points, the routes UTF-16 units and the router 1,024 characters.
      const version = '😀'.repeat(255);
      const name = `${ANON}/emoji`;
      const body = serverJson({ name, version });
      assert.equal((await api.request('POST', '/v0/publish', { token, body })).statusCode, 200);
      const url = `/v0/servers/${encodeName(name)}/versions/${encodeURIComponent(version)}`;
      const admin = await api.token();
      const deprecated = await api.request('PATCH', `${url}/status`, {
        token: admin,
        body: { status: 'deprecated' },
      });
      assert.equal(deprecated.statusCode, 200, deprecated.body);
      const edited = await api.request('PUT', url, { token: admin, body: { ...body, title: 'Emoji' } });
      assert.equal(edited.statusCode, 200, edited.body);
      const tooLong = await api.request('PATCH', `${url}${encodeURIComponent('😀')}/status`, {
        token: admin,
        body: { status: 'deprecated' },
      });
      assert.equal(tooLong.statusCode, 400);
    });

    test('remote URLs are compared normalised: case, default port, trailing slash, fragment', async () => {
      // Before: `https://VICTIM.example.com/mcp` registered another server's endpoint (finding 8).
      const remote = (url: string) => [{ type: 'streamable-http', url }];
      const first = serverJson({
        name: `${ANON}/victim`,
        packages: [],
        remotes: remote('https://victim.example.com/mcp'),
      });
      assert.equal((await api.request('POST', '/v0/publish', { token, body: first })).statusCode, 200);
      const spellings = [
        'https://VICTIM.example.com/mcp',
        'https://victim.example.com/mcp/',
        'https://victim.example.com:443/mcp',
        'https://victim.example.COM/mcp#top',
      ];
      for (const [i, url] of spellings.entries()) {
        const body = serverJson({ name: `${ANON}/thief${i}`, packages: [], remotes: remote(url) });
        const res = await api.request('POST', '/v0/publish', { token, body });
        assert.equal(res.statusCode, 400, url);
        assert.match(res.json().errors[0].message, /already used by server/);
      }
      // A different path or port is a different endpoint.
      const other = serverJson({
        name: `${ANON}/other`,
        packages: [],
        remotes: remote('https://victim.example.com:8443/mcp'),
      });
      assert.equal((await api.request('POST', '/v0/publish', { token, body: other })).statusCode, 200);
    });
  });
}
