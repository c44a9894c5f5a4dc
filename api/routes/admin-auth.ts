import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from '../../core/errors.js';
import { isValidNamespace } from '../../core/namespaces.js';
import {
  deleteBlockedNamespace,
  listBlockedNamespaces,
  putBlockedNamespace,
} from '../../db/repositories/blocked-namespaces.js';
import { listVerifications, revokeVerification } from '../../db/repositories/domain-verifications.js';
import { query } from '../../db/transaction.js';
import { requireAdmin } from '../auth/admin.js';
import { authenticate } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import type { WriteContext } from '../services/context.js';
import { view } from '../services/domain-verification.js';

/**
 * Admin endpoints for sign-in: blocked namespaces (`GET /admin/blocked-namespaces`, `PUT|DELETE
 * /admin/blocked-namespaces/{namespace}`; the BLOCKED_NAMESPACES setting is listed, read-only) and
 * domain verifications (`GET /admin/verifications`, `DELETE /admin/verifications/{id}` revokes).
 */
const namespaceParams = {
  type: 'object',
  required: ['namespace'],
  properties: { namespace: { type: 'string', maxLength: 200 } },
} as const;

export function registerAdminAuthRoutes(
  app: FastifyInstance,
  deps: { write: WriteContext; tokens: TokenService; configuredBlocked: readonly string[] },
) {
  const knex = deps.write.knex;
  const admin = async (request: Parameters<typeof authenticate>[0]) => {
    const actor = await authenticate(request, deps.tokens);
    requireAdmin(actor);
    return actor;
  };

  app.get('/admin/blocked-namespaces', async (request) => {
    await admin(request);
    return {
      blocked_namespaces: await query(() => listBlockedNamespaces(knex)),
      configured: deps.configuredBlocked,
    };
  });

  app.put<{ Params: { namespace: string }; Body: { reason?: string } | undefined }>(
    '/admin/blocked-namespaces/:namespace',
    {
      schema: {
        params: namespaceParams,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { reason: { type: 'string', maxLength: 500 } },
        },
      },
    },
    async (request) => {
      const actor = await admin(request);
      const namespace = request.params.namespace;
      if (!isValidNamespace(namespace)) {
        throw badRequest('Invalid namespace', [
          `'${namespace}' is not a namespace such as com.example or io.github.octo`,
        ]);
      }
      await query(() =>
        putBlockedNamespace(knex, { namespace, reason: request.body?.reason ?? null, createdBy: actor.id }),
      );
      return (await query(() => listBlockedNamespaces(knex))).find((b) => b.namespace === namespace);
    },
  );

  app.delete<{ Params: { namespace: string } }>(
    '/admin/blocked-namespaces/:namespace',
    { schema: { params: namespaceParams } },
    async (request, reply) => {
      await admin(request);
      if (!(await query(() => deleteBlockedNamespace(knex, request.params.namespace)))) {
        throw notFound(`Namespace ${request.params.namespace} is not blocked by an admin`);
      }
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: { domain?: string } }>(
    '/admin/verifications',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { domain: { type: 'string', maxLength: 253 } },
        },
      },
    },
    async (request) => {
      await admin(request);
      const filter = request.query.domain ? { domain: request.query.domain.toLowerCase() } : {};
      return {
        verifications: (await query(() => listVerifications(knex, filter))).map((v) => view(v, true)),
      };
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/admin/verifications/:id',
    {
      schema: {
        params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
      },
    },
    async (request, reply) => {
      const actor = await admin(request);
      if (!(await query(() => revokeVerification(knex, request.params.id, actor.id)))) {
        throw notFound(`Verification ${request.params.id} not found`);
      }
      return reply.code(204).send();
    },
  );
}
