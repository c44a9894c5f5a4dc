import type { Permission } from '../../core/permissions.js';
import type { AuthMethod } from './tokens.js';

/**
 * One sign-in method. The auth route is generic: it parses the body with `bodySchema`, asks the
 * provider who the caller is and what they may do, refuses blocked namespaces, records the sign-in
 * and issues a registry token. Adding GitHub, OIDC, DNS or HTTP sign-in is adding one provider.
 */
export interface AuthProvider<Body = unknown> {
  method: AuthMethod;
  /** Route under /auth/, e.g. `none` → POST /v0/auth/none. */
  path: string;
  /** JSON schema for the request body (Fastify validates it before authenticate runs). */
  bodySchema: Record<string, unknown> | undefined;
  /** Admin methods may be granted blocked namespaces; publisher methods may not. */
  isAdmin: boolean;
  /** Throws a 401 RegistryError with the reason when the proof does not hold. */
  authenticate(body: Body): Promise<AuthGrant>;
}

export interface AuthGrant {
  subject: string;
  permissions: Permission[];
}
