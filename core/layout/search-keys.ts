import { bucketKey, SEARCH_MANIFEST_KEY, shardKey } from '../search/index-format.js';
import { shardOf } from '../search/text.js';
import { encodeVersionSegment } from './keys.js';

/**
 * Keys of the static search index (core/search/index-format.ts describes the objects). The key
 * templates live with the format, browser-safe, because readers follow the manifest's names; this
 * module is the builder's side: the file stems it gives the manifest, prefixes encoded like version
 * segments (UTF-8 bytes outside `[A-Za-z0-9._-]` as `~XX`) so every key stays in the tree's alphabet.
 */

export { SEARCH_MANIFEST_KEY };

/** Content hashes in search keys: hex characters of the body's sha256 (48 bits: a prefix's versions never collide in practice). */
export const SEARCH_HASH_CHARS = 12;

/**
 * The encoded form of a shard prefix (two code points).
 *
 * @example encodeShardPrefix('we') // 'we'
 * @example encodeShardPrefix('ca') // 'ca'
 * @example encodeShardPrefix('日本') // '~E6~97~A5~E6~9C~AC'
 */
export function encodeShardPrefix(prefix: string): string {
  if (prefix === '' || shardOf(prefix) !== prefix) throw new RangeError(`not a shard prefix: ${prefix}`);
  return encodeVersionSegment(prefix);
}

/**
 * The file stem of a term shard, as the manifest names it.
 *
 * @example searchShardStem('we', 'a1b2c3d4e5f6') // 'we.a1b2c3d4e5f6'
 */
export function searchShardStem(prefix: string, hash: string): string {
  return `${encodeShardPrefix(prefix)}.${hash}`;
}

/**
 * @example searchShardKey('we', 'a1b2c3d4e5f6') // 'search/terms/we.a1b2c3d4e5f6.json'
 */
export function searchShardKey(prefix: string, hash: string): string {
  return shardKey(searchShardStem(prefix, hash));
}

/**
 * @example searchBucketKey(3, 'a1b2c3d4e5f6') // 'search/docs/3.a1b2c3d4e5f6.json'
 */
export function searchBucketKey(bucket: number, hash: string): string {
  if (!Number.isSafeInteger(bucket) || bucket < 0) throw new RangeError(`not a bucket number: ${bucket}`);
  return bucketKey(bucket, hash);
}
