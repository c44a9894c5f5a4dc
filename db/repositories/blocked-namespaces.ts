import { isoTimestamp, type Queryable, toNumber } from '../sql.js';

/** Namespaces blocked by admins (on top of the BLOCKED_NAMESPACES setting). */
export interface BlockedNamespace {
  namespace: string;
  reason: string | null;
  createdBy: string;
  createdAt: string;
}

export async function listBlockedNamespaces(db: Queryable): Promise<BlockedNamespace[]> {
  const rows = await db('blocked_namespaces')
    .select('namespace', 'reason', 'created_by', db.raw(`${isoTimestamp('created_at')} as created_at`))
    .orderBy('namespace');
  return rows.map((r) => ({
    namespace: String(r.namespace),
    reason: r.reason === null ? null : String(r.reason),
    createdBy: String(r.created_by),
    createdAt: String(r.created_at),
  }));
}

export async function blockedNamespaceNames(db: Queryable): Promise<string[]> {
  return (await db('blocked_namespaces').select('namespace')).map((r) => String(r.namespace));
}

export async function putBlockedNamespace(
  db: Queryable,
  entry: { namespace: string; reason: string | null; createdBy: string },
): Promise<void> {
  await db('blocked_namespaces')
    .insert({
      namespace: entry.namespace,
      reason: entry.reason,
      created_by: entry.createdBy,
      created_at: db.fn.now(),
    })
    .onConflict('namespace')
    .merge(['reason']);
}

/** Returns false when the namespace was not blocked. */
export async function deleteBlockedNamespace(db: Queryable, namespace: string): Promise<boolean> {
  return toNumber(await db('blocked_namespaces').where({ namespace }).delete()) > 0;
}
