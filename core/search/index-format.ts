import type { SearchableServer } from './text.js';

/**
 * The static search index's objects, as bytes on the wire: what the builder writes
 * (builder/search-index.ts) and what any reader decodes (client/search.ts, an aggregator). Pure and
 * browser-safe: imports nothing that needs Node.
 *
 * - `search/index.json` (mutable, short cache: the manifest): `{ format, servers, bucketSize,
 *   shards: { prefix: stem }, buckets: [hash | null] }`. A term shard's key is
 *   `search/terms/{stem}.json`; doc bucket `i`'s key is `search/docs/{i}.{hash}.json`.
 * - A term shard (immutable, content-addressed): every term whose first two code points are the
 *   shard's prefix → its posting lists, one per match slot (core/search/rank.ts: 0 the whole short
 *   name … 6 remote host), trailing empty lists dropped: `{ "weather": ["A", "", "BAC"] }`. A list is its doc ids ascending, as gaps
 *   (first id, then id − previous − 1) in a base64url VLQ: five bits per character, low bits
 *   first, a character ≥ 32 continues the number. Dense lists cost one character per doc.
 * - A doc bucket (immutable, content-addressed): the records of docs `i × bucketSize …` in doc order,
 *   `null` for a number no longer indexed, trailing nulls dropped.
 */

export const SEARCH_FORMAT = 1;
/** Docs per bucket: a page of ten hits fetches at most ten buckets of this many records. */
export const BUCKET_SIZE = 64;
export const SEARCH_MANIFEST_KEY = 'search/index.json';

export interface SearchManifest {
  format: number;
  /** Servers in the index. */
  servers: number;
  bucketSize: number;
  /** Shard prefix (two code points) → the file stem of its term shard. */
  shards: Record<string, string>;
  /** Bucket number → content hash of its doc bucket; null when the bucket holds no indexed doc. */
  buckets: (string | null)[];
}

/** A package as a result shows it: enough to say how to install the server. */
export interface DocPackage {
  registryType: string;
  identifier: string;
  version?: string;
  runtimeHint?: string;
  /** The transport's type (`stdio`, `streamable-http`, `sse`). */
  transport?: string;
}

export interface DocRemote {
  type: string;
  url: string;
}

export type DocStatus = 'active' | 'deprecated';

/** One indexed server, as a bucket stores it: `[name, title, description, version, status, packages, remotes]`. */
export type DocRecord = [
  name: string,
  title: string | null,
  description: string | null,
  version: string,
  status: DocStatus,
  packages: DocPackage[],
  remotes: DocRemote[],
];

/** A term shard as stored: term → posting lists by match slot (encoded). */
export type TermShard = Record<string, string[]>;

/** A doc bucket as stored. */
export type DocBucket = (DocRecord | null)[];

const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUE = new Map([...DIGITS].map((c, i) => [c, i]));

function appendNumber(out: string[], n: number): void {
  let rest = n;
  do {
    const low = rest % 32;
    rest = Math.floor(rest / 32);
    out.push(DIGITS[rest > 0 ? low + 32 : low] as string);
  } while (rest > 0);
}

/**
 * Ascending doc ids as a posting string.
 *
 * @example encodePostings([0, 1, 2, 40]) // 'AAAlB'
 */
export function encodePostings(ids: readonly number[]): string {
  const out: string[] = [];
  let previous = -1;
  for (const id of ids) {
    if (!Number.isSafeInteger(id) || id <= previous) throw new RangeError('doc ids must ascend');
    appendNumber(out, id - previous - 1);
    previous = id;
  }
  return out.join('');
}

/**
 * The doc ids of a posting string; throws on a character outside the alphabet or a cut number.
 *
 * @example decodePostings('AAAlB') // [0, 1, 2, 40]
 */
export function decodePostings(text: string): number[] {
  const ids: number[] = [];
  let previous = -1;
  let value = 0;
  let scale = 1;
  for (const c of text) {
    const digit = VALUE.get(c);
    if (digit === undefined) throw new RangeError(`not a posting character: ${JSON.stringify(c)}`);
    value += (digit % 32) * scale;
    if (digit >= 32) {
      scale *= 32;
      continue;
    }
    previous += value + 1;
    ids.push(previous);
    value = 0;
    scale = 1;
  }
  if (scale !== 1) throw new RangeError('a posting string ends inside a number');
  return ids;
}

/** Postings of one term by match slot, doc ids ascending in each. */
export type TermPostings = number[][];

/**
 * Encodes the terms of one shard, in code-unit order of the terms (deterministic bytes).
 *
 * @example encodeShard(new Map([['weather', [[0, 1], [], [2]]]])) // { weather: ['AA', '', 'C'] }
 */
export function encodeShard(terms: ReadonlyMap<string, TermPostings>): TermShard {
  const shard: TermShard = {};
  for (const term of [...terms.keys()].sort()) {
    const lists = (terms.get(term) as TermPostings).map(encodePostings);
    while (lists.length > 0 && lists[lists.length - 1] === '') lists.pop();
    if (lists.length > 0) shard[term] = lists;
  }
  return shard;
}

/** A term's postings by match slot (decoded). */
export function termPostings(shard: TermShard, term: string): TermPostings {
  return (shard[term] ?? []).map(decodePostings);
}

/** The bucket holding a doc, and its place there. */
export function bucketOf(doc: number, bucketSize = BUCKET_SIZE): { bucket: number; slot: number } {
  return { bucket: Math.floor(doc / bucketSize), slot: doc % bucketSize };
}

/** The key of a term shard named by the manifest. */
export function shardKey(stem: string): string {
  return `search/terms/${stem}.json`;
}

/** The key of a doc bucket named by the manifest. */
export function bucketKey(bucket: number, hash: string): string {
  return `search/docs/${bucket}.${hash}.json`;
}

/** Whether a parsed manifest has the shape this reader understands. */
export function isSearchManifest(value: unknown): value is SearchManifest {
  if (!value || typeof value !== 'object') return false;
  const m = value as Partial<SearchManifest>;
  return (
    m.format === SEARCH_FORMAT &&
    typeof m.servers === 'number' &&
    typeof m.bucketSize === 'number' &&
    m.bucketSize > 0 &&
    !!m.shards &&
    typeof m.shards === 'object' &&
    Array.isArray(m.buckets)
  );
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const items = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => !!x && typeof x === 'object') : [];

/**
 * The record of a server.json (the version the `latest` view holds) with its status.
 *
 * @example docRecord({ name: 'io.github.alice/weather', version: '1.0.0', description: 'Forecasts' }, 'active') // ['io.github.alice/weather', null, 'Forecasts', '1.0.0', 'active', [], []]
 */
export function docRecord(
  server: { name: string; version: string; [field: string]: unknown },
  status: DocStatus,
): DocRecord {
  const packages = items(server.packages).map((p): DocPackage => {
    const transport =
      p.transport && typeof p.transport === 'object' ? (p.transport as { type?: unknown }) : {};
    const optional = {
      version: text(p.version),
      runtimeHint: text(p.runtimeHint),
      transport: text(transport.type),
    };
    return {
      registryType: text(p.registryType) ?? '',
      identifier: text(p.identifier) ?? '',
      ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
    };
  });
  const remotes = items(server.remotes).map((r) => ({ type: text(r.type) ?? '', url: text(r.url) ?? '' }));
  return [
    server.name,
    text(server.title) ?? null,
    text(server.description) ?? null,
    server.version,
    status,
    packages,
    remotes,
  ];
}

/** A record in the shape core/search/text.ts reads (to re-tokenise it for ranking). */
export function recordServer(record: DocRecord): SearchableServer {
  const [name, title, description, , , packages, remotes] = record;
  return { name, title, description, packages, remotes };
}
