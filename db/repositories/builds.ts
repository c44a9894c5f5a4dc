import { isoTimestamp, type Queryable, toNumber } from '../sql.js';

/** Build requests and runs: one row each, from request to outcome. */
export type BuildKind = 'incremental' | 'full' | 'snapshot';
export type BuildStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'skipped';

export interface BuildRun {
  id: number;
  kind: BuildKind;
  status: BuildStatus;
  requestedBy: string;
  requestedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  fromSeq: number | null;
  toSeq: number | null;
  objectsWritten: number | null;
  objectsDeleted: number | null;
  error: string | null;
  target: string | null;
  detail: Record<string, unknown> | null;
}

const COLUMNS = [
  'id',
  'kind',
  'status',
  'requested_by',
  `${isoTimestamp('requested_at')} as requested_at`,
  `${isoTimestamp('started_at')} as started_at`,
  `${isoTimestamp('finished_at')} as finished_at`,
  'from_seq',
  'to_seq',
  'objects_written',
  'objects_deleted',
  'error',
  'target',
  'detail',
].join(', ');

interface Row {
  id: string | number;
  kind: BuildKind;
  status: BuildStatus;
  requested_by: string;
  requested_at: string;
  started_at: string | null;
  finished_at: string | null;
  from_seq: string | number | null;
  to_seq: string | number | null;
  objects_written: number | null;
  objects_deleted: number | null;
  error: string | null;
  target: string | null;
  detail: Record<string, unknown> | null;
}

const nullableNumber = (v: string | number | null): number | null => (v === null ? null : toNumber(v));

function toRun(r: Row): BuildRun {
  return {
    id: toNumber(r.id),
    kind: r.kind,
    status: r.status,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    fromSeq: nullableNumber(r.from_seq),
    toSeq: nullableNumber(r.to_seq),
    objectsWritten: r.objects_written,
    objectsDeleted: r.objects_deleted,
    error: r.error,
    target: r.target,
    detail: r.detail,
  };
}

export async function createRun(
  db: Queryable,
  run: { kind: BuildKind; requestedBy: string; status: 'queued' | 'running'; target?: string },
): Promise<number> {
  const [row] = await db('build_runs')
    .insert({
      kind: run.kind,
      status: run.status,
      requested_by: run.requestedBy,
      requested_at: db.fn.now(),
      started_at: run.status === 'running' ? db.fn.now() : null,
      target: run.target ?? null,
    })
    .returning('id');
  return toNumber((row as { id: string | number }).id);
}

export async function markRunning(db: Queryable, id: number, target: string): Promise<void> {
  await db('build_runs').where({ id }).update({ status: 'running', started_at: db.fn.now(), target });
}

export async function finishRun(
  db: Queryable,
  id: number,
  outcome: {
    status: 'succeeded' | 'failed' | 'skipped';
    fromSeq?: number;
    toSeq?: number;
    objectsWritten?: number;
    objectsDeleted?: number;
    error?: string;
    detail?: Record<string, unknown>;
  },
): Promise<void> {
  await db('build_runs')
    .where({ id })
    .update({
      status: outcome.status,
      finished_at: db.fn.now(),
      from_seq: outcome.fromSeq ?? null,
      to_seq: outcome.toSeq ?? null,
      objects_written: outcome.objectsWritten ?? null,
      objects_deleted: outcome.objectsDeleted ?? null,
      error: outcome.error ?? null,
      detail: outcome.detail ? JSON.stringify(outcome.detail) : null,
    });
}

export async function getRun(db: Queryable, id: number): Promise<BuildRun | undefined> {
  const row = await db('build_runs').select(db.raw(COLUMNS)).where({ id }).first();
  return row ? toRun(row as Row) : undefined;
}

/** Newest first; `before` pages by id. */
export async function listRuns(
  db: Queryable,
  options: { limit: number; before?: number },
): Promise<BuildRun[]> {
  const q = db('build_runs').select(db.raw(COLUMNS)).orderBy('id', 'desc').limit(options.limit);
  if (options.before !== undefined) q.where('id', '<', options.before);
  return ((await q) as Row[]).map(toRun);
}

/** The last finished build that succeeded (for health and freshness). */
export async function lastSucceededRun(db: Queryable): Promise<BuildRun | undefined> {
  const row = await db('build_runs')
    .select(db.raw(COLUMNS))
    .where({ status: 'succeeded' })
    .orderBy('id', 'desc')
    .first();
  return row ? toRun(row as Row) : undefined;
}
