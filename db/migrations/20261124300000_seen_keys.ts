import type { Knex } from 'knex';

/**
 * Full builds note every key they render in `tree_seen` (unlogged, no index: append-only scratch
 * space, anti-joined against `tree_objects` once at the end) instead of updating every row of
 * `tree_objects`: on a 1.4 M-object tree the per-row "seen" updates made a full build over an
 * up-to-date tree slower than building it from nothing.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create unlogged table tree_seen (build_id bigint not null, key text collate "C" not null)');
  await knex.schema.alterTable('tree_objects', (t) => {
    t.dropColumn('seen_build');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tree_objects', (t) => {
    t.bigInteger('seen_build').notNullable().defaultTo(0);
  });
  await knex.schema.dropTableIfExists('tree_seen');
}
