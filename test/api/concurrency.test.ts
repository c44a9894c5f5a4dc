import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Database } from '../../db/connect.js';
import { readJournal } from '../../db/repositories/journal.js';
import { ANON, serverJson, type TestApi, useTestApi } from '../helpers/app.js';
import { testBackends } from '../helpers/db.js';

/**
 * Over a real port, so requests really overlap; on PostgreSQL they also overlap in the database
 * (PGlite has one connection and would serialise them anyway).
 */
for (const backend of testBackends()) {
  describe(`concurrent writes (${backend.name})`, () => {
    let db: Database;
    let api: TestApi;
    let base: string;
    let token: string;
    useTestApi(backend, (f) => {
      ({ db, api, token } = f);
    });
    before(async () => {
      await api.app.listen({ host: '127.0.0.1', port: 0 });
      const addr = api.app.server.address();
      base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    });

    const post = (body: unknown) =>
      fetch(`${base}/v0/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });

    test('50 concurrent publishes of the same (name, version): exactly one succeeds', async () => {
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => post(serverJson({ description: `attempt ${i}` }))),
      );
      const codes = responses.map((r) => r.status);
      assert.equal(codes.filter((c) => c === 200).length, 1, `codes: ${codes.join(',')}`);
      assert.equal(codes.filter((c) => c === 400).length, 49);
      const rows = await db.knex('server_versions');
      assert.equal(rows.length, 1);
      assert.equal((await readJournal(db.knex, 0, 100)).length, 1);
      assert.equal(Number((await db.knex('servers').first()).version_count), 1);
    });

    test('concurrent look-alike names: exactly one is created', async () => {
      const names = ['Weather', 'weather', 'WEATHER', 'wEather', 'weatheR', 'WeAtHeR'];
      const responses = await Promise.all(names.map((n) => post(serverJson({ name: `${ANON}/${n}` }))));
      assert.equal(responses.filter((r) => r.status === 200).length, 1);
      assert.equal((await db.knex('servers')).length, 1);
    });

    test('concurrent publishes of different versions keep exactly one latest and a gap-free journal', async () => {
      const versions = Array.from({ length: 30 }, (_, i) => `1.${i}.0`);
      const responses = await Promise.all(versions.map((version) => post(serverJson({ version }))));
      assert.ok(responses.every((r) => r.status === 200));
      const latest = await db.knex('server_versions').where({ is_latest: true });
      assert.deepEqual(
        latest.map((r) => r.version),
        ['1.29.0'],
      );
      const journal = await readJournal(db.knex, 0, 100);
      assert.deepEqual(
        journal.map((j) => j.seq),
        Array.from({ length: 30 }, (_, i) => i + 1),
      );
      const ats = journal.map((j) => j.at);
      assert.deepEqual([...ats].sort(), ats, 'journal timestamps increase with seq');
      assert.equal(new Set(ats).size, ats.length);
    });

    test('two servers racing for one remote URL: exactly one gets it', async () => {
      const remotes = [{ type: 'streamable-http', url: 'https://race.example.com/mcp' }];
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          post(serverJson({ name: `${ANON}/racer-${i}`, remotes, packages: [] })),
        ),
      );
      assert.equal(responses.filter((r) => r.status === 200).length, 1);
    });
  });
}
