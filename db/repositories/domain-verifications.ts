import { isoTimestamp, type Queryable, toNumber } from '../sql.js';

/**
 * The domain-verification challenge's state: pending challenges (one per identity and domain, a new
 * request replaces the old one) and verifications (expiring, revocable by an admin). An identity is
 * a provider and a stable subject, e.g. `github:1234567`.
 */
export interface DomainVerification {
  id: number;
  identity: string;
  domain: string;
  verifiedAt: string;
  expiresAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
}

export async function putChallenge(
  db: Queryable,
  challenge: { identity: string; domain: string; token: string; expiresAt: Date },
): Promise<void> {
  await db('domain_challenges')
    .insert({
      identity: challenge.identity,
      domain: challenge.domain,
      token: challenge.token,
      created_at: db.fn.now(),
      expires_at: challenge.expiresAt,
    })
    .onConflict(['identity', 'domain'])
    .merge(['token', 'created_at', 'expires_at']);
}

/** The caller's pending, unexpired challenge for a domain. */
export async function findChallenge(
  db: Queryable,
  identity: string,
  domain: string,
): Promise<{ token: string } | undefined> {
  const row = await db('domain_challenges')
    .select('token')
    .where({ identity, domain })
    .andWhere('expires_at', '>', db.fn.now())
    .first();
  return row ? { token: String(row.token) } : undefined;
}

/** Stores (or renews) a verification and consumes the challenge, in one transaction by the caller. */
export async function putVerification(
  db: Queryable,
  verification: { identity: string; domain: string; expiresAt: Date },
): Promise<DomainVerification> {
  await db('domain_verifications')
    .insert({
      identity: verification.identity,
      domain: verification.domain,
      verified_at: db.fn.now(),
      expires_at: verification.expiresAt,
    })
    .onConflict(['identity', 'domain'])
    .merge({
      verified_at: db.fn.now(),
      expires_at: verification.expiresAt,
      revoked_at: null,
      revoked_by: null,
    });
  await db('domain_challenges')
    .where({ identity: verification.identity, domain: verification.domain })
    .delete();
  const [row] = await listVerifications(db, { identity: verification.identity, domain: verification.domain });
  if (!row) throw new Error('verification vanished after insert');
  return row;
}

export async function listVerifications(
  db: Queryable,
  filter: { identity?: string; domain?: string; limit?: number } = {},
): Promise<DomainVerification[]> {
  const query = db('domain_verifications')
    .select(
      'id',
      'identity',
      'domain',
      db.raw(`${isoTimestamp('verified_at')} as verified_at`),
      db.raw(`${isoTimestamp('expires_at')} as expires_at`),
      db.raw(`case when revoked_at is null then null else ${isoTimestamp('revoked_at')} end as revoked_at`),
      'revoked_by',
    )
    .orderBy('id', 'asc')
    .limit(filter.limit ?? 1000);
  if (filter.identity !== undefined) query.where({ identity: filter.identity });
  if (filter.domain !== undefined) query.where({ domain: filter.domain });
  const rows = await query;
  return rows.map((r) => ({
    id: toNumber(r.id),
    identity: String(r.identity),
    domain: String(r.domain),
    verifiedAt: String(r.verified_at),
    expiresAt: String(r.expires_at),
    revokedAt: r.revoked_at === null ? null : String(r.revoked_at),
    revokedBy: r.revoked_by === null ? null : String(r.revoked_by),
  }));
}

/** Domains an identity holds now: verified, not revoked, not expired. */
export async function activeDomains(db: Queryable, identity: string): Promise<string[]> {
  const rows = await db('domain_verifications')
    .select('domain')
    .where({ identity })
    .whereNull('revoked_at')
    .andWhere('expires_at', '>', db.fn.now())
    .orderBy('domain');
  return rows.map((r) => String(r.domain));
}

/** Returns false when there is no such verification. */
export async function revokeVerification(db: Queryable, id: number, by: string): Promise<boolean> {
  const changed = await db('domain_verifications')
    .where({ id })
    .update({ revoked_at: db.fn.now(), revoked_by: by });
  return toNumber(changed) > 0;
}
