import { invalidateAfterBuild } from '../../builder/invalidate/after-build.js';
import { runBuild } from '../../builder/runs.js';
import { createBuilderOptions, createInvalidator } from '../../builder/runtime.js';
import { BUILD_KINDS, isBuildKind } from '../../core/builds.js';
import { loadConfig } from '../../core/config.js';
import { openDatabase } from '../../db/connect.js';
import { getRun, queueRun } from '../../db/repositories/builds.js';
import { UsageError } from '../errors.js';
import type { CommandContext } from '../io.js';
import { createLogger } from '../logger.js';

/**
 * `mcp-registry build`: run a build in this process now (waiting for a running one to finish), or
 * `--queue` it for the builder daemon. Exit 0 when it succeeded (or was queued), 1 when it failed.
 */
export async function run({ io, out, options }: CommandContext): Promise<number> {
  const kind = options.kind;
  if (!isBuildKind(kind)) {
    throw new UsageError(`--kind must be one of ${BUILD_KINDS.join(', ')}, not ${JSON.stringify(kind)}`);
  }
  const config = loadConfig(io.env);
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  try {
    if (options.queue) {
      const id = await queueRun(db.knex, { kind, requestedBy: 'cli' });
      out.result(id === undefined ? undefined : await getRun(db.knex, id));
      out.info(`queued ${kind} build #${id}; the builder daemon runs it (see: mcp-registry builds ${id})`);
      return 0;
    }
    const builderOptions = await createBuilderOptions(config, db, logger);
    const outcome = await runBuild(builderOptions, {
      kind,
      requestedBy: 'cli',
      wait: true,
      ...(options.allowMassDeletion ? { allowMassDeletion: true } : {}),
    });
    const invalidator = createInvalidator(config);
    try {
      const failed = await invalidateAfterBuild(db.knex, invalidator, outcome);
      if (failed) out.warn(`CDN invalidation failed (the builder daemon retries it): ${failed}`);
    } finally {
      invalidator?.close();
    }
    out.result(outcome);
    if (outcome.status === 'failed') {
      out.info(`error: ${kind} build #${outcome.runId} failed: ${outcome.error}`);
      return 1;
    }
    out.info(
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
