import type { FastifyInstance } from 'fastify';
import type { Config } from '../../core/config.js';
import { lastSucceededRun, listRuns } from '../../db/repositories/builds.js';
import { currentJournalSeq } from '../../db/repositories/journal.js';
import { listQuarantined } from '../../db/repositories/quarantine.js';
import { maxBuiltSeq } from '../../db/repositories/tree-state.js';
import type { WriteContext } from '../services/context.js';

/**
 * GET /health: the database, and the builder as the database sees it (last build, how many journal
 * changes are not yet in the static tree). 503 (the error handler's problem+json, as on every route)
 * only when the database is unreachable: a lagging builder does not stop the API from taking publishes.
 */
export function registerHealthRoutes(app: FastifyInstance, deps: { write: WriteContext; config: Config }) {
  app.get('/health', async (_request, reply) => {
    const knex = deps.write.knex;
    const [journalSeq, builtSeq, [latest], succeeded, quarantined] = await Promise.all([
      currentJournalSeq(knex),
      maxBuiltSeq(knex),
      listRuns(knex, { limit: 1 }),
      lastSucceededRun(knex),
      listQuarantined(knex),
    ]);
    const lag = Math.max(0, journalSeq - builtSeq);
    return reply.send({
      status: latest?.status === 'failed' || quarantined.length > 0 ? 'degraded' : 'ok',
      database: 'ok',
      builder: {
        journalSeq,
        builtSeq,
        lag,
        lastRun: latest
          ? {
              id: latest.id,
              kind: latest.kind,
              status: latest.status,
              finishedAt: latest.finishedAt,
              error: latest.error,
            }
          : null,
        lastSuccessAt: succeeded?.finishedAt ?? null,
        // Servers the builder skips until fixed or released (builder/quarantine.ts).
        quarantined: quarantined.slice(0, 20).map(({ serverName, reason, quarantinedAt }) => ({
          serverName,
          reason,
          quarantinedAt,
        })),
      },
      // The OAuth app the CLI's GitHub device flow signs in with (as the official /v0/health).
      ...(deps.config.auth.github.clientId ? { github_client_id: deps.config.auth.github.clientId } : {}),
    });
  });
  app.get('/ping', async () => ({ pong: true }));
  app.get('/version', async () => ({
    version: deps.config.version.version,
    git_commit: deps.config.version.gitCommit,
    build_time: deps.config.version.buildTime,
  }));
}
