/**
 * Where the builder writes the static site. Two implementations: a local directory (dev, tests, the local
 * CDN server) and S3. Both speak keys, never paths, so the builder cannot tell them apart.
 */

export type CacheClass = 'immutable' | 'mutable';

export interface PutOptions {
  contentType: string;
  cacheClass: CacheClass;
  contentEncoding?: 'gzip';
}

export interface StoredObjectInfo {
  key: string;
  size: number;
  /** Quoted hex MD5 of the stored bytes, as S3 reports it for single-part uploads. */
  etag: string;
  contentType: string;
  cacheControl: string;
  contentEncoding?: string;
}

export interface ObjectStore {
  /** For logs, e.g. "filesystem /abs/site-output" or "s3://bucket/prefix". */
  readonly description: string;
  put(key: string, body: Uint8Array, options: PutOptions): Promise<void>;
  /** `undefined` when the key is absent. The body is returned exactly as stored (gzip is not undone). */
  get(key: string): Promise<{ body: Uint8Array; info: StoredObjectInfo } | undefined>;
  head(key: string): Promise<StoredObjectInfo | undefined>;
  /** Absent keys are not an error. */
  delete(keys: readonly string[]): Promise<void>;
  /** Every key that starts with `prefix` (keys, not directories), in no particular order. */
  list(prefix: string): AsyncIterable<string>;
}

export const CACHE_CONTROL: Record<CacheClass, string> = {
  immutable: 'public, max-age=31536000, immutable',
  mutable: 'public, max-age=60, stale-if-error=86400',
};

const MAX_SEGMENT_BYTES = 255;
const encoder = new TextEncoder();

/**
 * Keys must map 1:1 onto a relative path on every store, so anything a filesystem or a URL would
 * reinterpret (traversal, absolute paths, empty segments, backslashes, control characters) is refused.
 * Throws a plain Error: an invalid key is a bug in the builder, not a user-facing failure.
 */
export function assertValidKey(key: string): void {
  const fail = (why: string): never => {
    throw new Error(`invalid object key ${JSON.stringify(key)}: ${why}`);
  };
  if (key === '') fail('empty');
  if (key.startsWith('/')) fail('leading slash');
  if (key.includes('\\')) fail('backslash');
  if (/[\x00-\x1f\x7f]/.test(key)) fail('control character');
  for (const segment of key.split('/')) {
    if (segment === '') fail('empty segment');
    if (segment === '.' || segment === '..') fail(`"${segment}" segment`);
    if (encoder.encode(segment).length > MAX_SEGMENT_BYTES)
      fail(`segment longer than ${MAX_SEGMENT_BYTES} bytes`);
  }
}
