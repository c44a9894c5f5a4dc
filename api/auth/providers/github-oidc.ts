import type { AuthConfig } from '../../../core/config-auth.js';
import { githubPermissions } from '../../../core/namespaces.js';
import { createJwtVerifier } from '../proofs/jwt.js';
import { type AuthProvider, ProofFailed } from '../provider.js';

/**
 * `POST /auth/github-oidc {oidc_token}`: a GitHub Actions OIDC token requested with audience
 * `mcp-registry`. RS256 only, against the issuer's JWKS; the workflow may publish into
 * `io.github.<repository_owner>/*` (the whole owner, so monorepos work).
 */
export const GITHUB_OIDC_AUDIENCE = 'mcp-registry';

export function createGitHubOidcProvider(auth: AuthConfig): AuthProvider<{ oidc_token: string }> {
  const verify = createJwtVerifier({
    issuer: auth.githubOidc.issuer,
    audience: GITHUB_OIDC_AUDIENCE,
    jwksUrl: auth.githubOidc.jwksUrl,
    algorithms: ['RS256'],
  });
  return {
    method: 'github-oidc',
    path: 'github-oidc',
    bodySchema: oidcBodySchema,
    isAdmin: false,
    failureDetail: 'Token exchange failed',
    async authenticate({ oidc_token }, now) {
      const claims = await verify(oidc_token, now);
      const owner = claims.repository_owner;
      if (typeof owner !== 'string' || owner === '')
        throw new ProofFailed('token has no repository_owner claim');
      const permissions = githubPermissions([owner]);
      if (!permissions) throw new ProofFailed('repository_owner is not a valid GitHub name');
      const ownerId = claims.repository_owner_id;
      const subject = typeof claims.sub === 'string' ? claims.sub : owner;
      return {
        subject,
        permissions,
        ...(typeof ownerId === 'string' || typeof ownerId === 'number'
          ? { identity: `github:${ownerId}` }
          : {}),
        user: { subject, login: owner },
      };
    },
  };
}

export const oidcBodySchema = {
  type: 'object',
  required: ['oidc_token'],
  properties: { oidc_token: { type: 'string', minLength: 1, maxLength: 16_384 } },
} as const;
