import {
  BUCKET_SIZE,
  type DocBucket,
  type DocRecord,
  type DocStatus,
  docRecord,
  encodeShard,
  type TermPostings,
  type TermShard,
  termPostings,
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

/** One server's change of terms, with its doc number (the builder's change map, per server). */
export interface DocTermChange {
  doc: number;
  serverName: string;
  before: ReadonlyMap<string, FieldRank>;
  after: ReadonlyMap<string, FieldRank>;
}

function withoutDoc(list: number[], doc: number): void {
  const at = list.indexOf(doc);
  if (at >= 0) list.splice(at, 1);
}

function withDoc(list: number[], doc: number): void {
  let at = list.length;
  while (at > 0 && (list[at - 1] as number) > doc) at--;
  if (list[at - 1] !== doc) list.splice(at, 0, doc);
}

/**
 * The shard of `prefix` after `changes`: each changed doc leaves every posting list of the terms it
 * had and joins the list of its slot for the terms it has, other terms keep their encoded lists.
 * The same bytes as encoding the shard afresh from the stored terms (a publish reads the current
 * shard instead of every row of a frequent prefix).
 */
export function patchShard(
  shard: TermShard,
  prefix: string,
  changes: Iterable<DocTermChange>,
  cache: ShortNameCache = new Map(),
): TermShard {
  const touched = new Map<string, TermPostings>();
  const listsOf = (term: string): TermPostings => {
    let lists = touched.get(term);
    if (!lists) {
      lists = termPostings(shard, term);
      while (lists.length < MATCH_SLOTS) lists.push([]);
      touched.set(term, lists);
    }
    return lists;
  };
  for (const change of changes) {
    for (const term of change.before.keys())
      if (shardOf(term) === prefix) for (const list of listsOf(term)) withoutDoc(list, change.doc);
    for (const [term, field] of change.after) {
      if (shardOf(term) !== prefix) continue;
      let short = cache.get(change.serverName);
      if (!short) {
        short = shortNameTerms(change.serverName);
        cache.set(change.serverName, short);
      }
      withDoc(listsOf(term)[matchSlot(term, field, short)] as number[], change.doc);
    }
  }
  const patched = encodeShard(touched);
  const out: TermShard = {};
  for (const term of [...new Set([...Object.keys(shard), ...touched.keys()])].sort()) {
    const lists = touched.has(term) ? patched[term] : shard[term];
    if (lists) out[term] = lists;
  }
  return out;
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
