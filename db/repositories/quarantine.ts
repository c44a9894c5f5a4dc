import { isoTimestamp, type Queryable, toNumber } from '../sql.js';

/** Servers the builder could not render, per target (builder/quarantine.ts decides; this stores). */
export interface QuarantinedServer {
  serverName: string;
  /** The server's newest journal position when it failed: a change after it is retried. */
  seq: number;
  reason: string;
  quarantinedAt: string;
}

export async function listQuarantined(db: Queryable, target?: string): Promise<QuarantinedServer[]> {
  const query = db('quarantined_servers')
    .select('server_name', 'seq', 'reason', db.raw(`${isoTimestamp('quarantined_at')} as quarantined_at`))
    .orderBy('server_name');
  if (target !== undefined) query.where({ target });
  const rows = (await query) as {
    server_name: string;
    seq: string | number;
    reason: string;
    quarantined_at: string;
  }[];
  return rows.map((r) => ({
    serverName: r.server_name,
    seq: toNumber(r.seq),
    reason: r.reason,
    quarantinedAt: r.quarantined_at,
  }));
}

export async function quarantine(
  db: Queryable,
  target: string,
  entry: { serverName: string; seq: number; reason: string },
): Promise<void> {
  await db('quarantined_servers')
    .insert({
      target,
      server_name: entry.serverName,
      seq: entry.seq,
      reason: entry.reason,
      quarantined_at: db.fn.now(),
    })
    .onConflict(['target', 'server_name'])
    .merge(['seq', 'reason', 'quarantined_at']);
}

/** Releases a server on one target (its render succeeded) or on every target (an operator). */
export async function release(db: Queryable, serverName: string, target?: string): Promise<number> {
  const query = db('quarantined_servers').where({ server_name: serverName });
  if (target !== undefined) query.andWhere({ target });
  return query.delete();
}
