import { isoTimestamp, type Queryable, toNumber } from '../sql.js';

/** One sync of a mirror: what it asked upstream, what it changed, what it refused and why. */
export interface MirrorCounters {
  requests: number;
  fetched: number;
  added: number;
  updated: number;
  unchanged: number;
  withIssues: number;
  refused: number;
  latestDisagreements: number;
}

export interface MirrorRun extends MirrorCounters {
  id: number;
  upstream: string;
  kind: 'full' | 'incremental';
  status: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  refusals: { name?: string; version?: string; reason: string }[];
  error: string | null;
}

export const MAX_RECORDED_REFUSALS = 100;

export const emptyCounters = (): MirrorCounters => ({
  requests: 0,
  fetched: 0,
  added: 0,
  updated: 0,
  unchanged: 0,
  withIssues: 0,
  refused: 0,
  latestDisagreements: 0,
});

const COLUMNS: Record<keyof MirrorCounters, string> = {
  requests: 'requests',
  fetched: 'fetched',
  added: 'added',
  updated: 'updated',
  unchanged: 'unchanged',
  withIssues: 'with_issues',
  refused: 'refused',
  latestDisagreements: 'latest_disagreements',
};

const toColumns = (c: Partial<MirrorCounters>) =>
  Object.fromEntries(Object.entries(c).map(([k, v]) => [COLUMNS[k as keyof MirrorCounters], v]));

export async function startMirrorRun(
  db: Queryable,
  upstream: string,
  kind: MirrorRun['kind'],
): Promise<number> {
  const [row] = await db('mirror_runs')
    .insert({ upstream, kind, status: 'running', started_at: db.fn.now() })
    .returning('id');
  return toNumber((row as { id: string | number }).id);
}

/** Adds to a run's counters (a resumed crawl keeps counting on the run it belongs to). */
export async function addToMirrorRun(
  db: Queryable,
  id: number,
  delta: Partial<MirrorCounters>,
): Promise<void> {
  const updates = Object.fromEntries(
    Object.entries(toColumns(delta)).map(([col, v]) => [col, db.raw('?? + ?', [col, v as number])]),
  );
  if (Object.keys(updates).length) await db('mirror_runs').where({ id }).update(updates);
}

export async function finishMirrorRun(
  db: Queryable,
  id: number,
  outcome: { status: 'succeeded' | 'failed'; error?: string; refusals?: MirrorRun['refusals'] },
): Promise<void> {
  await db('mirror_runs')
    .where({ id })
    .update({
      status: outcome.status,
      finished_at: db.fn.now(),
      error: outcome.error ?? null,
      ...(outcome.refusals
        ? { refusals: JSON.stringify(outcome.refusals.slice(0, MAX_RECORDED_REFUSALS)) }
        : {}),
    });
}

/** Runs left `running` by a process that died: failed (their crawl resumes on the next sync). */
export async function failAbandonedMirrorRuns(
  db: Queryable,
  upstream: string,
  except: number,
): Promise<void> {
  await db('mirror_runs')
    .where({ upstream, status: 'running' })
    .whereNot({ id: except })
    .update({ status: 'failed', finished_at: db.fn.now(), error: 'abandoned: the syncing process stopped' });
}

export async function listMirrorRuns(db: Queryable, limit = 20): Promise<MirrorRun[]> {
  const rows = await db('mirror_runs')
    .select(
      '*',
      db.raw(`${isoTimestamp('started_at')} as started_iso`),
      db.raw(`${isoTimestamp('finished_at')} as finished_iso`),
    )
    .orderBy('id', 'desc')
    .limit(limit);
  return rows.map((r: Record<string, unknown>) => ({
    id: toNumber(r.id as number),
    upstream: String(r.upstream),
    kind: r.kind as MirrorRun['kind'],
    status: r.status as MirrorRun['status'],
    startedAt: String(r.started_iso),
    finishedAt: (r.finished_iso as string | null) ?? null,
    requests: Number(r.requests),
    fetched: Number(r.fetched),
    added: Number(r.added),
    updated: Number(r.updated),
    unchanged: Number(r.unchanged),
    withIssues: Number(r.with_issues),
    refused: Number(r.refused),
    latestDisagreements: Number(r.latest_disagreements),
    refusals: (r.refusals as MirrorRun['refusals']) ?? [],
    error: (r.error as string | null) ?? null,
  }));
}
