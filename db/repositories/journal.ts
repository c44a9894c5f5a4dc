import type { Knex } from 'knex';
import { isoTimestamp, type Queryable, toNumber } from '../sql.js';

export type JournalKind = 'publish' | 'status' | 'edit' | 'mirror';

export interface JournalPosition {
  seq: number;
  /** RFC 3339 UTC with microseconds; strictly increasing with seq. */
  at: string;
}

export interface JournalEntry {
  seq: number;
  at: string;
  kind: JournalKind;
  serverName: string;
  /** null when the change touched every version of the server. */
  version: string | null;
  actor: string;
  detail: Record<string, unknown>;
}

/**
 * Claims the next journal position. Call it as late as possible in a write transaction: it holds the
 * single journal-head row lock until commit, which is what makes commit order equal journal order.
 * The timestamp is strictly increasing, so `updatedAt` order and seq order agree.
 */
/**
 * Claims the next position: the one statement that defines journal order. Every writer (the
 * general path below and the single-statement publish) uses exactly this text.
 */
export const NEXT_JOURNAL_POSITION_SQL = `update journal_head
    set seq = seq + 1, at = greatest(clock_timestamp(), at + interval '1 microsecond')
  returning seq, at`;

export async function reserveJournalPosition(trx: Knex.Transaction): Promise<JournalPosition> {
  const result = await trx.raw(
    `with h as (${NEXT_JOURNAL_POSITION_SQL}) select seq, ${isoTimestamp('at')} as at from h`,
  );
  const row = (result as { rows: { seq: string | number; at: string }[] }).rows[0];
  if (!row) throw new Error('journal_head row is missing (migrations not applied?)');
  return { seq: toNumber(row.seq), at: row.at };
}

export async function insertJournalEntry(trx: Knex.Transaction, entry: JournalEntry): Promise<void> {
  await trx('journal').insert({
    seq: entry.seq,
    at: entry.at,
    kind: entry.kind,
    server_name: entry.serverName,
    version: entry.version,
    actor: entry.actor,
    detail: JSON.stringify(entry.detail),
  });
}

export async function currentJournalSeq(db: Queryable): Promise<number> {
  const row = await db('journal_head').select('seq').first();
  return toNumber(row?.seq ?? 0);
}

export async function readJournal(db: Queryable, afterSeq: number, limit: number): Promise<JournalEntry[]> {
  const rows = await db('journal')
    .select(db.raw(`seq, ${isoTimestamp('at')} as at, kind, server_name, version, actor, detail`))
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit);
  return rows.map(
    (r: {
      seq: string | number;
      at: string;
      kind: JournalKind;
      server_name: string;
      version: string | null;
      actor: string;
      detail: Record<string, unknown>;
    }) => ({
      seq: toNumber(r.seq),
      at: r.at,
      kind: r.kind,
      serverName: r.server_name,
      version: r.version,
      actor: r.actor,
      detail: r.detail,
    }),
  );
}
