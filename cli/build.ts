import { parseArgs } from 'node:util';
import { runBuild } from '../builder/runs.js';
import { createBuilderOptions, createInvalidator } from '../builder/runtime.js';
import { BUILD_KINDS, DEFAULT_BUILD_KIND, isBuildKind } from '../core/builds.js';
import type { Config } from '../core/config.js';
import { openDatabase } from '../db/connect.js';
import { type BuildRun, getRun, listRuns, queueRun } from '../db/repositories/builds.js';
import {
  invalidationDone,
  invalidationFailed,
  recordInvalidation,
} from '../db/repositories/invalidations.js';
import { UsageError } from './errors.js';
import { createLogger } from './logger.js';
import type { Io } from './main.js';

/**
 * `mcp-registry build`: run a build in this process now (waiting for a running one to finish), or
 * `--queue` it for the builder daemon. Exit 0 when it succeeded (or was queued), 1 when it failed.
 */
export async function runBuildCommand(config: Config, args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      kind: { type: 'string', default: DEFAULT_BUILD_KIND },
      queue: { type: 'boolean' },
      'allow-mass-deletion': { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const kind = values.kind;
  if (!isBuildKind(kind))
    throw new UsageError(
      `--kind must be one of ${BUILD_KINDS.join(', ')}, not ${JSON.stringify(values.kind)}`,
    );
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  try {
    if (values.queue) {
      const id = await queueRun(db.knex, { kind, requestedBy: 'cli' });
      const run = id === undefined ? undefined : await getRun(db.knex, id);
      if (values.json) io.stdout(JSON.stringify(run));
      io.stderr(`queued ${kind} build #${id}; the builder daemon runs it (see: mcp-registry builds ${id})`);
      return 0;
    }
    const options = await createBuilderOptions(config, db, logger);
    const outcome = await runBuild(options, {
      kind,
      requestedBy: 'cli',
      wait: true,
      ...(values['allow-mass-deletion'] ? { allowMassDeletion: true } : {}),
    });
    const invalidator = createInvalidator(config);
    if (invalidator && outcome.status === 'succeeded' && outcome.changedMutableKeys.length > 0) {
      const id = await recordInvalidation(db.knex, outcome.runId, outcome.changedMutableKeys);
      try {
        const result = await invalidator.invalidate(outcome.changedMutableKeys);
        await invalidationDone(db.knex, id, result.invalidationIds);
      } catch (err) {
        await invalidationFailed(db.knex, id, (err as Error).message, 8);
        io.stderr(
          `warning: CDN invalidation failed (the builder daemon retries it): ${(err as Error).message}`,
        );
      } finally {
        invalidator.close();
      }
    }
    if (values.json) io.stdout(JSON.stringify(outcome));
    if (outcome.status === 'failed') {
      io.stderr(`error: ${kind} build #${outcome.runId} failed: ${outcome.error}`);
      return 1;
    }
    io.stderr(
      `${kind} build #${outcome.runId} ${outcome.status}: seq ${outcome.fromSeq} → ${outcome.toSeq}, ` +
        `${outcome.objectsWritten} objects written, ${outcome.objectsDeleted} deleted` +
        `${outcome.snapshot ? `, snapshot ${outcome.snapshot.day} ${outcome.snapshot.status}` : ''}` +
        `${outcome.reason ? ` (${outcome.reason})` : ''}`,
    );
    return 0;
  } finally {
    await db.close();
  }
}

function describe(run: BuildRun): string {
  const range = run.toSeq === null ? '' : ` seq ${run.fromSeq} → ${run.toSeq}`;
  const counts =
    run.objectsWritten === null ? '' : `, ${run.objectsWritten} written, ${run.objectsDeleted} deleted`;
  return `#${run.id} ${run.kind} ${run.status} (requested by ${run.requestedBy} at ${run.requestedAt})${range}${counts}${run.error ? `: ${run.error}` : ''}`;
}

/** `mcp-registry builds [id] [--limit N] [--json]`: build history, newest first, or one build. */
export async function runBuildsCommand(config: Config, args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { limit: { type: 'string', default: '20' }, json: { type: 'boolean' } },
  });
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new UsageError('--limit must be an integer from 1 to 1000');
  if (positionals.length > 1 || (positionals[0] !== undefined && !/^[1-9]\d*$/.test(positionals[0]))) {
    throw new UsageError('usage: mcp-registry builds [<id>] [--limit N] [--json]');
  }
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    if (positionals[0] !== undefined) {
      const run = await getRun(db.knex, Number(positionals[0]));
      if (!run) {
        io.stderr(`error: build ${positionals[0]} not found`);
        return 1;
      }
      io.stdout(values.json ? JSON.stringify(run) : describe(run));
      return 0;
    }
    const runs = await listRuns(db.knex, { limit });
    if (values.json) io.stdout(JSON.stringify(runs));
    else for (const run of runs) io.stdout(describe(run));
    if (!values.json && runs.length === 0) io.stderr('no builds yet');
    return 0;
  } finally {
    await db.close();
  }
}
