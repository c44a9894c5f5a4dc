import type { Knex } from 'knex';
import { compareText, type ListItemKey } from '../../core/layout/pages.js';
import { type ListView, VIEWS } from '../../core/layout/views.js';
import type { VersionRecord } from '../../core/shapes.js';
import type { Queryable } from '../sql.js';
import { RECORD_COLUMNS, type RecordRow, toRecord } from './versions.js';

/**
 * The builder's reads of the registry: rows changed since a journal position, one server's versions,
 * and the list views by keyset. List order is byte order (`collate "C"`), matching
 * core/layout/pages.ts `compareListItems`; each view's filter is derived from core/layout/views.ts.
 */

/** Servers with a version changed in (afterSeq, toSeq], in list order. */
export async function changedServers(db: Queryable, afterSeq: number, toSeq: number): Promise<string[]> {
  const rows = await db('server_versions')
    .distinct('server_name')
    .where('seq', '>', afterSeq)
    .andWhere('seq', '<=', toSeq);
  return rows.map((r: { server_name: string }) => r.server_name).sort(compareText);
}

/** Rows changed in (afterSeq, toSeq], in journal order, `limit` at a time after `cursor`. */
export async function changedRecords(
  db: Queryable,
  afterSeq: number,
  toSeq: number,
  limit: number,
  cursor?: { seq: number; name: string; version: string },
): Promise<VersionRecord[]> {
  const q = db('server_versions')
    .select(db.raw(RECORD_COLUMNS))
    .where('seq', '>', afterSeq)
    .andWhere('seq', '<=', toSeq)
    .orderByRaw('seq, server_name collate "C", version collate "C"')
    .limit(limit);
  if (cursor) {
    q.andWhereRaw('(seq, server_name collate "C", version collate "C") > (?, ?, ?)', [
      cursor.seq,
      cursor.name,
      cursor.version,
    ]);
  }
  return ((await q) as RecordRow[]).map(toRecord);
}

export async function recordsOfServer(db: Queryable, name: string): Promise<VersionRecord[]> {
  const rows = await db('server_versions').select(db.raw(RECORD_COLUMNS)).where({ server_name: name });
  return (rows as RecordRow[]).map(toRecord);
}

/**
 * The SQL form of a view's rule (core/layout/views.ts `VIEWS`), the database's side of `inView`.
 *
 * @example viewFilterSql('latest') // "is_latest and status <> 'deleted'"
 */
export function viewFilterSql(view: ListView): string {
  const rule = VIEWS[view];
  const terms = [
    ...(rule.latestOnly ? ['is_latest'] : []),
    ...(rule.includeDeleted ? [] : ["status <> 'deleted'"]),
  ];
  return terms.length === 0 ? 'true' : terms.join(' and ');
}

const LIST_ORDER = 'server_name collate "C", version collate "C"';

/**
 * The view's items after `after` (all of them from the start when undefined), in list order;
 * `narrow` adds conditions of its own (the `?search=` pages keep the servers having a term).
 */
export async function viewRecordsAfter(
  db: Queryable,
  view: ListView,
  after: ListItemKey | undefined,
  limit: number,
  narrow?: (q: Knex.QueryBuilder) => void,
): Promise<VersionRecord[]> {
  const q = db('server_versions').select(db.raw(RECORD_COLUMNS)).whereRaw(viewFilterSql(view));
  narrow?.(q);
  if (after) {
    q.andWhereRaw(`(${LIST_ORDER}) > (?, ?)`, [after.name, after.version]);
  }
  const rows = await q.orderByRaw(LIST_ORDER).limit(limit);
  return (rows as RecordRow[]).map(toRecord);
}

/** The view's item keys before `before`, nearest first. */
export async function viewKeysBefore(
  db: Queryable,
  view: ListView,
  before: ListItemKey,
  limit: number,
): Promise<ListItemKey[]> {
  const rows = await db('server_versions')
    .select('server_name', 'version')
    .whereRaw(viewFilterSql(view))
    .andWhereRaw(`(${LIST_ORDER}) < (?, ?)`, [before.name, before.version])
    .orderByRaw('server_name collate "C" desc, version collate "C" desc')
    .limit(limit);
  return rows.map((r: { server_name: string; version: string }) => ({
    name: r.server_name,
    version: r.version,
  }));
}

/**
 * Every item of `view` in list order, as batches of `size` read by keyset (bounded memory however
 * large the registry): the full render, the snapshot and the build benchmark stream through this.
 */
export async function* viewBatches(
  db: Queryable,
  view: ListView,
  size: number,
): AsyncGenerator<VersionRecord[]> {
  let after: ListItemKey | undefined;
  for (;;) {
    const records = await viewRecordsAfter(db, view, after, size);
    if (records.length > 0) yield records;
    if (records.length < size) return;
    const last = records[records.length - 1] as VersionRecord;
    after = { name: last.serverName, version: last.version };
  }
}
