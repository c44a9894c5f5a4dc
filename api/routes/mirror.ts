import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.js';
import { loadMirrorState } from '../../db/repositories/mirror.js';
import { listMirrorRuns } from '../../db/repositories/mirror-runs.js';
import { upstreamBase } from '../../mirror/upstream.js';
import { authenticate } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import type { WriteContext } from '../services/context.js';
import { requireAdmin } from './admin.js';

/** GET /admin/mirror: the replica's upstream, where its crawl stands, and its recent syncs (admins). */
export function registerMirrorRoutes(
  app: FastifyInstance,
  deps: { write: WriteContext; tokens: TokenService },
) {
  app.get('/admin/mirror', async (request) => {
    requireAdmin(await authenticate(request, deps.tokens));
    const mirror = deps.write.mirror;
    if (!mirror) throw notFound('This registry is not a mirror (MIRROR_UPSTREAM is not set)');
    const upstream = upstreamBase(mirror.upstream);
    const state = await loadMirrorState(deps.write.knex, upstream);
    const syncs = await listMirrorRuns(deps.write.knex, 20);
    return {
      upstream,
      localNamespaces: mirror.localNamespaces,
      highWater: state.highWater,
      lastSuccessAt: state.lastSuccessAt,
      crawl: state.crawl ?? null,
      syncs,
    };
  });
}
