import { createGzip, gzipSync } from 'node:zlib';
import { sha256Hex } from '../core/crypto.js';
import type { BuildManifestChange, BuildManifestHeader } from '../core/layout/documents.js';
import type { ListItemKey } from '../core/layout/pages.js';
import type { PagesId } from '../core/layout/search-page-keys.js';
import {
  analyzeTreeObjects,
  forgetObjects,
  knownObjects,
  markOrphaned,
  markSeen,
  type ObjectRow,
  recordObjects,
} from '../db/repositories/tree-objects.js';
import type { Queryable } from '../db/sql.js';
import type { CacheClass, ObjectStore } from '../store/types.js';

/** One object the build wants in the tree. */
export interface RenderedObject {
  key: string;
  body: Uint8Array;
  sha256: string;
  contentType: string;
  cacheClass: CacheClass;
  contentEncoding?: 'gzip';
  /** For list pages: which view and family, and the item the page follows. */
  list?: { view: PagesId; after: ListItemKey | undefined };
}

const JSON_TYPE = 'application/json';
/** More changed mutable keys than this: invalidate everything instead of listing them. */
export const MAX_INVALIDATION_KEYS = 10_000;

/**
 * A build that records this many rows refreshes the planner's statistics on the tree table, then
 * again each time its count doubles: a first build of a large registry grows the table from nothing
 * (see analyzeTreeObjects).
 */
const ANALYZE_FIRST_AT = 10_000;

/** Serializes a document: compact JSON, properties in insertion order, so bytes are deterministic. */
export function jsonObject(
  key: string,
  document: unknown,
  cacheClass: CacheClass,
  list?: RenderedObject['list'],
): RenderedObject {
  const body = Buffer.from(JSON.stringify(document), 'utf8');
  return {
    key,
    body,
    sha256: sha256Hex(body),
    contentType: JSON_TYPE,
    cacheClass,
    ...(list ? { list } : {}),
  };
}

export function bytesObject(
  key: string,
  body: Uint8Array,
  contentType: string,
  cacheClass: CacheClass,
  contentEncoding?: 'gzip',
): RenderedObject {
  return {
    key,
    body,
    sha256: sha256Hex(body),
    contentType,
    cacheClass,
    ...(contentEncoding ? { contentEncoding } : {}),
  };
}

export interface WriterStats {
  written: number;
  unchanged: number;
  deleted: number;
}

/**
 * Writes objects to the store only when their bytes differ from what the tree holds (by sha256),
 * and records what it wrote, so an unchanged object keeps its ETag and a build that changes nothing
 * writes nothing. The database row is recorded after the object is stored: a build killed in
 * between only makes the next build write the same bytes again.
 */
export class TreeWriter {
  readonly stats: WriterStats = { written: 0, unchanged: 0, deleted: 0 };
  /**
   * Every key written or deleted, in order, as the build manifest's `changes` entries, compressed as
   * they come: a full build of a large registry changes millions of keys, which must not be held
   * as objects.
   */
  private readonly manifest = createGzip({ level: 6 });
  private readonly manifestChunks: Buffer[] = [];
  private manifestEntries = 0;
  private manifestClosed = false;
  private readonly invalidateKeys = new Set<string>();
  private invalidateOverflow = false;
  /** Rows recorded by this build, and the count at which the table's statistics are refreshed next. */
  private recorded = 0;
  private nextAnalyzeAt = ANALYZE_FIRST_AT;

  constructor(
    private readonly db: Queryable,
    private readonly store: ObjectStore,
    private readonly target: string,
    private readonly buildId: number,
    /** Full builds note every rendered key as seen, so what they did not render can be found. */
    private readonly stampAll: boolean,
  ) {
    this.manifest.on('data', (chunk: Buffer) => this.manifestChunks.push(chunk));
  }

  /** How many keys this build wrote or deleted. */
  get changeCount(): number {
    return this.manifestEntries;
  }

  /**
   * Mutable keys written or deleted: what a CDN must invalidate. Beyond MAX_INVALIDATION_KEYS (a full
   * rebuild) this is `['*']`, everything: CloudFront would collapse them into wildcards anyway.
   */
  get changedMutableKeys(): string[] {
    return this.invalidateOverflow ? ['*'] : [...this.invalidateKeys].sort();
  }

  /** Closes the manifest: `header` fields first, then `changes` in write order; gzip bytes. */
  async finishManifest(header: BuildManifestHeader): Promise<Buffer> {
    const head = JSON.stringify(header);
    this.manifestClosed = true;
    const done = new Promise<void>((resolve, reject) => {
      this.manifest.on('end', resolve);
      this.manifest.on('error', reject);
    });
    this.manifest.end(`]}`);
    await done;
    // The header goes in front as its own gzip member: concatenated members are one valid gzip stream.
    return Buffer.concat([gzipSync(`${head.slice(0, -1)},"changes":[`), ...this.manifestChunks]);
  }

  private record(entry: BuildManifestChange, mutable: boolean): void {
    // The manifest, the root and its signature come after the manifest is closed: not listed.
    if (!this.manifestClosed) {
      this.manifest.write(`${this.manifestEntries === 0 ? '' : ','}${JSON.stringify(entry)}`);
      this.manifestEntries++;
    }
    if (!mutable || this.invalidateOverflow) return;
    this.invalidateKeys.add(entry.key);
    if (this.invalidateKeys.size > MAX_INVALIDATION_KEYS) {
      this.invalidateOverflow = true;
      this.invalidateKeys.clear();
    }
  }

  /** Stores `objects` that changed, in parallel (the store bounds its own concurrency). */
  async write(objects: readonly RenderedObject[]): Promise<void> {
    await this.storeAndRecord(objects, false, []);
  }

  /**
   * The pages of list regions: stored one at a time in the order given (each page's successor
   * first), then recorded, together with the orphan marks of the pages they supersede, in one
   * transaction. A build killed midway leaves the recorded layout as it was, so the next build starts
   * its regions at the same boundaries: recorded page by page, a later page of a region could become
   * a region's start while the page before it, not rewritten yet, still skipped the new items.
   */
  async writeRegion(pages: readonly RenderedObject[], superseded: readonly string[]): Promise<void> {
    await this.storeAndRecord(pages, true, superseded);
  }

  private async storeAndRecord(
    objects: readonly RenderedObject[],
    inOrder: boolean,
    superseded: readonly string[],
  ): Promise<void> {
    if (objects.length === 0 && superseded.length === 0) return;
    const known = await knownObjects(
      this.db,
      this.target,
      objects.map((o) => o.key),
    );
    const toWrite = objects.filter((o) => known.get(o.key)?.sha256 !== o.sha256);
    const put = (o: RenderedObject) =>
      this.store.put(o.key, o.body, {
        contentType: o.contentType,
        cacheClass: o.cacheClass,
        ...(o.contentEncoding ? { contentEncoding: o.contentEncoding } : {}),
      });
    if (inOrder) for (const o of toWrite) await put(o);
    else await Promise.all(toWrite.map(put));
    const written = new Set(toWrite.map((o) => o.key));
    if (this.stampAll)
      await markSeen(
        this.db,
        this.buildId,
        objects.map((o) => o.key),
      );
    const rows: ObjectRow[] = objects
      .filter((o) => written.has(o.key) || known.get(o.key)?.orphaned)
      .map((o) => ({
        key: o.key,
        sha256: o.sha256,
        size: o.body.length,
        ...(o.list ? { list: o.list } : {}),
      }));
    if (!inOrder) await recordObjects(this.db, this.target, this.buildId, rows, written);
    else
      await this.db.transaction(async (trx) => {
        await recordObjects(trx, this.target, this.buildId, rows, written);
        await markOrphaned(trx, this.target, superseded);
      });
    this.recorded += rows.length;
    if (this.recorded >= this.nextAnalyzeAt) {
      await analyzeTreeObjects(this.db);
      this.nextAnalyzeAt = this.recorded * 2;
    }
    for (const o of toWrite) {
      this.record({ key: o.key, sha256: o.sha256, size: o.body.length }, o.cacheClass === 'mutable');
    }
    this.stats.written += toWrite.length;
    this.stats.unchanged += objects.length - toWrite.length;
  }

  /** Writes in the order given, one at a time: for pointers that must land after what they name. */
  async writeInOrder(objects: readonly RenderedObject[]): Promise<void> {
    for (const o of objects) await this.write([o]);
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.store.delete(keys);
    await forgetObjects(this.db, this.target, keys);
    for (const key of keys) this.record({ key, deleted: true }, true);
    this.stats.deleted += keys.length;
  }

  /** Keys left as they are although not rendered (a quarantined server's): a full build keeps them. */
  async keep(keys: readonly string[]): Promise<void> {
    if (this.stampAll && keys.length > 0) await markSeen(this.db, this.buildId, keys);
  }

  /** Superseded list pages: left readable for crawlers that hold their cursor, deleted after a grace period. */
  async orphan(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await markOrphaned(this.db, this.target, keys);
  }
}
