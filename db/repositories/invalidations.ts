import { type Queryable, toNumber } from '../sql.js';

/** CDN invalidations owed after builds; recorded first so a failure is visible and retried. */
export interface PendingInvalidation {
  id: number;
  buildId: number | null;
  keys: string[];
  attempts: number;
}

export async function recordInvalidation(
  db: Queryable,
  buildId: number,
  keys: readonly string[],
): Promise<number> {
  const [row] = await db('cdn_invalidations')
    .insert({ build_id: buildId, keys: JSON.stringify(keys) })
    .returning('id');
  return toNumber((row as { id: string | number }).id);
}

export async function invalidationDone(
  db: Queryable,
  id: number,
  invalidationIds: readonly string[],
): Promise<void> {
  await db('cdn_invalidations')
    .where({ id })
    .update({
      status: 'done',
      attempts: db.raw('attempts + 1'),
      invalidation_ids: [...invalidationIds],
      last_error: null,
      updated_at: db.fn.now(),
    });
}

/** A failed attempt; after `maxAttempts` the row is marked failed for good (the 60 s TTL bounds staleness). */
export async function invalidationFailed(
  db: Queryable,
  id: number,
  error: string,
  maxAttempts: number,
): Promise<void> {
  await db('cdn_invalidations')
    .where({ id })
    .update({
      status: db.raw("case when attempts + 1 >= ? then 'failed' else 'pending' end", [maxAttempts]),
      attempts: db.raw('attempts + 1'),
      last_error: error,
      updated_at: db.fn.now(),
    });
}

/** Pending invalidations whose backoff (30 s × 2^attempts) is over, oldest first. */
export async function dueInvalidations(db: Queryable, limit: number): Promise<PendingInvalidation[]> {
  const rows = await db('cdn_invalidations')
    .select('id', 'build_id', 'keys', 'attempts')
    .where({ status: 'pending' })
    .whereRaw('(attempts = 0 or updated_at <= now() - make_interval(secs => 30 * power(2, attempts - 1)))')
    .orderBy('id')
    .limit(limit);
  return rows.map(
    (r: { id: string | number; build_id: string | number | null; keys: string[]; attempts: number }) => ({
      id: toNumber(r.id),
      buildId: r.build_id === null ? null : toNumber(r.build_id),
      keys: r.keys,
      attempts: r.attempts,
    }),
  );
}

export async function countPendingInvalidations(db: Queryable): Promise<number> {
  const row = await db('cdn_invalidations')
    .where({ status: 'pending' })
    .count<{ c: string }[]>('* as c')
    .first();
  return toNumber(row?.c ?? 0);
}
