import type { BuildKind, BuildStatus, FinishedBuildStatus } from '../../core/builds.js';
import { isoTimestamp, type Queryable, toNumber } from '../sql.js';

// builder/build.ts still imports these from here (re-homed in core/builds.ts; see ARCHITECTURE.md).
export type { BuildKind, BuildStatus };

/** Build requests and runs: one row each, from request to outcome. */

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
  attempt: number;
  retryOf: number | null;
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
  'attempt',
  'retry_of',
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
  attempt: number;
  retry_of: string | number | null;
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
    attempt: r.attempt,
    retryOf: nullableNumber(r.retry_of),
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
    status: FinishedBuildStatus;
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

/**
 * Queues a build request for a builder daemon. With a `scheduleSlot`, only the first request for
 * that slot is recorded (two daemons firing one schedule queue one build); undefined when it exists.
 */
export async function queueRun(
  db: Queryable,
  request: {
    kind: BuildKind;
    requestedBy: string;
    scheduleSlot?: string;
    retryOf?: number;
    attempt?: number;
  },
): Promise<number | undefined> {
  const rows = await db('build_runs')
    .insert({
      kind: request.kind,
      status: 'queued',
      requested_by: request.requestedBy,
      requested_at: db.fn.now(),
      schedule_slot: request.scheduleSlot ?? null,
      retry_of: request.retryOf ?? null,
      attempt: request.attempt ?? 1,
    })
    .onConflict('schedule_slot')
    .ignore()
    .returning('id');
  const row = rows[0] as { id: string | number } | undefined;
  return row ? toNumber(row.id) : undefined;
}

/** Takes the oldest queued request (call while holding the build lock). */
export async function claimQueuedRun(db: Queryable, target: string): Promise<BuildRun | undefined> {
  const result = await db.raw(
    `update build_runs set status = 'running', started_at = now(), target = ?
      where id = (select id from build_runs where status = 'queued' order by id limit 1 for update skip locked)
      returning id`,
    [target],
  );
  const row = (result as { rows: { id: string | number }[] }).rows[0];
  return row ? getRun(db, toNumber(row.id)) : undefined;
}

/**
 * Runs left 'running' by a builder that died (call while holding the build lock: nobody else can be
 * building). Marks them failed and returns them, so the caller can queue retries.
 */
export async function abandonRunning(db: Queryable, target: string): Promise<BuildRun[]> {
  const result = await db.raw(
    `update build_runs set status = 'failed', finished_at = now(),
        error = 'abandoned: the builder stopped before finishing (process killed or crashed)'
      where status = 'running' and (target = ? or target is null)
      returning id`,
    [target],
  );
  const ids = (result as { rows: { id: string | number }[] }).rows.map((r) => toNumber(r.id));
  const runs: BuildRun[] = [];
  for (const id of ids) {
    const run = await getRun(db, id);
    if (run) runs.push(run);
  }
  return runs;
}

/** Runs per kind and status, with objects written (metrics). */
export async function buildStatusCounts(
  db: Queryable,
): Promise<{ kind: BuildKind; status: BuildStatus; count: number; objectsWritten: number }[]> {
  const result = await db.raw(
    `select kind, status, count(*) as count, coalesce(sum(objects_written), 0) as written
       from build_runs group by kind, status`,
  );
  const rows = (
    result as { rows: { kind: BuildKind; status: BuildStatus; count: string; written: string }[] }
  ).rows;
  return rows.map((r) => ({
    kind: r.kind,
    status: r.status,
    count: toNumber(r.count),
    objectsWritten: toNumber(r.written),
  }));
}
