import type { Knex } from 'knex';

/**
 * Mirror mode: the registry as a replica of an upstream registry. A crawl stages upstream's entries
 * page by page (`mirror_staging`, with the cursor in `mirror_state`, so a killed crawl resumes where it
 * stopped) and applies them in one transaction when it completes (a failed sync leaves the registry as
 * it was). Each sync is a `mirror_runs` row; validation issues of mirrored versions are kept per version.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table journal drop constraint journal_kind');
  await knex.raw(
    "alter table journal add constraint journal_kind check (kind in ('publish', 'status', 'edit', 'mirror'))",
  );
  await knex.schema.createTable('mirror_state', (t) => {
    t.text('upstream').primary();
    /** The newest upstream `updatedAt` applied; the next incremental pass asks from here minus a margin. */
    t.timestamp('high_water', { useTz: true }).nullable();
    /** A crawl in progress: its kind, its `updated_since` and the cursor of the next page to fetch. */
    t.text('crawl_kind').nullable();
    t.timestamp('crawl_since', { useTz: true }).nullable();
    t.text('crawl_cursor').nullable();
    /** Every page is staged; what is left is applying them. */
    t.boolean('crawl_fetched').notNullable().defaultTo(false);
    t.bigInteger('crawl_run').nullable();
    t.timestamp('last_success_at', { useTz: true }).nullable();
  });
  await knex.schema.createTable('mirror_staging', (t) => {
    t.bigIncrements('id');
    t.text('upstream').notNullable();
    t.jsonb('entry').notNullable();
    t.index(['upstream', 'id']);
  });
  await knex.schema.createTable('mirror_runs', (t) => {
    t.bigIncrements('id');
    t.text('upstream').notNullable();
    t.text('kind').notNullable();
    t.text('status').notNullable();
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('finished_at', { useTz: true }).nullable();
    t.integer('requests').notNullable().defaultTo(0);
    t.integer('fetched').notNullable().defaultTo(0);
    t.integer('added').notNullable().defaultTo(0);
    t.integer('updated').notNullable().defaultTo(0);
    t.integer('unchanged').notNullable().defaultTo(0);
    t.integer('with_issues').notNullable().defaultTo(0);
    t.integer('refused').notNullable().defaultTo(0);
    t.integer('latest_disagreements').notNullable().defaultTo(0);
    /** Up to 100 refusals: {name, version, reason}. */
    t.jsonb('refusals').notNullable().defaultTo(knex.raw(`'[]'::jsonb`));
    t.text('error').nullable();
    t.index(['upstream', 'id']);
  });
  await knex.schema.createTable('mirror_issues', (t) => {
    t.text('server_name').notNullable();
    t.text('version').notNullable();
    t.jsonb('issues').notNullable();
    t.primary(['server_name', 'version']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['mirror_issues', 'mirror_runs', 'mirror_staging', 'mirror_state']) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.raw('alter table journal drop constraint journal_kind');
  await knex.raw(
    "alter table journal add constraint journal_kind check (kind in ('publish', 'status', 'edit'))",
  );
}
