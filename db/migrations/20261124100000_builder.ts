import type { Knex } from 'knex';

/**
 * What the builder needs to build incrementally, per target (a directory or a bucket): what it has
 * written (every key with its sha256, so unchanged bytes are never uploaded again), how far the
 * journal has been built, and where the change feed's tail is.
 *
 * List order is PostgreSQL's "C" collation (byte order) everywhere; the expression index lets the
 * builder walk a list view by keyset whatever the database's default collation is.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'create index server_versions_list_order_idx on server_versions (server_name collate "C", version collate "C")',
  );

  await knex.schema.createTable('tree_state', (t) => {
    t.text('target').primary();
    // Every journal change <= built_seq is in the tree (per-server documents, lists, feed).
    t.bigInteger('built_seq').notNullable().defaultTo(0);
    t.timestamp('built_at', { useTz: true }).nullable();
    t.bigInteger('last_build_id').nullable();
    // The change feed's tail page: day, page number, how many entries it holds, and the journal
    // position through which rows have been appended.
    t.text('feed_day').nullable();
    t.integer('feed_page').notNullable().defaultTo(0);
    t.integer('feed_count').notNullable().defaultTo(0);
    // The last row appended to the feed, in (seq, name, version) order: the next append starts after it.
    t.bigInteger('feed_seq').notNullable().defaultTo(0);
    t.text('feed_name').notNullable().defaultTo('');
    t.text('feed_version').notNullable().defaultTo('');
    // Days up to and including this one have an (empty if need be) page 0 in the tree.
    t.text('feed_prepared_until').nullable();
  });

  await knex.schema.createTable('tree_objects', (t) => {
    t.text('target').notNullable();
    t.specificType('key', 'text collate "C"').notNullable();
    t.text('sha256').notNullable();
    t.integer('size').notNullable();
    t.bigInteger('written_build').notNullable();
    // Full builds stamp every key they render; what a full build did not stamp should not exist.
    t.bigInteger('seen_build').notNullable();
    // List pages: which view and the item the page follows (null name: the first page).
    t.text('list_view').nullable();
    t.specificType('list_after_name', 'text collate "C"').nullable();
    t.specificType('list_after_version', 'text collate "C"').nullable();
    // Superseded list pages stay readable for a grace period (crawlers may hold their cursor).
    t.timestamp('orphaned_at', { useTz: true }).nullable();
    t.primary(['target', 'key']);
  });
  await knex.raw(`create index tree_objects_list_idx on tree_objects
    (target, list_view, list_after_name, list_after_version) where list_view is not null`);
  await knex.raw(
    'create index tree_objects_orphan_idx on tree_objects (target, orphaned_at) where orphaned_at is not null',
  );

  await knex.schema.alterTable('build_runs', (t) => {
    t.text('target').nullable();
    t.jsonb('detail').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('build_runs', (t) => {
    t.dropColumn('target');
    t.dropColumn('detail');
  });
  await knex.schema.dropTableIfExists('tree_objects');
  await knex.schema.dropTableIfExists('tree_state');
  await knex.raw('drop index if exists server_versions_list_order_idx');
}
