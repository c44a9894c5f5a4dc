import type { FastifyInstance } from 'fastify';
import { unauthorized } from '../../core/errors.js';
import { isBlockedPattern } from '../../core/permissions.js';
import { recordSignIn } from '../../db/repositories/auth.js';
import { query } from '../../db/transaction.js';
import type { AuthProvider } from '../auth/provider.js';
import type { TokenService } from '../auth/tokens.js';
import type { WriteContext } from '../services/context.js';

export function registerAuthRoutes(
  app: FastifyInstance,
  deps: {
    write: WriteContext;
    tokens: TokenService;
    providers: readonly AuthProvider[];
    blockedNamespaces: readonly string[];
  },
) {
  for (const provider of deps.providers) {
    app.post(
      `/auth/${provider.path}`,
      { schema: provider.bodySchema ? { body: provider.bodySchema } : {} },
      async (request) => {
        const grant = await provider.authenticate(request.body);
        if (
          !provider.isAdmin &&
          grant.permissions.some((p) => isBlockedPattern(p.resource, deps.blockedNamespaces))
        ) {
          throw unauthorized('Token exchange failed', [
            'your namespace is blocked. raise an issue with the registry operators if you think this is a mistake',
          ]);
        }
        await query(() => recordSignIn(deps.write.knex, provider.method, grant.subject));
        return deps.tokens.issue({
          authMethod: provider.method,
          authMethodSub: grant.subject,
          permissions: grant.permissions,
        });
      },
    );
  }
}
