import type { FastifyInstance } from 'fastify';
import { authenticatePrincipal } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import {
  checkChallenge,
  myVerifications,
  requestChallenge,
  type VerifyContext,
} from '../services/domain-verification.js';

/**
 * The domain-verification challenge for signed-in accounts: `POST /verify-domain {domain}` (the TXT
 * value to publish), `POST /verify-domain/check {domain}`, `GET /verify-domain` (the caller's).
 */
const domainBody = {
  type: 'object',
  required: ['domain'],
  additionalProperties: false,
  properties: { domain: { type: 'string', maxLength: 253 } },
} as const;

export function registerVerifyDomainRoutes(
  app: FastifyInstance,
  deps: { verify: VerifyContext; tokens: TokenService },
) {
  app.post<{ Body: { domain: string } }>(
    '/verify-domain',
    { schema: { body: domainBody } },
    async (request) =>
      requestChallenge(deps.verify, await authenticatePrincipal(request, deps.tokens), request.body.domain),
  );
  app.post<{ Body: { domain: string } }>(
    '/verify-domain/check',
    { schema: { body: domainBody } },
    async (request) =>
      checkChallenge(deps.verify, await authenticatePrincipal(request, deps.tokens), request.body.domain),
  );
  app.get('/verify-domain', async (request) => ({
    verifications: await myVerifications(deps.verify, await authenticatePrincipal(request, deps.tokens)),
  }));
}
