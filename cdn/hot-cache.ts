import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { ObjectStore, StoredObjectInfo } from '../store/types.js';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** One object as the local CDN serves it: the stored bytes and, when worth it, compressed forms. */
export interface HotObject {
  info: StoredObjectInfo;
  body: Buffer;
  gzip?: Buffer;
  br?: Buffer;
}

interface Entry extends HotObject {
  checkedAt: number;
  bytes: number;
}

export interface HotCacheOptions {
  /** Bytes held in memory at most (bodies and their compressed forms); least recently used go first. */
  maxBytes?: number;
  /** Larger objects (snapshot data) are served from the store each time. */
  maxObjectBytes?: number;
  /** A cached object is served without asking the store for this long, then re-checked by ETag. */
  revalidateMs?: number;
  now?: () => number;
}

/**
 * Types CloudFront compresses (and we do): JSON, problem+json, text (HTML, text/javascript) and
 * JavaScript under its older type. Bodies below 1 KB are not worth it.
 */
const COMPRESSIBLE = /^(?:application\/(?:(?:[\w.+-]*\+)?json|javascript)|text\/)/;
const MIN_COMPRESS_BYTES = 1024;

/**
 * The local CDN's memory: hot objects served without touching the disk, bounded in bytes (LRU),
 * invalidated by the tree's ETags: after `revalidateMs` an entry is re-checked against the store's
 * metadata (`head`, a small sidecar read, no hashing) and dropped when the ETag changed or the object
 * is gone. Compressed forms (gzip, brotli) are made once per object version, when it is loaded.
 * Bytes changed behind the store's back (not through `put`, so with the same recorded ETag) are not
 * noticed until the entry is evicted; `maxBytes: 0` turns the memory off.
 */
export class HotCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<HotObject | undefined>>();
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly maxObjectBytes: number;
  private readonly revalidateMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: Pick<ObjectStore, 'get' | 'head'>,
    options: HotCacheOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.maxObjectBytes = options.maxObjectBytes ?? 1024 * 1024;
    this.revalidateMs = options.revalidateMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /** Bytes held now (for tests and metrics). */
  get size(): number {
    return this.bytes;
  }

  /** The object if it is held and was checked within `revalidateMs` (no I/O, no promise), else undefined. */
  peek(key: string): HotObject | undefined {
    const entry = this.entries.get(key);
    return entry && this.now() - entry.checkedAt < this.revalidateMs ? this.touch(key, entry) : undefined;
  }

  async get(key: string): Promise<HotObject | undefined> {
    const entry = this.entries.get(key);
    if (entry) {
      const now = this.now();
      if (now - entry.checkedAt < this.revalidateMs) return this.touch(key, entry);
      const info = await this.store.head(key);
      if (info?.etag === entry.info.etag) {
        entry.checkedAt = now;
        return this.touch(key, entry);
      }
      this.drop(key);
      if (!info) return undefined;
    }
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.load(key).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  private async load(key: string): Promise<HotObject | undefined> {
    const checkedAt = this.now();
    const stored = await this.store.get(key);
    if (!stored) return undefined;
    const body = Buffer.from(stored.body.buffer, stored.body.byteOffset, stored.body.byteLength);
    const object: HotObject = { info: stored.info, body };
    if (body.length > this.maxObjectBytes) return object;
    if (
      !stored.info.contentEncoding &&
      COMPRESSIBLE.test(stored.info.contentType) &&
      body.length >= MIN_COMPRESS_BYTES
    ) {
      const [gz, br] = await Promise.all([
        gzipAsync(body, { level: 6 }),
        brotliAsync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 6 } }),
      ]);
      // A form that saves nothing is not offered.
      if (gz.length < body.length) object.gzip = gz;
      if (br.length < body.length) object.br = br;
    }
    const bytes = body.length + (object.gzip?.length ?? 0) + (object.br?.length ?? 0);
    if (bytes <= this.maxBytes) {
      this.drop(key);
      this.entries.set(key, { ...object, checkedAt, bytes });
      this.bytes += bytes;
      for (const [oldest, old] of this.entries) {
        if (this.bytes <= this.maxBytes) break;
        this.entries.delete(oldest);
        this.bytes -= old.bytes;
      }
    }
    return object;
  }

  /** Map order is insertion order: re-inserting makes the entry the most recently used. */
  private touch(key: string, entry: Entry): HotObject {
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}

/**
 * The encoding to send for an `Accept-Encoding` header, among those available: brotli, then gzip,
 * each only when accepted with q > 0 (`*` included); undefined = the stored bytes as they are.
 *
 * @example pickEncoding('gzip, deflate, br', { gzip: true, br: true }) // 'br'
 * @example pickEncoding('br;q=0, gzip', { gzip: true, br: true }) // 'gzip'
 */
export function pickEncoding(
  header: string | undefined,
  available: { gzip: boolean; br: boolean },
): 'br' | 'gzip' | undefined {
  if (!header) return undefined;
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  const accepts = (coding: string) => (q.get(coding) ?? q.get('*') ?? 0) > 0;
  if (available.br && accepts('br')) return 'br';
  if (available.gzip && accepts('gzip')) return 'gzip';
  return undefined;
}
