import type { Knex } from 'knex';

/**
 * Operations: build requests as a queue, schedule slots that can be claimed once, and notifications
 * so builders wake as soon as something changes.
 *
 * Every journal advance and every queued build request NOTIFYs `mcp_registry` (delivered at commit,
 * so a woken builder always sees the change). Builders also poll, so a missed notification only
 * delays a build.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('build_runs', (t) => {
    t.integer('attempt').notNullable().defaultTo(1);
    // A scheduled run's slot (e.g. `nightly:2026-11-24T03:17`): two builders firing the same
    // schedule insert the same slot and only one row exists.
    t.text('schedule_slot').nullable().unique({ indexName: 'build_runs_schedule_slot_uq' });
    t.bigInteger('retry_of').nullable();
  });
  // CDN invalidations owed after builds: recorded before the call, so a failure is visible and retried.
  await knex.schema.createTable('cdn_invalidations', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('build_id').nullable();
    t.jsonb('keys').notNullable();
    t.text('status').notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error').nullable();
    t.specificType('invalidation_ids', 'text[]').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['status', 'updated_at'], 'cdn_invalidations_status_idx');
  });
  await knex.raw(
    "alter table cdn_invalidations add constraint cdn_invalidations_status check (status in ('pending', 'done', 'failed'))",
  );
  await knex.raw(`create function mcp_registry_notify_change() returns trigger language plpgsql as $$
    begin
      perform pg_notify('mcp_registry', 'change:' || new.seq);
      return null;
    end $$`);
  await knex.raw(`create trigger journal_head_notify after update on journal_head
    for each row execute function mcp_registry_notify_change()`);
  await knex.raw(`create function mcp_registry_notify_build() returns trigger language plpgsql as $$
    begin
      perform pg_notify('mcp_registry', 'build:' || new.id);
      return null;
    end $$`);
  await knex.raw(`create trigger build_runs_notify after insert on build_runs
    for each row when (new.status = 'queued') execute function mcp_registry_notify_build()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('cdn_invalidations');
  await knex.raw('drop trigger if exists build_runs_notify on build_runs');
  await knex.raw('drop function if exists mcp_registry_notify_build()');
  await knex.raw('drop trigger if exists journal_head_notify on journal_head');
  await knex.raw('drop function if exists mcp_registry_notify_change()');
  await knex.schema.alterTable('build_runs', (t) => {
    t.dropColumn('attempt');
    t.dropColumn('schedule_slot');
    t.dropColumn('retry_of');
  });
}
