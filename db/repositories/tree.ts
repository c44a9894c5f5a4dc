import type { ListView } from '../../core/layout/keys.js';
import { compareText, type ListItemKey } from '../../core/layout/pages.js';
import type { VersionRecord } from '../../core/shapes.js';
import { isoTimestamp, type Queryable, toNumber } from '../sql.js';
import { RECORD_COLUMNS, type RecordRow, toRecord } from './versions.js';

/**
 * The builder's reads of the registry (changed rows, list views by keyset) and its own state per
 * target: what it has written (key → sha256), how far it has built, where the feed's tail is.
 * List order is byte order (`collate "C"`), matching core/layout/pages.ts.
 */

export interface TreeState {
  target: string;
  builtSeq: number;
  builtAt: string | null;
  lastBuildId: number | null;
  feedDay: string | null;
  feedPage: number;
  feedCount: number;
  /** The last row appended to the feed (journal order); seq 0 before the first append. */
  feedCursor: { seq: number; name: string; version: string };
  feedPreparedUntil: string | null;
}

export async function getTreeState(db: Queryable, target: string): Promise<TreeState> {
  await db('tree_state').insert({ target }).onConflict('target').ignore();
  const row = await db('tree_state')
    .select(db.raw(`*, ${isoTimestamp('built_at')} as built_at_iso`))
    .where({ target })
    .first();
  return {
    target,
    builtSeq: toNumber(row.built_seq),
    builtAt: row.built_at_iso ?? null,
    lastBuildId: row.last_build_id === null ? null : toNumber(row.last_build_id),
    feedDay: row.feed_day,
    feedPage: row.feed_page,
    feedCount: row.feed_count,
    feedCursor: { seq: toNumber(row.feed_seq), name: row.feed_name, version: row.feed_version },
    feedPreparedUntil: row.feed_prepared_until,
  };
}

export async function saveTreeState(
  db: Queryable,
  target: string,
  change: Partial<Omit<TreeState, 'target' | 'builtAt'>> & { builtAt?: string },
): Promise<void> {
  const columns: Record<string, unknown> = {};
  if (change.builtSeq !== undefined) columns.built_seq = change.builtSeq;
  if (change.builtAt !== undefined) columns.built_at = change.builtAt;
  if (change.lastBuildId !== undefined) columns.last_build_id = change.lastBuildId;
  if (change.feedDay !== undefined) columns.feed_day = change.feedDay;
  if (change.feedPage !== undefined) columns.feed_page = change.feedPage;
  if (change.feedCount !== undefined) columns.feed_count = change.feedCount;
  if (change.feedCursor !== undefined) {
    columns.feed_seq = change.feedCursor.seq;
    columns.feed_name = change.feedCursor.name;
    columns.feed_version = change.feedCursor.version;
  }
  if (change.feedPreparedUntil !== undefined) columns.feed_prepared_until = change.feedPreparedUntil;
  if (Object.keys(columns).length > 0) await db('tree_state').where({ target }).update(columns);
}

// ---- what the tree holds ------------------------------------------------------------------------

export interface KnownObject {
  sha256: string;
  orphaned: boolean;
}

export async function knownObjects(
  db: Queryable,
  target: string,
  keys: readonly string[],
): Promise<Map<string, KnownObject>> {
  const known = new Map<string, KnownObject>();
  for (let i = 0; i < keys.length; i += 1000) {
    const rows = await db('tree_objects')
      .select('key', 'sha256', 'orphaned_at')
      .where({ target })
      .whereIn('key', keys.slice(i, i + 1000));
    for (const r of rows) known.set(r.key, { sha256: r.sha256, orphaned: r.orphaned_at !== null });
  }
  return known;
}

export interface ObjectRow {
  key: string;
  sha256: string;
  size: number;
  list?: { view: ListView; after: ListItemKey | undefined };
}

/** Records objects as present (written now or found unchanged); clears any orphan mark. */
export async function recordObjects(
  db: Queryable,
  target: string,
  buildId: number,
  rows: readonly ObjectRow[],
  written: ReadonlySet<string>,
): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const batch = rows.slice(i, i + 500).map((r) => ({
      target,
      key: r.key,
      sha256: r.sha256,
      size: r.size,
      written_build: buildId,
      list_view: r.list?.view ?? null,
      list_after_name: r.list?.after?.name ?? null,
      list_after_version: r.list?.after?.version ?? null,
      orphaned_at: null,
    }));
    await db('tree_objects')
      .insert(batch)
      .onConflict(['target', 'key'])
      .merge({
        sha256: db.raw('excluded.sha256'),
        size: db.raw('excluded.size'),
        orphaned_at: null,
        written_build: db.raw(
          'case when excluded.key = any(?::text[]) then excluded.written_build else tree_objects.written_build end',
          [batch.filter((r) => written.has(r.key)).map((r) => r.key)],
        ),
      });
  }
}

export async function forgetObjects(db: Queryable, target: string, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    await db('tree_objects')
      .where({ target })
      .whereIn('key', keys.slice(i, i + 1000))
      .delete();
  }
}

/** Every live (not orphaned) key that starts with `prefix`. */
export async function keysWithPrefix(db: Queryable, target: string, prefix: string): Promise<string[]> {
  const rows = await db('tree_objects')
    .select('key')
    .where({ target })
    .whereNull('orphaned_at')
    .andWhere('key', '>=', prefix)
    .andWhere('key', '<', `${prefix}\uffff`)
    .orderBy('key');
  return rows.map((r: { key: string }) => r.key);
}

/**
 * Live list pages of `view` whose "after" item lies in [from, to): `from` undefined includes the
 * first page, `to` undefined runs to the end of the list.
 */
export async function listPagesBetween(
  db: Queryable,
  target: string,
  view: ListView,
  from: ListItemKey | undefined,
  to: ListItemKey | undefined,
): Promise<string[]> {
  const q = db('tree_objects').select('key').where({ target, list_view: view }).whereNull('orphaned_at');
  // The first page has no "after" item (null): it is before everything.
  if (from !== undefined) {
    q.andWhereRaw('(list_after_name, list_after_version) >= (?, ?)', [from.name, from.version]);
  }
  if (to !== undefined) {
    q.andWhereRaw('(list_after_name is null or (list_after_name, list_after_version) < (?, ?))', [
      to.name,
      to.version,
    ]);
  }
  const rows = await q;
  return rows.map((r: { key: string }) => r.key);
}

export async function markOrphaned(db: Queryable, target: string, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    await db('tree_objects')
      .where({ target })
      .whereIn('key', keys.slice(i, i + 1000))
      .update({ orphaned_at: db.fn.now() });
  }
}

/** Orphaned keys whose grace period is over. */
export async function expiredOrphans(db: Queryable, target: string, graceSeconds: number): Promise<string[]> {
  const rows = await db('tree_objects')
    .select('key')
    .where({ target })
    .whereRaw('orphaned_at < now() - make_interval(secs => ?)', [graceSeconds]);
  return rows.map((r: { key: string }) => r.key);
}

/**
 * Refreshes the planner's statistics on `tree_objects`. The builder grows it by up to millions of
 * rows per build and cannot count on autovacuum (PGlite has none; a server may have it off or lag
 * behind): with the statistics of an empty table, the planner answered a 1,000-key lookup by scanning
 * every row of the target (~350 ms each on a 1.2 M-row tree, instead of a few ms).
 */
export async function analyzeTreeObjects(db: Queryable): Promise<void> {
  await db.raw('analyze tree_objects');
}

/** Notes keys a full build rendered (see the seen_keys migration). */
export async function markSeen(db: Queryable, buildId: number, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await db.raw('insert into tree_seen (build_id, key) select ?, unnest(?::text[])', [buildId, [...keys]]);
}

/** Live keys a full build (`buildId`) did not render. */
export async function unseenKeys(db: Queryable, target: string, buildId: number): Promise<string[]> {
  // EXCEPT is a hash or sort set operation whatever the planner guesses about the freshly filled,
  // never-analyzed scratch table (an anti-join it estimated at a few rows ran as a nested loop).
  const result = await db.raw(
    `select key from tree_objects where target = ? and orphaned_at is null
     except
     select key from tree_seen where build_id = ?
     order by key`,
    [target, buildId],
  );
  return (result as { rows: { key: string }[] }).rows.map((r) => r.key);
}

/** Drops the notes of `buildId`, and any a killed full build left behind. */
export async function forgetSeen(db: Queryable): Promise<void> {
  await db.raw('truncate tree_seen');
}

export async function countObjects(db: Queryable, target: string): Promise<number> {
  const row = await db('tree_objects').where({ target }).count<{ c: string }[]>('* as c').first();
  return toNumber(row?.c ?? 0);
}

// ---- registry reads -----------------------------------------------------------------------------

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

const VIEW_FILTER: Record<ListView, string> = {
  live: "status <> 'deleted'",
  all: 'true',
  latest: "is_latest and status <> 'deleted'",
  'latest.all': 'is_latest',
};

const LIST_ORDER = 'server_name collate "C", version collate "C"';

/** The view's items after `after` (all of them from the start when undefined), in list order. */
export async function viewRecordsAfter(
  db: Queryable,
  view: ListView,
  after: ListItemKey | undefined,
  limit: number,
): Promise<VersionRecord[]> {
  const q = db('server_versions').select(db.raw(RECORD_COLUMNS)).whereRaw(VIEW_FILTER[view]);
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
    .whereRaw(VIEW_FILTER[view])
    .andWhereRaw(`(${LIST_ORDER}) < (?, ?)`, [before.name, before.version])
    .orderByRaw('server_name collate "C" desc, version collate "C" desc')
    .limit(limit);
  return rows.map((r: { server_name: string; version: string }) => ({
    name: r.server_name,
    version: r.version,
  }));
}

/** Every version, in list order, `limit` at a time after `after`. */
export async function allRecordsAfter(
  db: Queryable,
  after: ListItemKey | undefined,
  limit: number,
): Promise<VersionRecord[]> {
  return viewRecordsAfter(db, 'all', after, limit);
}

/** The highest journal position any target has been built to (0: never built). */
export async function maxBuiltSeq(db: Queryable): Promise<number> {
  const row = await db('tree_state').max<{ m: string | number | null }[]>('built_seq as m').first();
  return toNumber(row?.m ?? 0);
}
