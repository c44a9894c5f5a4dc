import type { Knex } from 'knex';

/**
 * The change feed's entry points for weeks without changes are copies of the next segment's first
 * page; `feed_alias_from` is the first such week still copying the tail segment's first page (null:
 * none), so each build that changes that page rewrites its copies too (builder/feed.ts).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tree_state', (t) => {
    t.text('feed_alias_from').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tree_state', (t) => {
    t.dropColumn('feed_alias_from');
  });
}
