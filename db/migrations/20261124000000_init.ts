import type { Knex } from 'knex';

/**
 * Servers and their versions (the published server.json as jsonb plus the registry-managed fields),
 * the journal every change is written to, auth state and build runs.
 *
 * The journal head is a single row: each write transaction increments it as its last step, which
 * serialises commits in journal order, so a reader that has seen seq N has seen every change <= N
 * (a plain sequence would let seq 11 commit before seq 10 and a builder skip 10 forever).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('servers', (t) => {
    t.text('name').primary();
    // Lower-cased name: a new name that equals an existing one ignoring case is refused.
    t.text('name_key').notNullable().unique({ indexName: 'servers_name_key_uq' });
    t.integer('version_count').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable();
  });
  await knex.raw(`alter table servers add constraint servers_name_format check (
    name ~ '^[a-zA-Z0-9][a-zA-Z0-9.-]*[a-zA-Z0-9]/[a-zA-Z0-9][a-zA-Z0-9._-]*[a-zA-Z0-9]$'
    and length(name) between 3 and 200)`);

  await knex.schema.createTable('server_versions', (t) => {
    t.text('server_name').notNullable().references('name').inTable('servers');
    t.text('version').notNullable();
    t.jsonb('value').notNullable();
    t.text('status').notNullable().defaultTo('active');
    t.timestamp('status_changed_at', { useTz: true }).notNullable();
    t.text('status_message').nullable();
    t.timestamp('published_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.boolean('is_latest').notNullable();
    // Journal position of the last change to this row: the builder's change feed reads by it.
    t.bigInteger('seq').notNullable();
    t.primary(['server_name', 'version']);
    t.index(['seq'], 'server_versions_seq_idx');
    t.index(['server_name', 'published_at'], 'server_versions_name_published_idx');
  });
  await knex.raw(`alter table server_versions
    add constraint server_versions_version_nonblank check (length(btrim(version)) > 0 and length(version) <= 255),
    add constraint server_versions_status check (status in ('active', 'deprecated', 'deleted')),
    add constraint server_versions_status_message check (status_message is null or length(status_message) <= 500),
    add constraint server_versions_status_after_publish check (status_changed_at >= published_at)`);
  await knex.raw(
    'create unique index server_versions_one_latest_uq on server_versions (server_name) where is_latest',
  );

  // Remote URLs of every version, for "a remote URL belongs to one server name".
  await knex.schema.createTable('version_remotes', (t) => {
    t.text('url').notNullable();
    t.text('server_name').notNullable();
    t.text('version').notNullable();
    t.primary(['url', 'server_name', 'version']);
    t.foreign(['server_name', 'version']).references(['server_name', 'version']).inTable('server_versions');
  });

  await knex.schema.createTable('journal_head', (t) => {
    t.boolean('id').primary().defaultTo(true);
    t.bigInteger('seq').notNullable();
    t.timestamp('at', { useTz: true }).notNullable();
  });
  await knex.raw('alter table journal_head add constraint journal_head_single check (id)');
  await knex.raw("insert into journal_head (id, seq, at) values (true, 0, '2000-01-01T00:00:00Z')");

  await knex.schema.createTable('journal', (t) => {
    t.bigInteger('seq').primary();
    t.timestamp('at', { useTz: true }).notNullable();
    t.text('kind').notNullable();
    t.text('server_name').notNullable();
    // null: the change touched every version of the server (bulk status change).
    t.text('version').nullable();
    t.text('actor').notNullable();
    t.jsonb('detail').notNullable().defaultTo(knex.raw(`'{}'::jsonb`));
    t.index(['server_name', 'seq'], 'journal_server_seq_idx');
  });
  await knex.raw(
    "alter table journal add constraint journal_kind check (kind in ('publish', 'status', 'edit'))",
  );

  // Who has signed in, by method and subject (GitHub login, domain, OIDC sub, "anonymous").
  await knex.schema.createTable('users', (t) => {
    t.bigIncrements('id').primary();
    t.text('auth_method').notNullable();
    t.text('subject').notNullable();
    t.timestamp('first_seen_at', { useTz: true }).notNullable();
    t.timestamp('last_seen_at', { useTz: true }).notNullable();
    t.unique(['auth_method', 'subject'], { indexName: 'users_method_subject_uq' });
  });

  // The registry's own token-signing key when none is configured (embedded default).
  await knex.schema.createTable('signing_keys', (t) => {
    t.text('id').primary();
    t.text('algorithm').notNullable();
    t.text('private_seed_hex').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('build_runs', (t) => {
    t.bigIncrements('id').primary();
    t.text('kind').notNullable();
    t.text('status').notNullable();
    t.text('requested_by').notNullable();
    t.timestamp('requested_at', { useTz: true }).notNullable();
    t.timestamp('started_at', { useTz: true }).nullable();
    t.timestamp('finished_at', { useTz: true }).nullable();
    t.bigInteger('from_seq').nullable();
    t.bigInteger('to_seq').nullable();
    t.integer('objects_written').nullable();
    t.integer('objects_deleted').nullable();
    t.text('error').nullable();
    t.index(['status', 'requested_at'], 'build_runs_status_idx');
  });
  await knex.raw(`alter table build_runs
    add constraint build_runs_kind check (kind in ('incremental', 'full', 'snapshot')),
    add constraint build_runs_status check (status in ('queued', 'running', 'succeeded', 'failed', 'skipped'))`);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'build_runs',
    'signing_keys',
    'users',
    'journal',
    'journal_head',
    'version_remotes',
    'server_versions',
    'servers',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
