import {
  bucketKey,
  bucketOf,
  type DocBucket,
  type DocPackage,
  type DocRecord,
  type DocRemote,
  type DocStatus,
  isSearchManifest,
  SEARCH_MANIFEST_KEY,
  type SearchManifest,
  shardKey,
  type TermShard,
} from '../core/search/index-format.js';
import {
  type Candidate,
  combineMatches,
  comparePage,
  isExactName,
  type RankedDoc,
  recordCost,
  wordMatches,
} from '../core/search/rank.js';
import { queryWords, shardOf } from '../core/search/text.js';

/**
 * Search over a registry's static index, over HTTP: ESM, no framework, no Node module, so the same
 * file runs in a browser (the browse page) and in Node (`mcp-registry search`). It reads the
 * manifest, one term shard per query word (the shard of the word's first two code points), and the
 * doc buckets of the page of hits it returns; every object but the manifest is immutable and is
 * cached for the client's lifetime. Ranking is core/search/rank.ts: candidates by match cost over the
 * whole index, then the page re-ranked from its records (exact names first).
 */

export interface SearchHit {
  name: string;
  title: string | null;
  description: string | null;
  version: string;
  status: DocStatus;
  packages: DocPackage[];
  remotes: DocRemote[];
  /** The match cost (core/search/rank.ts): 0 is the best possible; lower ranks first. */
  score: number;
}

export interface SearchResult {
  query: string;
  /** The query's words as matched (folded, one-letter words dropped). */
  words: string[];
  /** How many servers match every word. */
  total: number;
  hits: SearchHit[];
  /** Bytes this search downloaded (as sent: compressed when the server compressed), cached objects not counted. */
  bytesFetched: number;
}

export interface SearchOptions {
  /** Hits per page: 1 to 100, 10 when absent. */
  limit?: number;
  /** Hits to skip (a page's first hit), 0 when absent. */
  offset?: number;
}

export interface SearchClient {
  search(query: string, options?: SearchOptions): Promise<SearchResult>;
}

/** The part of the Fetch API this client uses: the global `fetch` qualifies, or any small adapter. */
export type FetchLike = (url: string) => Promise<{
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}>;

export class SearchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SearchError';
  }
}

export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 100;
/** Queries whose candidates a client keeps (for their next pages). */
const MATCH_CACHE_SIZE = 16;
/** The manifest is re-read when older than this (it is served with a one-minute cache). */
const MANIFEST_MAX_AGE_MS = 60_000;

class NotThere extends Error {}

export function createSearchClient(options: { baseUrl: string; fetch?: FetchLike }): SearchClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const get: FetchLike | undefined = options.fetch ?? globalThis.fetch?.bind(globalThis);
  if (!get) throw new SearchError('no fetch: pass one in the options');
  const decoder = new TextDecoder();
  const objects = new Map<string, Promise<unknown>>();
  const matches = new Map<string, Candidate[]>();
  let manifest: { value: Promise<SearchManifest>; at: number } | undefined;

  async function fetchJson(key: string, counter: { bytes: number }): Promise<unknown> {
    const url = `${base}/${key}`;
    let response: Awaited<ReturnType<FetchLike>>;
    try {
      response = await (get as FetchLike)(url);
    } catch (err) {
      throw new SearchError(`${url}: ${(err as Error).message}`);
    }
    if (response.status === 404 || response.status === 403) throw new NotThere(url);
    if (!response.ok) throw new SearchError(`${url} answered ${response.status}`);
    const body = await response.arrayBuffer();
    const sent = Number(response.headers.get('content-length'));
    counter.bytes += Number.isFinite(sent) && sent > 0 ? sent : body.byteLength;
    try {
      return JSON.parse(decoder.decode(body));
    } catch {
      throw new SearchError(`${url} is not JSON`);
    }
  }

  function readManifest(counter: { bytes: number }, fresh: boolean): Promise<SearchManifest> {
    if (!manifest || fresh || Date.now() - manifest.at > MANIFEST_MAX_AGE_MS) {
      const value = fetchJson(SEARCH_MANIFEST_KEY, counter).then(
        (m) => {
          if (!isSearchManifest(m))
            throw new SearchError(`${base}/${SEARCH_MANIFEST_KEY}: not a search index this client reads`);
          return m;
        },
        (err) => {
          throw err instanceof NotThere
            ? new SearchError(`${base} has no search index (${SEARCH_MANIFEST_KEY})`)
            : err;
        },
      );
      manifest = { value, at: Date.now() };
      value.catch(() => {
        manifest = undefined;
      });
    }
    return manifest.value;
  }

  /** An immutable object, fetched once per client. */
  function readObject(key: string, counter: { bytes: number }): Promise<unknown> {
    let value = objects.get(key);
    if (!value) {
      value = fetchJson(key, counter);
      objects.set(key, value);
      value.catch(() => objects.delete(key));
    }
    return value;
  }

  async function run(
    query: string,
    words: string[],
    limit: number,
    offset: number,
    counter: { bytes: number },
    fresh: boolean,
  ): Promise<SearchResult> {
    const index = await readManifest(counter, fresh);
    const shards = await Promise.all(
      words.map((word) => {
        const stem = index.shards[shardOf(word)];
        return stem === undefined ? undefined : (readObject(shardKey(stem), counter) as Promise<TermShard>);
      }),
    );
    const stems = words.map((word) => index.shards[shardOf(word)]);
    const cacheKey = `${words.join(' ')}\n${stems.join(' ')}`;
    let candidates = matches.get(cacheKey);
    if (!candidates) {
      candidates = shards.some((s) => s === undefined)
        ? []
        : combineMatches(words.map((word, i) => wordMatches(shards[i] as TermShard, word)));
      // The next page of the same query reuses the candidates (a frequent word has tens of thousands).
      if (matches.size >= MATCH_CACHE_SIZE) matches.delete(matches.keys().next().value as string);
      matches.set(cacheKey, candidates);
    }
    const page = candidates.slice(offset, offset + limit);
    const buckets = new Map<number, Promise<DocBucket>>();
    for (const { doc } of page) {
      const { bucket } = bucketOf(doc, index.bucketSize);
      const hash = index.buckets[bucket];
      if (hash && !buckets.has(bucket))
        buckets.set(bucket, readObject(bucketKey(bucket, hash), counter) as Promise<DocBucket>);
    }
    const ranked: RankedDoc<DocRecord>[] = [];
    for (const { doc } of page) {
      const { bucket, slot } = bucketOf(doc, index.bucketSize);
      const record = (await buckets.get(bucket))?.[slot];
      // A posting a killed build left behind names a doc that no longer matches: skip it.
      const cost = record ? recordCost(words, record) : undefined;
      if (record && cost !== undefined)
        ranked.push({ doc, cost, exact: isExactName(query, record), value: record });
    }
    const hits = ranked.sort(comparePage).map(({ value, cost }): SearchHit => {
      const [name, title, description, version, status, packages, remotes] = value;
      return { name, title, description, version, status, packages, remotes, score: cost };
    });
    return { query, words, total: candidates.length, hits, bytesFetched: counter.bytes };
  }

  return {
    async search(query, searchOptions = {}) {
      const limit = searchOptions.limit ?? DEFAULT_LIMIT;
      const offset = searchOptions.offset ?? 0;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
        throw new SearchError(`limit must be a whole number from 1 to ${MAX_LIMIT}`);
      if (!Number.isInteger(offset) || offset < 0)
        throw new SearchError('offset must be a whole number, 0 or more');
      const words = queryWords(query);
      const counter = { bytes: 0 };
      if (words.length === 0) return { query, words, total: 0, hits: [], bytesFetched: 0 };
      try {
        return await run(query, words, limit, offset, counter, false);
      } catch (err) {
        // An object the cached manifest names is gone (its grace period ended): read the manifest again.
        if (!(err instanceof NotThere)) throw err;
        try {
          return await run(query, words, limit, offset, counter, true);
        } catch (again) {
          throw again instanceof NotThere ? new SearchError(`${again.message} is missing`) : again;
        }
      }
    },
  };
}
