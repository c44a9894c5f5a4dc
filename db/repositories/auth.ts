import { randomBytes } from 'node:crypto';
import type { Queryable } from '../sql.js';

/**
 * The token-signing seed when none is configured: created once, shared by every process on the same
 * database (insert-if-absent, then read, so concurrent first starts agree on one key).
 */
export async function getOrCreateSigningSeed(
  db: Queryable,
  id: 'registry-token' | 'site' = 'registry-token',
): Promise<Uint8Array> {
  await db('signing_keys')
    .insert({
      id,
      algorithm: 'Ed25519',
      private_seed_hex: randomBytes(32).toString('hex'),
      created_at: db.fn.now(),
    })
    .onConflict('id')
    .ignore();
  const row = await db('signing_keys').select('private_seed_hex').where({ id }).first();
  return Uint8Array.from(Buffer.from(String(row.private_seed_hex), 'hex'));
}

/**
 * Records a sign-in; the registry keeps no sessions, only who has used which method. `subject` is
 * the stable id (a GitHub numeric id, an OIDC `sub`, a domain), `login` what it is called today.
 */
export async function recordSignIn(
  db: Queryable,
  method: string,
  subject: string,
  login?: string,
): Promise<void> {
  const now = db.fn.now();
  await db('users')
    .insert({ auth_method: method, subject, login: login ?? null, first_seen_at: now, last_seen_at: now })
    .onConflict(['auth_method', 'subject'])
    .merge({ last_seen_at: now, login: login ?? null });
}

export async function findUser(
  db: Queryable,
  method: string,
  subject: string,
): Promise<{ login: string | null; firstSeenAt: Date } | undefined> {
  const row = await db('users').where({ auth_method: method, subject }).first();
  return row ? { login: row.login ?? null, firstSeenAt: new Date(row.first_seen_at) } : undefined;
}
