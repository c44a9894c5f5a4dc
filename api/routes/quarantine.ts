import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.js';
import { queueRun } from '../../db/repositories/builds.js';
import { listQuarantined, release } from '../../db/repositories/quarantine.js';
import { authenticate } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import type { WriteContext } from '../services/context.js';
import { requireAdmin } from './admin.js';
import { nameParams, parseServerName } from './params.js';

/**
 * Servers the builder quarantined (builder/quarantine.ts): list them, or release one after fixing
 * what made it fail. Releasing queues a full build, which renders the server again (and quarantines
 * it again if it still fails). Admin tokens only.
 */
export function registerQuarantineRoutes(
  app: FastifyInstance,
  deps: { write: WriteContext; tokens: TokenService },
) {
  app.get('/admin/quarantine', async (request) => {
    requireAdmin(await authenticate(request, deps.tokens));
    return { servers: await listQuarantined(deps.write.knex) };
  });

  app.delete<{ Params: { serverName: string } }>(
    '/admin/quarantine/:serverName',
    { schema: { params: nameParams } },
    async (request, reply) => {
      const name = parseServerName(request.params.serverName);
      const actor = await authenticate(request, deps.tokens);
      requireAdmin(actor);
      const released = await release(deps.write.knex, name);
      if (released === 0) throw notFound('This server is not quarantined');
      const build = await queueRun(deps.write.knex, { kind: 'full', requestedBy: actor.id });
      return reply.code(202).send({ released: name, build });
    },
  );
}
