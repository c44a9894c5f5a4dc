import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Database, migrateLatest } from '../../db/connect.js';
import { migrationSource } from '../../db/migrations/index.js';
import { testBackends } from '../helpers/db.js';

/**
 * Migration 20261204100000_hardening on a database that already holds data: the per-server stored
 * size is counted, and remote-URL claims stored before they were compared normalised are rewritten
 * (two spellings of one endpoint by one version collapse into one claim).
 */
for (const backend of testBackends()) {
  describe(`hardening migration (${backend.name})`, () => {
    let db: Database;
    before(async () => {
      db = await backend.open();
    });
    after(async () => db.close());

    test('counts stored bytes and normalises existing remote claims', async () => {
      const knex = db.knex;
      // Back to just before this migration (later ones roll back first), then forward again.
      while ((await knex.migrate.currentVersion({ migrationSource })) >= '20261204100000') {
        await knex.migrate.down({ migrationSource });
      }
      const value = { name: 'io.example/svc', description: 'd', version: '1.0.0' };
      await knex('servers').insert({
        name: 'io.example/svc',
        name_key: 'io.example/svc',
        version_count: 1,
        created_at: knex.fn.now(),
      });
      await knex('server_versions').insert({
        server_name: 'io.example/svc',
        version: '1.0.0',
        value: JSON.stringify(value),
        status: 'active',
        status_changed_at: knex.fn.now(),
        published_at: knex.fn.now(),
        updated_at: knex.fn.now(),
        is_latest: true,
        seq: 1,
      });
      for (const url of [
        'https://API.example.com:443/mcp/',
        'https://api.example.com/mcp',
        'https://{t}.example.com/x',
      ]) {
        await knex('version_remotes').insert({ url, server_name: 'io.example/svc', version: '1.0.0' });
      }

      await migrateLatest(knex);

      const urls = (await knex('version_remotes').select('url').orderBy('url')).map((r) => r.url);
      assert.deepEqual(urls, ['https://api.example.com/mcp', 'https://{t}.example.com/x']);
      const server = await knex('servers').where({ name: 'io.example/svc' }).first();
      assert.ok(Number(server.stored_bytes) >= JSON.stringify(value).length);
      assert.deepEqual(await knex('quarantined_servers').select(), []);
    });
  });
}
