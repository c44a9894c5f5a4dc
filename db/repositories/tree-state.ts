import { isoTimestamp, type Queryable, toNumber } from '../sql.js';

/**
 * The builder's state per target (directory or bucket), table `tree_state`: how far it has built,
 * its last build, where the change feed's tail is.
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

/** The highest journal position any target has been built to (0: never built). */
export async function maxBuiltSeq(db: Queryable): Promise<number> {
  const row = await db('tree_state').max<{ m: string | number | null }[]>('built_seq as m').first();
  return toNumber(row?.m ?? 0);
}
