import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Database } from '../../db/connect.js';
import { allServerNames, settleSearchTerms, updateSearchTerms } from '../../db/repositories/search-terms.js';
import { resetDatabase, testBackends } from '../helpers/db.js';

const AT = '2026-12-05T10:00:00Z';

async function putVersion(
  db: Database,
  name: string,
  version: string,
  doc: Record<string, unknown>,
  status = 'active',
): Promise<void> {
  await db
    .knex('servers')
    .insert({ name, name_key: name.toLowerCase(), created_at: AT })
    .onConflict('name')
    .ignore();
  await db.knex('server_versions').where({ server_name: name }).update({ is_latest: false });
  await db.knex('server_versions').insert({
    server_name: name,
    version,
    value: JSON.stringify({ name, version, ...doc }),
    status,
    status_changed_at: AT,
    published_at: AT,
    updated_at: AT,
    is_latest: true,
    seq: 1,
  });
}

for (const backend of testBackends()) {
  describe(`search terms in SQL (${backend.name})`, () => {
    let db: Database;
    before(async () => {
      db = await backend.open();
    });
    after(async () => db.close());
    beforeEach(async () => resetDatabase(db));

    test('terms follow the latest version; unchanged terms are no change; a deleted latest leaves no terms', async () => {
      const name = 'io.example/weather';
      await putVersion(db, name, '1.0.0', { description: 'Rain radar' });
      let changes = await updateSearchTerms(db.knex, [name, 'io.example/absent']);
      assert.deepEqual([...changes.keys()], [name]);
      assert.deepEqual([...(changes.get(name)?.before ?? [])], []);
      assert.equal(changes.get(name)?.after.get('radar'), 2);
      const [{ doc_id: first }] = await db.knex('search_docs').where({ server_name: name });

      await settleSearchTerms(db.knex, changes.keys());
      assert.equal((await updateSearchTerms(db.knex, [name])).size, 0, 'nothing changed');

      await putVersion(db, name, '1.1.0', { description: 'Snow radar' });
      changes = await updateSearchTerms(db.knex, [name]);
      assert.equal(changes.get(name)?.before.has('rain'), true);
      assert.equal(changes.get(name)?.after.has('rain'), false);
      const stored = await db.knex('search_terms').where({ server_name: name }).orderBy('term').pluck('term');
      assert.deepEqual(stored, ['example', 'io', 'radar', 'snow', 'weather']);

      await db
        .knex('server_versions')
        .where({ server_name: name, version: '1.1.0' })
        .update({ status: 'deleted' });
      changes = await updateSearchTerms(db.knex, [name]);
      assert.equal(changes.get(name)?.after.size, 0);
      assert.equal((await db.knex('search_terms').where({ server_name: name })).length, 0);

      await db
        .knex('server_versions')
        .where({ server_name: name, version: '1.1.0' })
        .update({ status: 'active' });
      await updateSearchTerms(db.knex, [name]);
      const [{ doc_id: again }] = await db.knex('search_docs').where({ server_name: name });
      assert.equal(again, first, 'a returning server keeps its doc number');
    });

    test('a change stays pending until settled: an update after a killed build returns it again, against what the index shows', async () => {
      const name = 'io.example/radar';
      await putVersion(db, name, '1.0.0', { description: 'Rain' });
      await settleSearchTerms(db.knex, (await updateSearchTerms(db.knex, [name])).keys());
      await putVersion(db, name, '1.1.0', { description: 'Snow' });
      const first = await updateSearchTerms(db.knex, [name]);
      assert.equal(first.get(name)?.before.has('rain'), true);
      // The build dies here, before rendering. The next build is asked about other servers only.
      const again = await updateSearchTerms(db.knex, ['io.example/other']);
      assert.deepEqual([...again.keys()], [name]);
      assert.deepEqual(
        again.get(name)?.before,
        first.get(name)?.before,
        'before = what the index still shows',
      );
      assert.equal(again.get(name)?.after.has('snow'), true);
      await settleSearchTerms(db.knex, again.keys());
      assert.equal((await updateSearchTerms(db.knex, [name])).size, 0);
    });

    test('doc numbers are given in order and never reused; allServerNames pages in byte order', async () => {
      const names = ['io.example/bb', 'io.example/AA', 'io.example/cc'];
      for (const n of names) await putVersion(db, n, '1.0.0', {});
      await updateSearchTerms(db.knex, names);
      const ids = await db.knex('search_docs').orderBy('doc_id').pluck('doc_id');
      assert.deepEqual(ids, [0, 1, 2]);
      const seen: string[][] = [];
      for await (const batch of allServerNames(db.knex, 2)) seen.push(batch);
      assert.deepEqual(seen, [['io.example/AA', 'io.example/bb'], ['io.example/cc']]);
    });
  });
}
