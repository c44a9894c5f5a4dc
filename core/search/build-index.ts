import {
  BUCKET_SIZE,
  type DocBucket,
  type DocRecord,
  type DocStatus,
  docRecord,
  encodeShard,
  type TermPostings,
  type TermShard,
} from './index-format.js';
import { MATCH_SLOTS, matchSlot, type ShortNameTerms, shortNameTerms } from './rank.js';
import { type FieldRank, serverTerms, shardOf } from './text.js';

/**
 * Index building as pure functions: the postings of one shard from (term, field, server, doc) rows
 * (what the builder reads from search_terms), and a whole index in memory from server documents
 * (tests, the benchmark, and any aggregator that wants to index a mirror without a database). Pure
 * and browser-safe.
 */

export interface TermRow {
  term: string;
  field: FieldRank;
  serverName: string;
  doc: number;
}

/** Per-name short-name terms, cached across calls (one entry per server). */
export type ShortNameCache = Map<string, ShortNameTerms>;

/** The postings of the rows' terms, filed by match slot, doc ids ascending. */
export function shardPostings(
  rows: Iterable<TermRow>,
  cache: ShortNameCache = new Map(),
): Map<string, TermPostings> {
  const terms = new Map<string, TermPostings>();
  for (const row of rows) {
    let short = cache.get(row.serverName);
    if (!short) {
      short = shortNameTerms(row.serverName);
      cache.set(row.serverName, short);
    }
    let lists = terms.get(row.term);
    if (!lists) {
      lists = Array.from({ length: MATCH_SLOTS }, () => []);
      terms.set(row.term, lists);
    }
    (lists[matchSlot(row.term, row.field, short)] as number[]).push(row.doc);
  }
  for (const lists of terms.values()) for (const docs of lists) docs.sort((a, b) => a - b);
  return terms;
}

export interface IndexedServer {
  doc: number;
  server: { name: string; version: string; [field: string]: unknown };
  status: DocStatus;
}

export interface MemoryIndex {
  /** Shard prefix → shard. */
  shards: Map<string, TermShard>;
  /** Bucket number → bucket (absent: no indexed doc). */
  buckets: Map<number, DocBucket>;
  servers: number;
}

/** A whole index from server documents (the versions the `latest` view holds), in memory. */
export function buildMemoryIndex(servers: readonly IndexedServer[]): MemoryIndex {
  const rows = new Map<string, TermRow[]>();
  const records = new Map<number, (DocRecord | undefined)[]>();
  for (const { doc, server, status } of servers) {
    for (const [term, field] of serverTerms(server)) {
      const prefix = shardOf(term);
      const list = rows.get(prefix) ?? [];
      list.push({ term, field, serverName: server.name, doc });
      rows.set(prefix, list);
    }
    const bucket = Math.floor(doc / BUCKET_SIZE);
    const docs = records.get(bucket) ?? [];
    docs[doc % BUCKET_SIZE] = docRecord(server, status);
    records.set(bucket, docs);
  }
  const cache: ShortNameCache = new Map();
  const shards = new Map<string, TermShard>();
  for (const prefix of [...rows.keys()].sort())
    shards.set(prefix, encodeShard(shardPostings(rows.get(prefix) as TermRow[], cache)));
  const buckets = new Map<number, DocBucket>();
  for (const [bucket, docs] of records)
    buckets.set(
      bucket,
      Array.from(docs, (record) => record ?? null),
    );
  return { shards, buckets, servers: servers.length };
}
