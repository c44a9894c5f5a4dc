import { classifyKey } from '../core/layout/key-shapes.js';
import {
  SEARCH_HASH_CHARS,
  SEARCH_MANIFEST_KEY,
  searchBucketKey,
  searchShardKey,
} from '../core/layout/search-keys.js';
import {
  type DocTermChange,
  type MemoryIndex,
  patchShard,
  type ShortNameCache,
  shardPostings,
  type TermRow,
} from '../core/search/build-index.js';
import {
  BUCKET_SIZE,
  type DocBucket,
  docRecord,
  encodeShard,
  SEARCH_FORMAT,
  type SearchManifest,
  type TermShard,
} from '../core/search/index-format.js';
import { type FieldRank, shardOf } from '../core/search/text.js';
import {
  allShardPrefixes,
  countIndexedServers,
  docIdLimit,
  docIdsOf,
  indexedServers,
  shardRows,
} from '../db/repositories/search-index.js';
import {
  allServerNames,
  settleSearchTerms,
  type TermChange,
  updateSearchTerms,
} from '../db/repositories/search-terms.js';
import { keysWithPrefix, knownObjects } from '../db/repositories/tree-objects.js';
import type { Queryable } from '../db/sql.js';
import type { ObjectStore } from '../store/types.js';
import { jsonObject, type RenderedObject, type TreeWriter } from './writer.js';

/**
 * The static search index (core/search/index-format.ts): term shards by two-code-point prefix, doc
 * buckets by doc number, and the manifest naming them. A build first brings the search state up to
 * date (`updateSearchState`, once per build), then renders from what changed (`renderSearchIndex`):
 * the shards of every prefix of a term a changed server gained or lost, the buckets of the changed
 * servers, then the manifest last (it names them). Superseded shards and buckets are orphaned, not
 * deleted: a reader holding the previous manifest keeps working through the grace period.
 *
 * Renderers of other search objects (the `?search=` result pages) take the same `SearchUpdate` and
 * are called next to `renderSearchIndex` in render-incremental.ts and render-full.ts: the term
 * update runs once per build, and its change map is the only record of which terms came and went.
 */

export interface SearchUpdate {
  /** Render every shard and bucket: a full build, or a tree that has no search index yet. */
  full: boolean;
  /** Servers whose terms changed, with their terms before and after. */
  changes: Map<string, TermChange>;
  /** Every server this build changed (a new version or status can change a record, not its terms). */
  servers: readonly string[];
}

/**
 * Brings the search state (search_terms, search_docs) up to date for this build, once: for the
 * changed servers, or for every server on a full build or when the tree has no index yet.
 */
export async function updateSearchState(
  db: Queryable,
  target: string,
  changed: readonly string[] | 'all',
): Promise<SearchUpdate> {
  const absent = !(await knownObjects(db, target, [SEARCH_MANIFEST_KEY])).has(SEARCH_MANIFEST_KEY);
  if (changed !== 'all' && !absent) {
    return { full: false, changes: await updateSearchTerms(db, changed), servers: changed };
  }
  // One call over every name (a few MB at 100,000 servers): pending changes are read once.
  const names: string[] = [];
  for await (const batch of allServerNames(db)) names.push(...batch);
  return {
    full: true,
    changes: await updateSearchTerms(db, names),
    servers: changed === 'all' ? [] : changed,
  };
}

/**
 * Called once every search renderer of the build has written what `update` changed: the term
 * changes stop being pending. Until then a killed build leaves them recorded, and the next build's
 * `updateSearchState` returns them again.
 */
export async function settleSearchState(db: Queryable, update: SearchUpdate): Promise<void> {
  await settleSearchTerms(db, update.changes.keys());
}

export interface SearchIndexStats {
  shards: number;
  buckets: number;
}

/** Objects written together (the store bounds its own concurrency). */
const WRITE_BATCH = 64;
/** Buckets read with one query on a full render. */
const BUCKETS_PER_QUERY = 16;

/**
 * Renders and writes what `update` changed of the index, then the manifest (when it changed). On an
 * incremental update a shard is the stored one patched with the changes (core/search/build-index.ts
 * `patchShard`): reading every row of a frequent prefix (`io`, `gi`, `mc`: most servers) on each
 * publish cost seconds at 100,000 servers. A full render, or a shard that cannot be read, is
 * rendered from the stored terms.
 */
export async function renderSearchIndex(
  db: Queryable,
  writer: TreeWriter,
  target: string,
  update: SearchUpdate,
  store: Pick<ObjectStore, 'get'>,
): Promise<SearchIndexStats> {
  const prefixes = (update.full ? await allShardPrefixes(db) : changedPrefixes(update.changes)).sort();
  const liveShards = groupKeys(await keysWithPrefix(db, target, 'search/terms/'), shardPrefixOf);
  const shortNames: ShortNameCache = new Map();
  const docs = update.full ? new Map<string, number>() : await docIdsOf(db, [...update.changes.keys()]);
  const changes: DocTermChange[] = [...update.changes].flatMap(([serverName, change]) => {
    const doc = docs.get(serverName);
    return doc === undefined ? [] : [{ doc, serverName, ...change }];
  });
  const shards = new Map<string, string | undefined>();
  const batch: RenderedObject[] = [];
  for (const prefix of prefixes) {
    const live = liveShards.get(prefix);
    const stored = !update.full && live?.length === 1 ? await readShard(store, live[0] as string) : undefined;
    const shard = stored
      ? shardObject(prefix, patchShard(stored, prefix, changes, shortNames))
      : await renderShard(db, prefix, shortNames);
    shards.set(prefix, shard?.key);
    if (shard) batch.push(shard);
    if (batch.length >= WRITE_BATCH) await writer.write(batch.splice(0));
  }
  await writer.write(batch.splice(0));
  // Superseded shards; on a full render also those of prefixes no stored term has any more.
  await writer.orphan(
    [...liveShards].flatMap(([prefix, keys]) =>
      shards.has(prefix) ? keys.filter((k) => k !== shards.get(prefix)) : update.full ? keys : [],
    ),
  );

  const numbers = update.full
    ? [...Array(Math.ceil((await docIdLimit(db)) / BUCKET_SIZE)).keys()]
    : [
        ...new Set(
          [...(await docIdsOf(db, changedNames(update))).values()].map((id) => Math.floor(id / BUCKET_SIZE)),
        ),
      ];
  const liveBuckets = groupKeys(await keysWithPrefix(db, target, 'search/docs/'), (key) => {
    const k = classifyKey(key);
    return k?.kind === 'search-docs' ? k.bucket : undefined;
  });
  const stale: string[] = [];
  for (const group of bucketRuns(numbers.sort((a, b) => a - b))) {
    const objects = await renderBuckets(db, group);
    await writer.write([...objects.values()].flatMap((o) => (o ? [o] : [])));
    for (const bucket of group)
      stale.push(...(liveBuckets.get(bucket) ?? []).filter((k) => k !== objects.get(bucket)?.key));
  }
  await writer.orphan(stale);
  await writer.write([await renderManifest(db, target)]);
  return { shards: prefixes.length, buckets: numbers.length };
}

function groupKeys<T>(keys: readonly string[], groupOf: (key: string) => T | undefined): Map<T, string[]> {
  const groups = new Map<T, string[]>();
  for (const key of keys) {
    const group = groupOf(key);
    if (group !== undefined) groups.set(group, [...(groups.get(group) ?? []), key]);
  }
  return groups;
}

/** Sorted bucket numbers cut into runs of consecutive numbers, each read with one query. */
function bucketRuns(sorted: readonly number[]): number[][] {
  const runs: number[][] = [];
  for (const n of sorted) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1] === n - 1 && last.length < BUCKETS_PER_QUERY) last.push(n);
    else runs.push([n]);
  }
  return runs;
}

/** The changed servers and those whose terms changed (a full render of the state lists only the latter). */
function changedNames(update: SearchUpdate): string[] {
  return [...new Set([...update.servers, ...update.changes.keys()])];
}

/** The prefixes of every term a changed server gained, lost or moved to another field. */
export function changedPrefixes(changes: ReadonlyMap<string, TermChange>): string[] {
  const prefixes = new Set<string>();
  for (const { before, after } of changes.values()) {
    for (const [term, field] of before) if (after.get(term) !== field) prefixes.add(shardOf(term));
    for (const [term, field] of after) if (before.get(term) !== field) prefixes.add(shardOf(term));
  }
  return [...prefixes];
}

function contentKey(object: RenderedObject, key: (hash: string) => string): RenderedObject {
  return { ...object, key: key(object.sha256.slice(0, SEARCH_HASH_CHARS)) };
}

/** The shard of `prefix` from the stored terms; undefined when no term has that prefix any more. */
async function renderShard(
  db: Queryable,
  prefix: string,
  cache: ShortNameCache,
): Promise<RenderedObject | undefined> {
  const rows = (await shardRows(db, prefix)).map(
    (r): TermRow => ({
      term: r.term,
      field: r.field as FieldRank,
      serverName: r.server_name,
      doc: Number(r.doc_id),
    }),
  );
  if (cache.size > 200_000) cache.clear();
  return shardObject(prefix, encodeShard(shardPostings(rows, cache)));
}

/** A shard's object; undefined for a shard without terms. */
function shardObject(prefix: string, shard: TermShard): RenderedObject | undefined {
  if (Object.keys(shard).length === 0) return undefined;
  return contentKey(jsonObject('search/terms/pending', shard, 'immutable'), (hash) =>
    searchShardKey(prefix, hash),
  );
}

/** The stored shard at `key`; undefined when it cannot be read (it is then rendered afresh). */
async function readShard(store: Pick<ObjectStore, 'get'>, key: string): Promise<TermShard | undefined> {
  try {
    const stored = await store.get(key);
    return stored ? (JSON.parse(Buffer.from(stored.body).toString('utf8')) as TermShard) : undefined;
  } catch {
    return undefined;
  }
}

/** The buckets of a run of consecutive numbers; undefined for one with no indexed doc any more. */
async function renderBuckets(
  db: Queryable,
  run: readonly number[],
): Promise<Map<number, RenderedObject | undefined>> {
  const first = run[0] as number;
  const rows = await indexedServers(db, first * BUCKET_SIZE, (first + run.length) * BUCKET_SIZE);
  const docs = new Map<number, DocBucket>();
  for (const row of rows) {
    const bucket = Math.floor(row.doc_id / BUCKET_SIZE);
    const list = docs.get(bucket) ?? [];
    while (list.length < row.doc_id % BUCKET_SIZE) list.push(null);
    list.push(docRecord(row.value, row.status));
    docs.set(bucket, list);
  }
  return new Map(
    run.map((bucket) => {
      const list = docs.get(bucket);
      const object = list
        ? contentKey(jsonObject('search/docs/pending', list, 'immutable'), (hash) =>
            searchBucketKey(bucket, hash),
          )
        : undefined;
      return [bucket, object] as const;
    }),
  );
}

/** The (decoded) prefix of a term shard's key. */
function shardPrefixOf(key: string): string | undefined {
  const k = classifyKey(key);
  return k?.kind === 'search-terms' ? decodeURIComponent(k.prefix.replaceAll('~', '%')) : undefined;
}

/** The manifest, from the live shards and buckets the tree holds (written after them). */
async function renderManifest(db: Queryable, target: string): Promise<RenderedObject> {
  const shards: [string, string][] = [];
  for (const key of await keysWithPrefix(db, target, 'search/terms/')) {
    const prefix = shardPrefixOf(key);
    if (prefix !== undefined) shards.push([prefix, key.slice('search/terms/'.length, -'.json'.length)]);
  }
  const buckets: (string | null)[] = [];
  for (const key of await keysWithPrefix(db, target, 'search/docs/')) {
    const k = classifyKey(key);
    if (k?.kind !== 'search-docs') continue;
    while (buckets.length < k.bucket) buckets.push(null);
    buckets[k.bucket] = k.hash;
  }
  return manifestObject(shards, buckets, await countIndexedServers(db));
}

function manifestObject(
  shards: [prefix: string, stem: string][],
  buckets: (string | null)[],
  servers: number,
): RenderedObject {
  const manifest: SearchManifest = {
    format: SEARCH_FORMAT,
    servers,
    bucketSize: BUCKET_SIZE,
    shards: Object.fromEntries(shards.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    buckets,
  };
  return jsonObject(SEARCH_MANIFEST_KEY, manifest, 'mutable');
}

/**
 * The objects of an index built in memory (core/search/build-index.ts), manifest last: what the
 * builder would write for the same servers, without a database (the benchmark, tests).
 */
export function memoryIndexObjects(index: MemoryIndex): RenderedObject[] {
  const objects: RenderedObject[] = [];
  const shards: [string, string][] = [];
  for (const [prefix, shard] of index.shards) {
    const object = contentKey(jsonObject('search/terms/pending', shard, 'immutable'), (hash) =>
      searchShardKey(prefix, hash),
    );
    objects.push(object);
    shards.push([prefix, object.key.slice('search/terms/'.length, -'.json'.length)]);
  }
  const buckets: (string | null)[] = [];
  for (const bucket of [...index.buckets.keys()].sort((a, b) => a - b)) {
    const object = contentKey(
      jsonObject('search/docs/pending', index.buckets.get(bucket), 'immutable'),
      (hash) => searchBucketKey(bucket, hash),
    );
    objects.push(object);
    while (buckets.length < bucket) buckets.push(null);
    buckets[bucket] = object.sha256.slice(0, SEARCH_HASH_CHARS);
  }
  objects.push(manifestObject(shards, buckets, index.servers));
  return objects;
}
