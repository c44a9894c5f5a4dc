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

/** Term changes stored by a build that did not live to render them: the terms the index still shows. */
async function pendingTerms(db: Queryable): Promise<Map<string, Map<string, FieldRank>>> {
  const rows = (await db('search_pending').select('server_name', 'rendered_terms')) as {
    server_name: string;
    rendered_terms: Record<string, FieldRank> | string;
  }[];
  return new Map(
    rows.map((r) => {
      const terms = typeof r.rendered_terms === 'string' ? JSON.parse(r.rendered_terms) : r.rendered_terms;
      return [r.server_name, new Map(Object.entries(terms as Record<string, FieldRank>))];
    }),
  );
}

/**
 * Brings the terms of `names` up to date, in one transaction per batch, and returns the servers whose
 * terms changed since the index last rendered them (a publish that leaves every term as it was is
 * not in the result). Each change stays recorded (`search_pending`, in the same transaction) until
 * `settleSearchTerms`: a build killed between this update and writing the index leaves it there,
 * and the next update returns it again (with the terms the index still shows as `before`).
 */
export async function updateSearchTerms(
  db: Queryable,
  names: readonly string[],
): Promise<Map<string, TermChange>> {
  const changes = new Map<string, TermChange>();
  const pending = await pendingTerms(db);
  for (const batch of chunks([...new Set([...names, ...pending.keys()])], 200)) {
    const latest = (await db('server_versions')
      .select('server_name', 'value')
      .whereIn('server_name', batch)
      .andWhereRaw(viewFilterSql('latest'))) as { server_name: string; value: ServerJson }[];
    const current = new Map(latest.map((r) => [r.server_name, serverTerms(r.value)]));
    const stored = (await db('search_terms')
      .select('server_name', 'term', 'field')
      .whereIn('server_name', batch)) as { server_name: string; term: string; field: number }[];
    const storedTerms = new Map<string, Map<string, FieldRank>>();
    for (const row of stored) {
      const terms = storedTerms.get(row.server_name) ?? new Map<string, FieldRank>();
      terms.set(row.term, row.field as FieldRank);
      storedTerms.set(row.server_name, terms);
    }
    const rewrite: string[] = [];
    const fresh: { server_name: string; rendered_terms: string }[] = [];
    for (const name of batch) {
      const now = current.get(name) ?? new Map<string, FieldRank>();
      const before = storedTerms.get(name) ?? new Map<string, FieldRank>();
      if (!sameTerms(before, now)) rewrite.push(name);
      const rendered = pending.get(name) ?? before;
      if (sameTerms(rendered, now)) continue;
      changes.set(name, { before: rendered, after: now });
      if (!pending.has(name))
        fresh.push({ server_name: name, rendered_terms: JSON.stringify(Object.fromEntries(rendered)) });
    }
    if (rewrite.length === 0) continue;
    const rows = rewrite.flatMap((name) =>
      [...(current.get(name) ?? [])].map(([term, field]) => ({ server_name: name, term, field })),
    );
    await db.transaction(async (trx) => {
      await trx('search_terms').whereIn('server_name', rewrite).delete();
      for (const part of chunks(rows, 1000)) await trx('search_terms').insert(part);
      for (const part of chunks(fresh, 1000))
        await trx('search_pending').insert(part).onConflict('server_name').ignore();
      const indexed = rewrite.filter((name) => current.has(name));
      if (indexed.length > 0) await assignDocIds(trx, indexed);
    });
  }
  return changes;
}

/** The index now shows these servers' terms as stored: their pending changes are done. */
export async function settleSearchTerms(db: Queryable, names: Iterable<string>): Promise<void> {
  for (const part of chunks([...names], 1000))
    await db('search_pending').whereIn('server_name', part).delete();
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
