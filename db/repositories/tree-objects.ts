import type { ListItemKey } from '../../core/layout/pages.js';
import type { PagesId } from '../../core/layout/search-page-keys.js';
import { chunks, type Queryable, toNumber } from '../sql.js';

/**
 * What the tree holds, per target: table `tree_objects` (every key with its sha256 and size; list
 * pages with their view and "after" item; orphan marks for superseded pages) and the scratch table
 * `tree_seen` (the keys a full build rendered, so what it did not render can be found).
 */

/** Keys per `where key in (…)` statement. */
const KEY_CHUNK = 1000;
/** Rows per multi-row upsert. */
const ROW_CHUNK = 500;

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
  for (const slice of chunks(keys, KEY_CHUNK)) {
    const rows = await db('tree_objects')
      .select('key', 'sha256', 'orphaned_at')
      .where({ target })
      .whereIn('key', slice);
    for (const r of rows) known.set(r.key, { sha256: r.sha256, orphaned: r.orphaned_at !== null });
  }
  return known;
}

export interface ObjectRow {
  key: string;
  sha256: string;
  size: number;
  list?: { view: PagesId; after: ListItemKey | undefined };
}

/** Records objects as present (written now or found unchanged); clears any orphan mark. */
export async function recordObjects(
  db: Queryable,
  target: string,
  buildId: number,
  rows: readonly ObjectRow[],
  written: ReadonlySet<string>,
): Promise<void> {
  for (const slice of chunks(rows, ROW_CHUNK)) {
    const batch = slice.map((r) => ({
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
  for (const slice of chunks(keys, KEY_CHUNK)) {
    await db('tree_objects').where({ target }).whereIn('key', slice).delete();
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
  view: PagesId,
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

/**
 * The last item before every version of `name` that ends a live page of `view` (undefined: no page
 * boundary before it; the region starts at the first page).
 */
export async function pageBoundaryBefore(
  db: Queryable,
  target: string,
  view: PagesId,
  name: string,
): Promise<ListItemKey | undefined> {
  const row = await db('tree_objects')
    .select('list_after_name', 'list_after_version')
    .where({ target, list_view: view })
    .whereNull('orphaned_at')
    .andWhereRaw('(list_after_name, list_after_version) < (?, ?)', [name, ''])
    .orderBy([
      { column: 'list_after_name', order: 'desc' },
      { column: 'list_after_version', order: 'desc' },
    ])
    .first();
  return row ? { name: row.list_after_name, version: row.list_after_version } : undefined;
}

/** Whether a live page of `view` follows `item` (the item ends a page of the current layout). */
export async function isPageBoundary(
  db: Queryable,
  target: string,
  view: PagesId,
  item: ListItemKey,
): Promise<boolean> {
  const row = await db('tree_objects')
    .select('key')
    .where({ target, list_view: view, list_after_name: item.name, list_after_version: item.version })
    .whereNull('orphaned_at')
    .first();
  return row !== undefined;
}

export async function markOrphaned(db: Queryable, target: string, keys: readonly string[]): Promise<void> {
  for (const slice of chunks(keys, KEY_CHUNK)) {
    await db('tree_objects').where({ target }).whereIn('key', slice).update({ orphaned_at: db.fn.now() });
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
