import type { Knex } from 'knex';
import type { ServerJson } from '../../core/server-json.js';
import type { VersionRecord, VersionStatus } from '../../core/shapes.js';
import { isoTimestamp, type Queryable, toNumber } from '../sql.js';

/** Servers, their versions and the remote-URL index. Every function takes the transaction to run in. */

/** What latest-version decisions need, without the documents. */
export interface VersionSummary {
  version: string;
  status: VersionStatus;
  publishedAt: Date;
  isLatest: boolean;
}

export const RECORD_COLUMNS = [
  'server_name',
  'version',
  'value',
  'status',
  `${isoTimestamp('status_changed_at')} as status_changed_at`,
  'status_message',
  `${isoTimestamp('published_at')} as published_at`,
  `${isoTimestamp('updated_at')} as updated_at`,
  'is_latest',
  'seq',
].join(', ');

export interface RecordRow {
  server_name: string;
  version: string;
  value: ServerJson;
  status: VersionStatus;
  status_changed_at: string;
  status_message: string | null;
  published_at: string;
  updated_at: string;
  is_latest: boolean;
  seq: string | number;
}

export function toRecord(row: RecordRow): VersionRecord {
  return {
    serverName: row.server_name,
    version: row.version,
    value: row.value,
    status: row.status,
    statusChangedAt: row.status_changed_at,
    statusMessage: row.status_message,
    publishedAt: row.published_at,
    updatedAt: row.updated_at,
    isLatest: row.is_latest,
    seq: toNumber(row.seq),
  };
}

/**
 * Serialises every write to one server name (and to names that differ only in case, so two
 * look-alike names cannot be created at once). Held until the transaction ends.
 */
export async function lockServerName(trx: Knex.Transaction, nameKey: string): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`server:${nameKey}`]);
}

/** Serialises claims on remote URLs across different server names; always taken in sorted order. */
export async function lockRemoteUrls(trx: Knex.Transaction, urls: readonly string[]): Promise<void> {
  for (const url of [...new Set(urls)].sort()) {
    await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`remote:${url}`]);
  }
}

export async function getVersion(
  db: Queryable,
  name: string,
  version: string,
): Promise<VersionRecord | undefined> {
  const row = await db('server_versions')
    .select(db.raw(RECORD_COLUMNS))
    .where({ server_name: name, version })
    .first();
  return row ? toRecord(row as RecordRow) : undefined;
}

/** Every version of a server, newest publish first (the official order of GET …/versions). */
export async function listVersions(db: Queryable, name: string): Promise<VersionRecord[]> {
  const rows = await db('server_versions')
    .select(db.raw(RECORD_COLUMNS))
    .where({ server_name: name })
    .orderBy([
      { column: 'published_at', order: 'desc' },
      { column: 'version', order: 'asc' },
    ]);
  return (rows as RecordRow[]).map(toRecord);
}

export async function listVersionSummaries(db: Queryable, name: string): Promise<VersionSummary[]> {
  const rows = await db('server_versions')
    .select('version', 'status', 'published_at', 'is_latest')
    .where({ server_name: name });
  return rows.map(toSummary);
}

function toSummary(row: {
  version: string;
  status: VersionStatus;
  published_at: Date;
  is_latest: boolean;
}): VersionSummary {
  return { version: row.version, status: row.status, publishedAt: row.published_at, isLatest: row.is_latest };
}

/** The first remote URL among `urls` that a non-deleted version of another server already uses. */
export async function findRemoteOwner(
  db: Queryable,
  urls: readonly string[],
  exceptServer: string,
): Promise<{ url: string; serverName: string } | undefined> {
  if (urls.length === 0) return undefined;
  const row = await db('version_remotes as r')
    .join('server_versions as v', function joinVersion() {
      this.on('v.server_name', 'r.server_name').andOn('v.version', 'r.version');
    })
    .select('r.url', 'r.server_name')
    .whereIn('r.url', [...urls])
    .whereNot('r.server_name', exceptServer)
    .whereNot('v.status', 'deleted')
    .orderBy(['r.url', 'r.server_name'])
    .first();
  return row ? { url: row.url, serverName: row.server_name } : undefined;
}

export async function replaceRemotes(
  trx: Knex.Transaction,
  name: string,
  version: string,
  urls: readonly string[],
): Promise<void> {
  await trx('version_remotes').where({ server_name: name, version }).delete();
  const unique = [...new Set(urls)];
  if (unique.length > 0) {
    await trx('version_remotes').insert(unique.map((url) => ({ url, server_name: name, version })));
  }
}

/** Moves the latest flag; both rows count as changed at this journal position. */
export async function setLatestFlag(
  trx: Knex.Transaction,
  name: string,
  version: string,
  isLatest: boolean,
  at: { seq: number; at: string },
): Promise<void> {
  await trx('server_versions')
    .where({ server_name: name, version })
    .update({ is_latest: isLatest, seq: at.seq, updated_at: at.at });
}

export async function updateStatus(
  trx: Knex.Transaction,
  name: string,
  versions: readonly string[],
  change: { status: VersionStatus; statusMessage: string | null },
  at: { seq: number; at: string },
): Promise<void> {
  await trx('server_versions')
    .where({ server_name: name })
    .whereIn('version', [...versions])
    .update({
      status_changed_at: trx.raw('case when status <> ? then ?::timestamptz else status_changed_at end', [
        change.status,
        at.at,
      ]),
      status: change.status,
      status_message: change.statusMessage,
      updated_at: at.at,
      seq: at.seq,
    });
}

export async function updateValue(
  trx: Knex.Transaction,
  name: string,
  version: string,
  value: ServerJson,
  at: { seq: number; at: string },
): Promise<void> {
  await trx('server_versions')
    .where({ server_name: name, version })
    .update({ value: JSON.stringify(value), updated_at: at.at, seq: at.seq });
}

export async function countVersions(db: Queryable): Promise<number> {
  const row = await db('server_versions').count<{ count: string | number }[]>('* as count').first();
  return toNumber(row?.count ?? 0);
}

/** The summed stored size of a server's versions (the per-server byte budget's measure). */
export async function storedBytesOf(db: Queryable, name: string): Promise<number> {
  const row = await db('servers').select('stored_bytes').where({ name }).first();
  return toNumber(row?.stored_bytes ?? 0);
}

/** After an edit replaced a value: the server's stored size moves by the difference. */
export async function adjustStoredBytes(trx: Knex.Transaction, name: string, delta: number): Promise<void> {
  if (delta === 0) return;
  await trx('servers')
    .where({ name })
    .update({ stored_bytes: trx.raw('greatest(0, stored_bytes + ?)', [delta]) });
}

/** Status and message of every version of a server, without the documents. */
export async function listVersionStates(
  db: Queryable,
  name: string,
): Promise<{ version: string; status: VersionStatus; statusMessage: string | null }[]> {
  const rows = (await db('server_versions')
    .select('version', 'status', 'status_message')
    .where({ server_name: name })) as {
    version: string;
    status: VersionStatus;
    status_message: string | null;
  }[];
  return rows.map((r) => ({ version: r.version, status: r.status, statusMessage: r.status_message }));
}
