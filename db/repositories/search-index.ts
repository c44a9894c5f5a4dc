import type { Queryable } from '../sql.js';
import { viewFilterSql } from './list-views.js';

/**
 * Reads for the static search index (builder/search-index.ts): the rows of one term shard, the
 * indexed servers of a range of doc numbers, and counts. The state itself is kept by
 * search-terms.ts `updateSearchTerms`.
 */

export interface ShardRow {
  term: string;
  field: number;
  server_name: string;
  doc_id: number;
}

/** The first string after every string that starts with `prefix`, in byte (code point) order. */
function prefixEnd(prefix: string): string {
  const points = [...prefix];
  const last = points.pop() as string;
  return points.join('') + String.fromCodePoint((last.codePointAt(0) as number) + 1);
}

/** Every (term, server) of the terms starting with `prefix`, with the server's doc number. */
export async function shardRows(db: Queryable, prefix: string): Promise<ShardRow[]> {
  return (await db('search_terms as t')
    .join('search_docs as d', 'd.server_name', 't.server_name')
    .select('t.term', 't.field', 't.server_name', 'd.doc_id')
    .whereRaw('t.term collate "C" >= ? and t.term collate "C" < ?', [
      prefix,
      prefixEnd(prefix),
    ])) as ShardRow[];
}

/** The shard prefixes (first two code points) of every stored term. */
export async function allShardPrefixes(db: Queryable): Promise<string[]> {
  const rows = (await db('search_terms').distinct(db.raw('left(term, 2) as prefix'))) as { prefix: string }[];
  return rows.map((r) => r.prefix);
}

export interface IndexedServerRow {
  doc_id: number;
  server_name: string;
  /** The server.json of the version the `latest` view holds. */
  value: { name: string; version: string; [field: string]: unknown };
  status: 'active' | 'deprecated';
}

/** Servers with a doc number in [from, to) whose latest version is in the `latest` view. */
export async function indexedServers(db: Queryable, from: number, to: number): Promise<IndexedServerRow[]> {
  return (await db('search_docs as d')
    .join('server_versions as v', 'v.server_name', 'd.server_name')
    .select('d.doc_id', 'd.server_name', 'v.value', 'v.status')
    .where('d.doc_id', '>=', from)
    .andWhere('d.doc_id', '<', to)
    .andWhereRaw(viewFilterSql('latest').replace(/\b(is_latest|status)\b/g, 'v.$1'))
    .orderBy('d.doc_id')) as IndexedServerRow[];
}

/** The doc numbers of `names` that have one. */
export async function docIdsOf(db: Queryable, names: readonly string[]): Promise<number[]> {
  if (names.length === 0) return [];
  const rows = (await db('search_docs').select('doc_id').whereIn('server_name', names)) as {
    doc_id: number;
  }[];
  return rows.map((r) => r.doc_id);
}

/** One past the highest doc number given (0 when none). */
export async function docIdLimit(db: Queryable): Promise<number> {
  const [row] = (await db('search_docs').max({ max: 'doc_id' })) as { max: number | null }[];
  return row?.max === null || row?.max === undefined ? 0 : Number(row.max) + 1;
}

/** How many servers the index holds: a doc number and a version in the `latest` view. */
export async function countIndexedServers(db: Queryable): Promise<number> {
  const [row] = (await db('search_docs as d')
    .join('server_versions as v', 'v.server_name', 'd.server_name')
    .whereRaw(viewFilterSql('latest').replace(/\b(is_latest|status)\b/g, 'v.$1'))
    .count({ n: '*' })) as { n: number | string }[];
  return Number(row?.n ?? 0);
}
