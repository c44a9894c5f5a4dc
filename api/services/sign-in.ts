import type { Knex } from 'knex';
import { forbidden, unauthorized } from '../../core/errors.js';
import { domainPermissions } from '../../core/namespaces.js';
import { isBlockedPattern, type Permission } from '../../core/permissions.js';
import { recordSignIn } from '../../db/repositories/auth.js';
import { blockedNamespaceNames } from '../../db/repositories/blocked-namespaces.js';
import { activeDomains } from '../../db/repositories/domain-verifications.js';
import { query } from '../../db/transaction.js';
import { FetchRefused } from '../../net/errors.js';
import { type AuthGrant, type AuthProvider, ProofFailed } from '../auth/provider.js';
import type { TokenResponse, TokenService } from '../auth/tokens.js';
import type { Actor } from './context.js';

/**
 * The sign-in policy, whatever the method: the provider proves who the caller is; the domains that
 * account has verified are added; a token reaching into a blocked namespace (the setting or the
 * admins' list) is refused unless the method is an admin one; the sign-in is recorded; a registry
 * token is issued. Blocked namespaces are checked again at publish (`assertNotBlocked`), so a
 * namespace blocked after a token was issued cannot be published into with it.
 */
export interface SignInContext {
  knex: Knex;
  tokens: TokenService;
  /** BLOCKED_NAMESPACES (the database list is read on every check). */
  blockedNamespaces: readonly string[];
  now?: () => Date;
}

export const BLOCKED_MESSAGE =
  'your namespace is blocked. raise an issue with the registry operators if you think this is a mistake';

export async function signIn(
  ctx: SignInContext,
  provider: AuthProvider,
  body: unknown,
): Promise<TokenResponse> {
  const now = ctx.now?.() ?? new Date();
  const grant = await prove(provider, body, now);
  const verified = grant.identity ? await query(() => activeDomains(ctx.knex, grant.identity as string)) : [];
  const permissions = unique([
    ...grant.permissions,
    ...verified.flatMap((domain) => domainPermissions(domain, { subdomains: true })),
  ]);
  if (!provider.isAdmin) {
    const blocked = await blockedNamespaces(ctx);
    if (permissions.some((p) => isBlockedPattern(p.resource, blocked))) {
      throw unauthorized(provider.failureDetail, [BLOCKED_MESSAGE]);
    }
  }
  const user = grant.user ?? { subject: grant.subject, login: grant.subject };
  await query(() => recordSignIn(ctx.knex, provider.method, user.subject, user.login));
  return ctx.tokens.issue(
    { authMethod: provider.method, authMethodSub: grant.subject, permissions, identity: grant.identity },
    now,
  );
}

/** A failed proof is a 401 with the provider's detail and the reason in `errors[0].message`. */
async function prove(provider: AuthProvider, body: unknown, now: Date): Promise<AuthGrant> {
  try {
    return await provider.authenticate(body, now);
  } catch (e) {
    if (e instanceof ProofFailed || e instanceof FetchRefused)
      throw unauthorized(provider.failureDetail, [e.message]);
    throw e;
  }
}

export async function blockedNamespaces(ctx: {
  knex: Knex;
  blockedNamespaces: readonly string[];
}): Promise<string[]> {
  return [...ctx.blockedNamespaces, ...(await query(() => blockedNamespaceNames(ctx.knex)))];
}

/** At publish: refuses a name in a blocked namespace, unless the actor may publish every name. */
export async function assertNotBlocked(
  ctx: { knex: Knex; blockedNamespaces?: readonly string[] },
  name: string,
  actor: Actor,
): Promise<void> {
  if (actor.permissions.some((p) => p.action === 'publish' && p.resource === '*')) return;
  const blocked = await blockedNamespaces({ knex: ctx.knex, blockedNamespaces: ctx.blockedNamespaces ?? [] });
  if (isBlockedPattern(name, blocked)) throw forbidden(BLOCKED_MESSAGE);
}

function unique(permissions: Permission[]): Permission[] {
  const seen = new Set<string>();
  return permissions.filter((p) => {
    const key = `${p.action} ${p.resource}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
