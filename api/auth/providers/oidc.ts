import { isDeepStrictEqual } from 'node:util';
import type { AuthConfig } from '../../../core/config-auth.js';
import { createJwtVerifier } from '../proofs/jwt.js';
import { type AuthProvider, ProofFailed } from '../provider.js';
import { oidcBodySchema } from './github-oidc.js';

/**
 * `POST /auth/oidc {oidc_token}`: operators sign in with their organisation's identity provider
 * (OIDC_ISSUER, e.g. Google with `gcloud auth print-identity-token`). The token's audience must be
 * OIDC_AUDIENCE and every claim in OIDC_EXTRA_CLAIMS must equal the configured value (Google's `hd`:
 * the organisation's domain); the token then carries OIDC_PERMISSIONS (default publish and edit on
 * every name). An admin method: blocked namespaces do not stop it.
 */
export function createOidcProvider(
  oidc: NonNullable<AuthConfig['oidc']>,
): AuthProvider<{ oidc_token: string }> {
  const verify = createJwtVerifier({
    issuer: oidc.issuer,
    audience: oidc.audience,
    jwksUrl: oidc.jwksUrl,
    algorithms: ['RS256', 'ES256'],
  });
  return {
    method: 'oidc',
    path: 'oidc',
    bodySchema: oidcBodySchema,
    isAdmin: true,
    failureDetail: 'Token exchange failed',
    async authenticate({ oidc_token }, now) {
      const claims = await verify(oidc_token, now);
      for (const [claim, expected] of Object.entries(oidc.extraClaims)) {
        if (!isDeepStrictEqual(claims[claim], expected)) {
          throw new ProofFailed(`token claim "${claim}" does not have the required value`);
        }
      }
      if (typeof claims.sub !== 'string' || claims.sub === '')
        throw new ProofFailed('token has no sub claim');
      const login = typeof claims.email === 'string' ? claims.email : claims.sub;
      return {
        subject: claims.sub,
        permissions: oidc.permissions,
        identity: `oidc:${claims.sub}`,
        user: { subject: claims.sub, login },
      };
    },
  };
}
