import type { FastifyInstance } from 'fastify';
import type { AuthProvider } from '../auth/provider.js';
import { type SignInContext, signIn } from '../services/sign-in.js';

/** `POST /auth/<method>` for every configured provider; the policy is the sign-in service's. */
export function registerAuthRoutes(
  app: FastifyInstance,
  deps: { signIn: SignInContext; providers: readonly AuthProvider[] },
) {
  for (const provider of deps.providers) {
    app.post(
      `/auth/${provider.path}`,
      { schema: provider.bodySchema ? { body: provider.bodySchema } : {} },
      async (request) => signIn(deps.signIn, provider, request.body),
    );
  }
}
