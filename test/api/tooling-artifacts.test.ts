import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Database } from '../../db/connect.js';
import { getVersion } from '../../db/repositories/versions.js';
import { ANON, encodeName, serverJson, type TestApi, useTestApi } from '../helpers/app.js';
import { testBackends } from '../helpers/db.js';

// `mcp-publisher` builds whose Go struct had a non-pointer Repository send `"repository": {}`; the
// official publish accepts it. We store the document without it.
for (const backend of testBackends()) {
  describe(`official tooling artifacts (${backend.name})`, () => {
    let db: Database;
    let api: TestApi;
    let token: string;
    useTestApi(backend, (f) => {
      ({ db, api, token } = f);
    });
    const publish = (body: unknown) => api.request('POST', '/v0/publish', { body, token });

    test('"repository": {} and all-empty repositories publish, stored without repository', async () => {
      for (const [version, repository] of [
        ['1.0.0', {}],
        ['1.0.1', { url: '', source: '' }],
      ] as const) {
        const res = await publish(serverJson({ version, repository }));
        assert.equal(res.statusCode, 200, res.body);
        assert.equal('repository' in res.json().server, false);
        const stored = await getVersion(db.knex, `${ANON}/weather`, version);
        assert.equal(stored && 'repository' in stored.value, false);
      }
    });

    test('a repository with any field set is still checked', async () => {
      const res = await publish(serverJson({ repository: { url: 'https://github.com/a/b' } }));
      assert.equal(res.statusCode, 422, res.body);
    });

    test('an edit with "repository": {} is accepted the same way', async () => {
      assert.equal((await publish(serverJson())).statusCode, 200);
      const res = await api.request('PUT', `/v0/servers/${encodeName(`${ANON}/weather`)}/versions/1.0.0`, {
        body: serverJson({ description: 'edited', repository: {} }),
        token,
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal('repository' in res.json().server, false);
    });
  });
}
