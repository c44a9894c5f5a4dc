import { type FieldRank, serverTerms } from '../../core/search/text.js';
import type { ServerJson } from '../../core/server-json.js';
import { chunks, type Queryable } from '../sql.js';
import { viewFilterSql } from './list-views.js';

/**
 * The builder's search state: each server's terms (core/search/text.ts `serverTerms` of the version
 * the `latest` view holds; none when it holds none) and each indexed server's stable doc number.
 * A build brings the changed servers up to date and learns which terms came and went, which is what
 * the search index and the `?search=` pages re-render.
 */

export interface TermChange {
  /** Terms (with their best field) before this update. */
  before: Map<string, FieldRank>;
  /** Terms after it: empty when the server is no longer in the `latest` view. */
  after: Map<string, FieldRank>;
}

function sameTerms(a: Map<string, FieldRank>, b: Map<string, FieldRank>): boolean {
  if (a.size !== b.size) return false;
  for (const [term, field] of a) if (b.get(term) !== field) return false;
  return true;
}

/**
 * Brings the terms of `names` up to date, in one transaction per batch. Returns the servers whose
 * terms changed (a publish that leaves every term as it was is not in the result).
 */
export async function updateSearchTerms(
  db: Queryable,
  names: readonly string[],
): Promise<Map<string, TermChange>> {
  const changes = new Map<string, TermChange>();
  for (const batch of chunks(names, 200)) {
    const latest = (await db('server_versions')
      .select('server_name', 'value')
      .whereIn('server_name', batch)
      .andWhereRaw(viewFilterSql('latest'))) as { server_name: string; value: ServerJson }[];
    const current = new Map(latest.map((r) => [r.server_name, serverTerms(r.value)]));
    const stored = (await db('search_terms')
      .select('server_name', 'term', 'field')
      .whereIn('server_name', batch)) as { server_name: string; term: string; field: number }[];
    const before = new Map<string, Map<string, FieldRank>>();
    for (const row of stored) {
      const terms = before.get(row.server_name) ?? new Map<string, FieldRank>();
      terms.set(row.term, row.field as FieldRank);
      before.set(row.server_name, terms);
    }
    const changed: string[] = [];
    for (const name of batch) {
      const change = { before: before.get(name) ?? new Map(), after: current.get(name) ?? new Map() };
      if (sameTerms(change.before, change.after)) continue;
      changes.set(name, change);
      changed.push(name);
    }
    if (changed.length === 0) continue;
    const rows = changed.flatMap((name) =>
      [...(changes.get(name) as TermChange).after].map(([term, field]) => ({
        server_name: name,
        term,
        field,
      })),
    );
    await db.transaction(async (trx) => {
      await trx('search_terms').whereIn('server_name', changed).delete();
      for (const part of chunks(rows, 1000)) await trx('search_terms').insert(part);
      const indexed = changed.filter((name) => current.has(name));
      if (indexed.length > 0) await assignDocIds(trx, indexed);
    });
  }
  return changes;
}

/** Gives each server without one the next doc number; a number once given is never reused. */
async function assignDocIds(db: Queryable, names: readonly string[]): Promise<void> {
  const known = new Set(
    (await db('search_docs').select('server_name').whereIn('server_name', names)).map(
      (r: { server_name: string }) => r.server_name,
    ),
  );
  const fresh = names.filter((name) => !known.has(name));
  if (fresh.length === 0) return;
  const [row] = (await db('search_docs').max({ max: 'doc_id' })) as { max: number | null }[];
  let next = (row?.max ?? -1) + 1;
  await db('search_docs').insert(fresh.map((name) => ({ server_name: name, doc_id: next++ })));
}

/** Every server name with a version, in batches (a full build brings all of them up to date). */
export async function* allServerNames(db: Queryable, size = 1000): AsyncGenerator<string[]> {
  let after = '';
  for (;;) {
    const rows = (await db('servers')
      .select('name')
      .whereRaw('name collate "C" > ?', [after])
      .orderByRaw('name collate "C"')
      .limit(size)) as { name: string }[];
    if (rows.length > 0) yield rows.map((r) => r.name);
    if (rows.length < size) return;
    after = (rows[rows.length - 1] as { name: string }).name;
  }
}
