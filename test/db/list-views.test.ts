import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { compareListItems } from '../../core/layout/pages.js';
import { inView, LIST_VIEWS } from '../../core/layout/views.js';
import type { Database } from '../../db/connect.js';
import {
  viewBatches,
  viewFilterSql,
  viewKeysBefore,
  viewRecordsAfter,
} from '../../db/repositories/list-views.js';
import { chunks } from '../../db/sql.js';
import { resetDatabase, testBackends } from '../helpers/db.js';

const id = (r: { serverName: string; version: string }) => `${r.serverName}:${r.version}`;

/** Servers with every mix of status and latest flag (one latest per server at most, as the index requires). */
async function seed(db: Database): Promise<void> {
  const at = '2026-11-24T10:00:00Z';
  const statuses = ['active', 'deprecated', 'deleted'];
  const versions: Record<string, unknown>[] = [];
  const servers: Record<string, unknown>[] = [];
  for (let s = 0; s < 12; s++) {
    const name = `io.example.s${s % 4}/tool-${s}`;
    servers.push({ name, name_key: name.toLowerCase(), version_count: 4, created_at: at });
    for (let v = 0; v < 4; v++) {
      versions.push({
        server_name: name,
        version: `1.${v}.${s}`,
        value: JSON.stringify({ name, version: `1.${v}.${s}` }),
        status: statuses[(s + v) % 3],
        status_changed_at: at,
        published_at: at,
        updated_at: at,
        is_latest: s % 5 !== 0 && v === s % 4,
        seq: 1,
      });
    }
  }
  await db.knex('servers').insert(servers);
  await db.knex('server_versions').insert(versions);
}

for (const backend of testBackends()) {
  describe(`list views in SQL (${backend.name})`, () => {
    let db: Database;
    before(async () => {
      db = await backend.open();
    });
    after(async () => db.close());
    beforeEach(async () => {
      await resetDatabase(db);
      await seed(db);
    });

    test("each view's SQL filter selects exactly the rows its predicate holds, in list order", async () => {
      const all = await viewRecordsAfter(db.knex, 'all', undefined, 1000);
      assert.equal(all.length, 48);
      assert.deepEqual(
        all.map(id),
        [...all]
          .sort((a, b) =>
            compareListItems(
              { name: a.serverName, version: a.version },
              { name: b.serverName, version: b.version },
            ),
          )
          .map(id),
      );
      for (const view of LIST_VIEWS) {
        const expected = all.filter((r) => inView(view, r)).map(id);
        assert.ok(expected.length > 0 && (view === 'all' || expected.length < all.length), view);
        assert.deepEqual((await viewRecordsAfter(db.knex, view, undefined, 1000)).map(id), expected, view);
        // Keyset reads in both directions see the same members.
        const last = all[all.length - 1] as (typeof all)[number];
        const before = await viewKeysBefore(
          db.knex,
          view,
          { name: last.serverName, version: `${last.version}~` },
          1000,
        );
        assert.deepEqual(before.map((k) => `${k.name}:${k.version}`).reverse(), expected, view);
      }
    });

    test('viewBatches streams a view by keyset, every item once', async () => {
      for (const view of LIST_VIEWS) {
        const whole = (await viewRecordsAfter(db.knex, view, undefined, 1000)).map(id);
        for (const size of [1, 5, whole.length, 1000]) {
          const batches: string[][] = [];
          for await (const batch of viewBatches(db.knex, view, size)) batches.push(batch.map(id));
          assert.ok(batches.every((b) => b.length > 0 && b.length <= size));
          assert.deepEqual(batches.flat(), whole, `${view} in batches of ${size}`);
        }
      }
    });
  });
}

describe('viewFilterSql and chunks', () => {
  test('the filter is derived from the views table', () => {
    assert.equal(viewFilterSql('all'), 'true');
    assert.equal(viewFilterSql('live'), "status <> 'deleted'");
    assert.equal(viewFilterSql('latest'), "is_latest and status <> 'deleted'");
    assert.equal(viewFilterSql('latest.all'), 'is_latest');
  });

  test('chunks slices in order, the last one short', () => {
    assert.deepEqual([...chunks([1, 2, 3, 4, 5], 2)], [[1, 2], [3, 4], [5]]);
    assert.deepEqual([...chunks([], 3)], []);
  });
});
