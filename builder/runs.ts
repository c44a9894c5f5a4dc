import { acquireBuildLock } from '../db/build-lock.js';
import { abandonRunning, createRun, finishRun, markRunning, queueRun } from '../db/repositories/builds.js';
import {
  type BuilderOptions,
  type BuildOutcome,
  type BuildRequest,
  buildOutcome,
  targetOf,
} from './options.js';
import { build } from './pipeline.js';

/**
 * Run bookkeeping around the pipeline: the build lock, the `build_runs` row (created or claimed,
 * finished as succeeded or failed), and the recovery of runs a dead builder left `running`.
 */

/**
 * Runs one build now: takes the build lock (waiting or skipping as asked), marks runs a dead builder
 * left behind, records the run and builds. A skipped build leaves no run row unless it was queued.
 */
export async function runBuild(options: BuilderOptions, request: BuildRequest): Promise<BuildOutcome> {
  const target = targetOf(options);
  const lock = await acquireBuildLock(options.db, target, { wait: request.wait ?? false });
  if (!lock) {
    const reason = 'another build of this target is running';
    if (request.runId !== undefined) {
      await finishRun(options.db.knex, request.runId, { status: 'skipped', error: reason });
    }
    options.logger.info({ kind: request.kind }, `build skipped: ${reason}`);
    return buildOutcome(request.runId ?? 0, request.kind, 'skipped', { reason });
  }
  try {
    await recoverAbandoned(options);
    return await buildLocked(options, request);
  } finally {
    await lock.release();
  }
}

/**
 * Runs a dead builder left 'running' are marked failed and, up to three attempts, queued again.
 * Only call while holding the build lock (then nobody else can be building this target).
 */
export async function recoverAbandoned(options: BuilderOptions): Promise<number> {
  const abandoned = await abandonRunning(options.db.knex, targetOf(options));
  for (const run of abandoned) {
    options.logger.warn({ runId: run.id, kind: run.kind }, 'build run abandoned by a builder that stopped');
    if (run.attempt < 3) {
      await queueRun(options.db.knex, {
        kind: run.kind,
        requestedBy: run.requestedBy,
        retryOf: run.id,
        attempt: run.attempt + 1,
      });
    }
  }
  return abandoned.length;
}

/** Builds while the caller holds the build lock; records the run (a new row unless `runId` is given). */
export async function buildLocked(options: BuilderOptions, request: BuildRequest): Promise<BuildOutcome> {
  const { db } = options;
  const target = targetOf(options);
  const log = options.logger.child({ module: 'builder', kind: request.kind });
  let runId = request.runId;
  if (runId === undefined) {
    runId = await createRun(db.knex, {
      kind: request.kind,
      requestedBy: request.requestedBy,
      status: 'running',
      target,
    });
  } else {
    await markRunning(db.knex, runId, target);
  }
  try {
    const outcome = await build(options, request, runId, target, log);
    await finishRun(db.knex, runId, {
      status: 'succeeded',
      ...(outcome.fromSeq !== undefined ? { fromSeq: outcome.fromSeq } : {}),
      ...(outcome.toSeq !== undefined ? { toSeq: outcome.toSeq } : {}),
      objectsWritten: outcome.objectsWritten,
      objectsDeleted: outcome.objectsDeleted,
      detail: {
        ...(outcome.reason ? { note: outcome.reason } : {}),
        ...(outcome.snapshot ? { snapshot: outcome.snapshot } : {}),
      },
    });
    log.info(
      {
        runId,
        fromSeq: outcome.fromSeq,
        toSeq: outcome.toSeq,
        written: outcome.objectsWritten,
        deleted: outcome.objectsDeleted,
      },
      'build succeeded',
    );
    return outcome;
  } catch (err) {
    const message = (err as Error).message;
    log.error({ runId, err }, 'build failed');
    await finishRun(db.knex, runId, { status: 'failed', error: message }).catch(() => undefined);
    return buildOutcome(runId, request.kind, 'failed', { error: message });
  }
}
