import { AppError } from '../../core/errors.js';
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
  /** The 401's `detail` when the proof fails, as the official service words it. */
  failureDetail: string;
  /**
   * Throws ProofFailed (or the network layer's FetchRefused) with the reason when the proof does
   * not hold; the sign-in service turns either into a 401 whose `errors[0].message` is the reason.
   */
  authenticate(body: Body, now: Date): Promise<AuthGrant>;
}

export interface AuthGrant {
  /** `auth_method_sub` of the token: a GitHub login, a domain, an OIDC `sub`. */
  subject: string;
  permissions: Permission[];
  /** The account's stable identity (`github:<id>`, `oidc:<sub>`), when the method has one. */
  identity?: string;
  /** The `users` row: a stable subject (default `subject`) and the name it goes by today. */
  user?: { subject: string; login: string };
}

/** A proof that does not hold; the message is shown to the caller (never a secret in it). */
export class ProofFailed extends AppError {
  constructor(message: string) {
    super('unauthorized', message);
  }
}
