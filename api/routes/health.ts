import type { FastifyInstance } from 'fastify';
import type { Config } from '../../core/config.js';
import type { WriteContext } from '../services/context.js';

export function registerHealthRoutes(app: FastifyInstance, deps: { write: WriteContext; config: Config }) {
  app.get('/health', async (_request, reply) => {
    const database = await deps.write.knex
      .raw('select 1')
      .then(() => 'ok' as const)
      .catch(() => 'unavailable' as const);
    return reply
      .code(database === 'ok' ? 200 : 503)
      .send({ status: database === 'ok' ? 'ok' : 'degraded', database });
  });
  app.get('/ping', async () => ({ pong: true }));
  app.get('/version', async () => ({
    version: deps.config.version.version,
    git_commit: deps.config.version.gitCommit,
    build_time: deps.config.version.buildTime,
  }));
}
