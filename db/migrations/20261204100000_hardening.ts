import type { Knex } from 'knex';
import { remoteUrlKey } from '../../core/server-json.js';

/**
 * Hardening (issue 10):
 * - `servers.stored_bytes`: the summed stored size of a server's versions, kept by publish and edit,
 *   so the per-server byte budget (core/limits.ts MAX_SERVER_BYTES) is checked without reading every
 *   version. Existing rows are counted from jsonb's text form (a few bytes per field more than the
 *   compact JSON publish measures: an over-estimate, on the safe side).
 * - `quarantined_servers`: servers the builder could not render, per target; skipped by builds
 *   until their data changes or an operator releases them.
 * - remote URLs claimed before they were compared normalised are rewritten to `remoteUrlKey` form.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('servers', (t) => {
    t.bigInteger('stored_bytes').notNullable().defaultTo(0);
  });
  await knex.raw(`update servers s set stored_bytes = coalesce(
      (select sum(octet_length(v.value::text)) from server_versions v where v.server_name = s.name), 0)`);

  await knex.schema.createTable('quarantined_servers', (t) => {
    t.text('target').notNullable();
    t.text('server_name').notNullable();
    // The server's newest journal position when it failed: a later change retries it.
    t.bigInteger('seq').notNullable();
    t.text('reason').notNullable();
    t.timestamp('quarantined_at', { useTz: true }).notNullable();
    t.primary(['target', 'server_name']);
  });

  const rows = (await knex('version_remotes').select('url', 'server_name', 'version')) as {
    url: string;
    server_name: string;
    version: string;
  }[];
  for (const row of rows) {
    const key = remoteUrlKey(row.url);
    if (key === row.url) continue;
    await knex.raw(
      'insert into version_remotes (url, server_name, version) values (?, ?, ?) on conflict do nothing',
      [key, row.server_name, row.version],
    );
    await knex('version_remotes').where(row).delete();
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('quarantined_servers');
  await knex.schema.alterTable('servers', (t) => {
    t.dropColumn('stored_bytes');
  });
}
