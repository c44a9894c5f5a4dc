import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { ed25519KeyFromSeed } from '../../core/crypto.js';
import { unauthorized } from '../../core/errors.js';
import type { Permission } from '../../core/permissions.js';

/**
 * Registry tokens, as the official registry issues them: EdDSA (Ed25519) JWTs, issuer
 * `mcp-registry`, five minutes, with `auth_method`, `auth_method_sub` and `permissions` claims.
 * Stateless: there are no sessions to revoke; a token simply expires.
 */
export const TOKEN_ISSUER = 'mcp-registry';
export const TOKEN_TTL_SECONDS = 300;

/** The official methods, and `operator` for tokens minted by `mcp-registry token`. */
export type AuthMethod = 'github-at' | 'github-oidc' | 'oidc' | 'dns' | 'http' | 'none' | 'operator';

export interface Principal {
  authMethod: AuthMethod;
  authMethodSub: string;
  permissions: Permission[];
  /**
   * The account behind the token when the method has one with a stable id (`github:<numeric id>`,
   * `oidc:<sub>`): what domain verifications belong to. An extra claim (`identity`); official
   * clients ignore claims they do not know.
   */
  identity?: string | undefined;
}

export interface TokenResponse {
  registry_token: string;
  expires_at: number;
}

export interface TokenService {
  issue(principal: Principal, now?: Date): Promise<TokenResponse>;
  /** Verifies signature, issuer and expiry; throws a 401 RegistryError otherwise. */
  verify(token: string, now?: Date): Promise<Principal>;
}

export function createTokenService(seed: Uint8Array): TokenService {
  const { privateKey, publicKey } = ed25519KeyFromSeed(seed);
  return {
    async issue(principal, now = new Date()) {
      const iat = Math.floor(now.getTime() / 1000);
      const exp = iat + TOKEN_TTL_SECONDS;
      const token = await new SignJWT({
        auth_method: principal.authMethod,
        auth_method_sub: principal.authMethodSub,
        permissions: principal.permissions,
        ...(principal.identity ? { identity: principal.identity } : {}),
      })
        .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
        .setIssuer(TOKEN_ISSUER)
        .setIssuedAt(iat)
        .setNotBefore(iat)
        .setExpirationTime(exp)
        .sign(privateKey);
      return { registry_token: token, expires_at: exp };
    },

    async verify(token, now = new Date()) {
      try {
        const { payload } = await jwtVerify(token, publicKey, {
          algorithms: ['EdDSA'],
          issuer: TOKEN_ISSUER,
          requiredClaims: ['exp'],
          currentDate: now,
        });
        return toPrincipal(payload);
      } catch (err) {
        const expired = err instanceof joseErrors.JWTExpired;
        throw unauthorized('Invalid or expired Registry JWT token', [
          expired ? 'token has expired' : 'token signature or claims are invalid',
        ]);
      }
    },
  };
}

function toPrincipal(payload: Record<string, unknown>): Principal {
  const perms = payload.permissions;
  if (
    typeof payload.auth_method !== 'string' ||
    typeof payload.auth_method_sub !== 'string' ||
    !Array.isArray(perms) ||
    !perms.every(
      (p) =>
        p !== null &&
        typeof p === 'object' &&
        (p.action === 'publish' || p.action === 'edit') &&
        typeof p.resource === 'string',
    )
  ) {
    throw new Error('malformed registry token claims');
  }
  return {
    authMethod: payload.auth_method as AuthMethod,
    authMethodSub: payload.auth_method_sub,
    permissions: perms.map((p: Permission) => ({ action: p.action, resource: p.resource })),
    ...(typeof payload.identity === 'string' ? { identity: payload.identity } : {}),
  };
}

/** `Authorization: Bearer <token>`, the prefix matched case-insensitively as the official service does. */
export function parseBearer(header: string | undefined): string {
  if (!header) throw unauthorized('Authorization header is required', ['missing Authorization header']);
  const match = /^bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw unauthorized("Invalid Authorization header format. Expected 'Bearer <token>'");
  return match[1];
}
