import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { badRequest, forbidden, notFound } from '../../core/errors.js';
import { isValidDomain } from '../../core/namespaces.js';
import {
  type DomainVerification,
  findChallenge,
  listVerifications,
  putChallenge,
  putVerification,
} from '../../db/repositories/domain-verifications.js';
import { inTransaction, query } from '../../db/transaction.js';
import type { DnsResolver } from '../../net/dns.js';
import { FetchRefused } from '../../net/errors.js';
import type { Principal } from '../auth/tokens.js';

/**
 * The domain-verification challenge: a signed-in account (GitHub or admin OIDC: a stable identity)
 * asks to verify a domain and gets a TXT value `mcp-verify=<random>`; once that value is published
 * at the domain's apex, a check stores the verification for that account. From then on each sign-in
 * of the account also grants `<reversed>/*` and `<reversed>.*`, until the verification expires
 * (VERIFICATION_TTL_DAYS after the last successful check; not re-checked in between) or an admin
 * revokes it. A challenge is valid for CHALLENGE_TTL_HOURS; a new request replaces it.
 */
export const CHALLENGE_TTL_HOURS = 24;
export const VERIFICATION_TTL_DAYS = 30;
const PREFIX = 'mcp-verify=';

export interface VerifyContext {
  knex: Knex;
  resolver: DnsResolver;
  now?: () => Date;
}

export interface VerificationView {
  id: number;
  domain: string;
  verified_at: string;
  expires_at: string;
  revoked_at: string | null;
  identity?: string;
  revoked_by?: string | null;
}

export async function requestChallenge(
  ctx: VerifyContext,
  principal: Principal,
  rawDomain: unknown,
): Promise<{ domain: string; txt_record: string; expires_at: string }> {
  const identity = identityOf(principal);
  const domain = parseDomain(rawDomain);
  const now = ctx.now?.() ?? new Date();
  const expiresAt = new Date(now.getTime() + CHALLENGE_TTL_HOURS * 3_600_000);
  const token = randomBytes(24).toString('base64url');
  await query(() => putChallenge(ctx.knex, { identity, domain, token, expiresAt }));
  return { domain, txt_record: `${PREFIX}${token}`, expires_at: expiresAt.toISOString() };
}

export async function checkChallenge(
  ctx: VerifyContext,
  principal: Principal,
  rawDomain: unknown,
): Promise<VerificationView> {
  const identity = identityOf(principal);
  const domain = parseDomain(rawDomain);
  const challenge = await query(() => findChallenge(ctx.knex, identity, domain));
  if (!challenge) {
    throw notFound(
      `No pending verification of ${domain} for this account: request one with POST /verify-domain`,
    );
  }
  let records: string[];
  try {
    records = await ctx.resolver.txt(domain);
  } catch (e) {
    if (e instanceof FetchRefused) throw badRequest('Domain verification failed', [e.message]);
    throw e;
  }
  if (!records.some((r) => r.trim() === `${PREFIX}${challenge.token}`)) {
    throw badRequest('Domain verification failed', [
      `no TXT record at ${domain} holds the value POST /verify-domain returned; publish it at the domain itself and try again`,
    ]);
  }
  const now = ctx.now?.() ?? new Date();
  const expiresAt = new Date(now.getTime() + VERIFICATION_TTL_DAYS * 86_400_000);
  return view(await inTransaction(ctx.knex, (trx) => putVerification(trx, { identity, domain, expiresAt })));
}

export async function myVerifications(ctx: VerifyContext, principal: Principal): Promise<VerificationView[]> {
  const identity = identityOf(principal);
  return (await query(() => listVerifications(ctx.knex, { identity }))).map((v) => view(v));
}

export function view(v: DomainVerification, admin = false): VerificationView {
  return {
    id: v.id,
    domain: v.domain,
    verified_at: v.verifiedAt,
    expires_at: v.expiresAt,
    revoked_at: v.revokedAt,
    ...(admin ? { identity: v.identity, revoked_by: v.revokedBy } : {}),
  };
}

function identityOf(principal: Principal): string {
  if (!principal.identity) {
    throw forbidden(
      'Domain verification needs a sign-in with an account (GitHub or OIDC); DNS, HTTP and anonymous tokens cannot verify domains',
    );
  }
  return principal.identity;
}

function parseDomain(raw: unknown): string {
  const domain = typeof raw === 'string' ? raw.trim().toLowerCase().replace(/\.$/, '') : '';
  if (!isValidDomain(domain) || !domain.includes('.')) {
    throw badRequest('Invalid domain', [
      `'${String(raw).slice(0, 260)}' is not a domain name such as example.com`,
    ]);
  }
  return domain;
}
