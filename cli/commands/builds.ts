import { loadConfig } from '../../core/config.js';
import { openDatabase } from '../../db/connect.js';
import { type BuildRun, getRun, listRuns } from '../../db/repositories/builds.js';
import { UsageError } from '../errors.js';
import type { CommandContext } from '../io.js';

function describe(run: BuildRun): string {
  const range = run.toSeq === null ? '' : ` seq ${run.fromSeq} → ${run.toSeq}`;
  const counts =
    run.objectsWritten === null ? '' : `, ${run.objectsWritten} written, ${run.objectsDeleted} deleted`;
  return `#${run.id} ${run.kind} ${run.status} (requested by ${run.requestedBy} at ${run.requestedAt})${range}${counts}${run.error ? `: ${run.error}` : ''}`;
}

/** `mcp-registry builds [id] [--limit N] [--json]`: build history, newest first, or one build. */
export async function run({ io, out, args, options }: CommandContext): Promise<number> {
  const limit = Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new UsageError('--limit must be an integer from 1 to 1000');
  const [id] = args;
  if (id !== undefined && !/^[1-9]\d*$/.test(id)) {
    throw new UsageError('usage: mcp-registry builds [<id>] [--limit N] [--json]');
  }
  const config = loadConfig(io.env);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    if (id !== undefined) {
      const found = await getRun(db.knex, Number(id));
      if (!found) {
        out.info(`error: build ${id} not found`);
        return 1;
      }
      out.result(found);
      out.data(describe(found));
      return 0;
    }
    const runs = await listRuns(db.knex, { limit });
    out.result(runs);
    for (const r of runs) out.data(describe(r));
    if (!out.json && runs.length === 0) out.info('no builds yet');
    return 0;
  } finally {
    await db.close();
  }
}
