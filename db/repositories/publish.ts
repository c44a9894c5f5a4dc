import type { Knex } from 'knex';
import type { ServerJson } from '../../core/server-json.js';
import type { VersionStatus } from '../../core/shapes.js';
import { isoTimestamp, toNumber } from '../sql.js';
import { type JournalPosition, NEXT_JOURNAL_POSITION_SQL } from './journal.js';

/**
 * The publish path in as few round trips as possible (it is the hot write): one read of everything
 * the rules need, then one statement that claims the journal position and writes every row. The
 * journal-head row lock is therefore held for a single statement plus COMMIT.
 */

export interface PublishState {
  /** The existing server with the same case-folded name, if any. */
  server: { name: string; versionCount: number; storedBytes: number } | undefined;
  duplicate: boolean;
  latest: { version: string; status: VersionStatus; publishedAt: Date } | undefined;
}

export async function loadPublishState(
  trx: Knex.Transaction,
  nameKey: string,
  version: string,
): Promise<PublishState> {
  const result = await trx.raw(
    `select s.name, s.version_count, s.stored_bytes,
            exists(select 1 from server_versions d where d.server_name = s.name and d.version = ?) as duplicate,
            l.version as latest_version, l.status as latest_status, l.published_at as latest_published_at
       from servers s
       left join server_versions l on l.server_name = s.name and l.is_latest
      where s.name_key = ?`,
    [version, nameKey],
  );
  const row = (result as { rows: Record<string, unknown>[] }).rows[0];
  if (!row) return { server: undefined, duplicate: false, latest: undefined };
  return {
    server: {
      name: String(row.name),
      versionCount: toNumber(row.version_count),
      storedBytes: toNumber(row.stored_bytes),
    },
    duplicate: row.duplicate === true,
    latest:
      row.latest_version === null
        ? undefined
        : {
            version: String(row.latest_version),
            status: row.latest_status as VersionStatus,
            publishedAt: row.latest_published_at as Date,
          },
  };
}

export interface NewVersion {
  name: string;
  nameKey: string;
  version: string;
  value: ServerJson;
  /** The value's stored size (added to the server's byte budget). */
  storedBytes: number;
  isLatest: boolean;
  remoteUrls: readonly string[];
  /** The version that loses the latest flag (already cleared); it is stamped as changed too. */
  previousLatest: string | undefined;
  actor: string;
}

/**
 * Claims the next journal position and writes the server (created or counted), the version, its
 * remote URLs and the journal entry in one statement. Foreign keys are checked at the end of the
 * statement, so the version may reference the server row inserted alongside it.
 */
export async function insertPublishedVersion(trx: Knex.Transaction, v: NewVersion): Promise<JournalPosition> {
  const result = await trx.raw(
    `with h as (${NEXT_JOURNAL_POSITION_SQL}), s as (
       insert into servers (name, name_key, version_count, stored_bytes, created_at)
       select ?, ?, 1, ?, h.at from h
       on conflict (name) do update set version_count = servers.version_count + 1,
         stored_bytes = servers.stored_bytes + excluded.stored_bytes
       returning name
     ), v as (
       insert into server_versions
         (server_name, version, value, status, status_changed_at, status_message, published_at, updated_at, is_latest, seq)
       select s.name, ?, ?::jsonb, 'active', h.at, null, h.at, h.at, ?, h.seq from h, s
       returning server_name, version
     ), o as (
       update server_versions set seq = h.seq, updated_at = h.at
         from h where server_name = ? and version = ?
     ), r as (
       insert into version_remotes (url, server_name, version)
       select u, v.server_name, v.version from v, unnest(?::text[]) as u
     ), j as (
       insert into journal (seq, at, kind, server_name, version, actor, detail)
       select h.seq, h.at, 'publish', ?, ?, ?, ?::jsonb from h
     )
     select seq, ${isoTimestamp('at')} as at from h`,
    [
      v.name,
      v.nameKey,
      v.storedBytes,
      v.version,
      JSON.stringify(v.value),
      v.isLatest,
      v.name,
      v.previousLatest ?? null,
      [...new Set(v.remoteUrls)],
      v.name,
      v.version,
      v.actor,
      JSON.stringify(v.previousLatest ? { previousLatest: v.previousLatest } : {}),
    ],
  );
  const row = (result as { rows: { seq: string | number; at: string }[] }).rows[0];
  if (!row) throw new Error('journal_head row is missing (migrations not applied?)');
  return { seq: toNumber(row.seq), at: row.at };
}

/** Clears the latest flag (before the new latest row is inserted: one latest row at any moment). */
export async function clearLatestFlag(trx: Knex.Transaction, name: string, version: string): Promise<void> {
  await trx('server_versions').where({ server_name: name, version }).update({ is_latest: false });
}
