import type { FastifyInstance } from 'fastify';
import { BUILD_KINDS, type BuildKind, DEFAULT_BUILD_KIND, isBuildKind } from '../../core/builds.js';
import { notFound, unprocessable } from '../../core/errors.js';
import { getRun, listRuns, queueRun } from '../../db/repositories/builds.js';
import { requireAdmin } from '../auth/admin.js';
import { authenticate } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import type { WriteContext } from '../services/context.js';

/**
 * Operator endpoints: queue a build for the builder daemon and look at build history. Admin tokens
 * only (`mcp-registry token --admin`: edit on every name). Blocked namespaces and domain
 * verifications: routes/admin-auth.ts.
 */
/** The one admin check lives in api/auth/admin.ts; re-exported for the routes that import it from here. */
export { requireAdmin };

/** The body is optional (`curl -X POST` queues an incremental build), so it is checked here. */
function buildKind(body: unknown): BuildKind {
  if (body === undefined || body === null) return DEFAULT_BUILD_KIND;
  const kind = typeof body === 'object' ? (body as { kind?: unknown }).kind : body;
  const extra = typeof body === 'object' ? Object.keys(body).filter((k) => k !== 'kind') : [];
  if (kind === undefined && extra.length === 0) return DEFAULT_BUILD_KIND;
  if (isBuildKind(kind) && extra.length === 0) return kind;
  throw unprocessable('validation failed', [
    { message: `body must be {"kind": ${BUILD_KINDS.map((k) => `"${k}"`).join(' | ')}} or empty` },
  ]);
}

export function registerAdminRoutes(
  app: FastifyInstance,
  deps: { write: WriteContext; tokens: TokenService },
) {
  app.post('/admin/builds', async (request, reply) => {
    const actor = await authenticate(request, deps.tokens);
    requireAdmin(actor);
    const id = await queueRun(deps.write.knex, {
      kind: buildKind(request.body),
      requestedBy: actor.id,
    });
    const run = id === undefined ? undefined : await getRun(deps.write.knex, id);
    return reply
      .code(202)
      .header('location', `${request.url.replace(/\/$/, '')}/${id}`)
      .send(run);
  });

  app.get<{ Querystring: { limit?: number; before?: number } }>(
    '/admin/builds',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            before: { type: 'integer', minimum: 1 },
          },
        },
      },
    },
    async (request) => {
      requireAdmin(await authenticate(request, deps.tokens));
      const limit = request.query.limit ?? 20;
      const builds = await listRuns(deps.write.knex, {
        limit,
        ...(request.query.before !== undefined ? { before: request.query.before } : {}),
      });
      const last = builds[builds.length - 1];
      return {
        builds,
        metadata: {
          count: builds.length,
          ...(builds.length === limit && last ? { nextBefore: last.id } : {}),
        },
      };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/admin/builds/:id',
    {
      schema: {
        params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
      },
    },
    async (request) => {
      requireAdmin(await authenticate(request, deps.tokens));
      const run = await getRun(deps.write.knex, request.params.id);
      if (!run) throw notFound(`Build ${request.params.id} not found`);
      return run;
    },
  );
}
