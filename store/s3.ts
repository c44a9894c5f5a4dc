import { createHash } from 'node:crypto';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { RegistryError, unavailable } from '../core/errors.js';
import { COMMON_RETRYABLE_CODES, factsOf, isRetryableAwsError } from './aws-errors.js';
import { PartialDeleteError, RetriesEnded } from './errors.js';
import { retryWithBackoff } from './retry.js';
import {
  assertValidKey,
  CACHE_CONTROL,
  type ObjectStore,
  type PutOptions,
  type StoredObjectInfo,
} from './types.js';

/**
 * The S3 adapter: the only module that knows @aws-sdk. It owns concurrency (one limiter for every
 * call) and retries (our own loop, so the policy is visible and testable; the SDK's own retries are off),
 * and turns SDK errors into RegistryErrors so nothing above it sees vendor types.
 */

export interface S3ClientOptions {
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Needed for s3rver: the default CRC32 streaming checksums corrupt stored bodies there. */
  checksumWhenRequired?: boolean;
}

export function createS3Client(options: S3ClientOptions): S3Client {
  return new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.forcePathStyle !== undefined ? { forcePathStyle: options.forcePathStyle } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.checksumWhenRequired
      ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
      : {}),
    // createS3Store retries; SDK retries on top would multiply attempts and hide them from our policy.
    maxAttempts: 1,
    // Without timeouts a half-dead connection would stall a build forever instead of being retried.
    requestHandler: { connectionTimeout: 5_000, socketTimeout: 60_000 },
  });
}

export interface S3StoreOptions {
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing slash. */
  prefix?: string;
  client: S3Client;
  /** Maximum requests in flight across all operations of this store. Default 16. */
  concurrency?: number;
  /** Attempts per request, including the first. Default 5. */
  maxAttempts?: number;
  /** Backoff base; attempt n waits a random time in [0, base * 2^(n-1)), capped. Default 100 ms. */
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const DELETE_BATCH = 1000; // the DeleteObjects maximum
const MAX_DELAY_MS = 20_000;

export function createS3Store(options: S3StoreOptions): ObjectStore {
  const { bucket, client } = options;
  const concurrency = options.concurrency ?? 16;
  const maxAttempts = options.maxAttempts ?? 5;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new Error('concurrency must be an integer ≥ 1');
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new Error('maxAttempts must be an integer ≥ 1');
  const baseDelayMs = options.baseDelayMs ?? 100;

  const prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix !== '') assertValidKey(prefix);
  const keyPrefix = prefix === '' ? '' : `${prefix}/`;
  const toS3Key = (key: string): string => {
    assertValidKey(key);
    return keyPrefix + key;
  };

  const limit = pLimit(concurrency);

  const policy = {
    maxAttempts,
    baseDelayMs,
    maxDelayMs: MAX_DELAY_MS,
    ...(options.sleep ? { sleep: options.sleep } : {}),
  };
  /**
   * One request, retried. The limiter slot is held across backoff sleeps on purpose: when S3 says
   * SlowDown, fewer requests in flight is the point, so waiting retries must not free room for new ones.
   */
  const run = <T>(operation: string, send: () => Promise<T>): Promise<T> =>
    limit(async () => {
      try {
        return await retryWithBackoff(send, isRetryable, policy);
      } catch (e) {
        if (!(e instanceof RetriesEnded)) throw e;
        if (!e.retryable) {
          // Not transient (403, 400, a bug): a 500 so callers do not retry what cannot succeed.
          const detail = `object store request failed: ${operation}: ${describeError(e.cause)}`;
          throw new RegistryError(500, detail, undefined, { cause: e.cause });
        }
        throw unavailable(
          `object store unavailable: ${operation}: ${describeError(e.cause)} (after ${e.attempts} attempts)`,
          e.cause,
        );
      }
    });

  const deleteBatch = async (keys: string[]): Promise<void> => {
    let remaining = keys;
    await run(`DeleteObjects ${keys.length} keys from ${keys[0]}`, async () => {
      const out = await client.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: remaining.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      const errors = out.Errors ?? [];
      if (errors.length > 0) {
        // The request succeeded but some keys did not; retry only those (if their errors are transient).
        const failed = new Set(errors.map((e) => e.Key));
        remaining = remaining.filter((key) => failed.has(key));
        throw new PartialDeleteError(errors.map((e) => ({ key: e.Key ?? '?', code: e.Code ?? 'Unknown' })));
      }
    });
  };

  async function* listKeys(listPrefix: string): AsyncGenerator<string> {
    const fullPrefix = keyPrefix + listPrefix;
    let token: string | undefined;
    do {
      // Each page takes its own limiter slot: holding one while the caller consumes keys could
      // deadlock a caller that puts or deletes from inside the loop.
      const page = await run(`ListObjectsV2 ${fullPrefix}`, () =>
        client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            ...(fullPrefix ? { Prefix: fullPrefix } : {}),
            ...(token ? { ContinuationToken: token } : {}),
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key?.startsWith(keyPrefix)) yield object.Key.slice(keyPrefix.length);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  return {
    description: `s3://${bucket}${prefix ? `/${prefix}` : ''}`,

    async put(key: string, body: Uint8Array, putOptions: PutOptions): Promise<void> {
      const Key = toS3Key(key);
      // Content-MD5 makes S3 reject a body corrupted in transit instead of storing it.
      const contentMd5 = createHash('md5').update(body).digest('base64');
      await run(`PutObject ${Key}`, () =>
        client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key,
            Body: body,
            ContentType: putOptions.contentType,
            CacheControl: CACHE_CONTROL[putOptions.cacheClass],
            ...(putOptions.contentEncoding ? { ContentEncoding: putOptions.contentEncoding } : {}),
            ContentMD5: contentMd5,
          }),
        ),
      );
    },

    async get(key: string) {
      const Key = toS3Key(key);
      return run(`GetObject ${Key}`, async () => {
        try {
          const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key }));
          // Read the body inside the retried call: a connection reset mid-body is as transient as one
          // before the headers.
          const body = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
          return { body, info: toInfo(key, { ...out, ContentLength: body.byteLength }) };
        } catch (e) {
          if (isAbsent(e)) return undefined;
          throw e;
        }
      });
    },

    async head(key: string) {
      const Key = toS3Key(key);
      return run(`HeadObject ${Key}`, async () => {
        try {
          return toInfo(key, await client.send(new HeadObjectCommand({ Bucket: bucket, Key })));
        } catch (e) {
          if (isAbsent(e)) return undefined;
          throw e;
        }
      });
    },

    async delete(keys: readonly string[]): Promise<void> {
      const s3Keys = [...new Set(keys.map(toS3Key))];
      const batches: string[][] = [];
      for (let i = 0; i < s3Keys.length; i += DELETE_BATCH) batches.push(s3Keys.slice(i, i + DELETE_BATCH));
      await Promise.all(batches.map(deleteBatch));
    },

    list(listPrefix: string): AsyncIterable<string> {
      return listKeys(listPrefix);
    },
  };
}

interface ObjectHeaders {
  ContentLength?: number | undefined;
  ETag?: string | undefined;
  ContentType?: string | undefined;
  CacheControl?: string | undefined;
  ContentEncoding?: string | undefined;
}

function toInfo(key: string, headers: ObjectHeaders): StoredObjectInfo {
  return {
    key,
    size: headers.ContentLength ?? 0,
    etag: headers.ETag ?? '',
    contentType: headers.ContentType ?? 'application/octet-stream',
    cacheControl: headers.CacheControl ?? '',
    ...(headers.ContentEncoding ? { contentEncoding: headers.ContentEncoding } : {}),
  };
}

/** S3's own "try again later" codes, on top of COMMON_RETRYABLE_CODES (RequestTimeout comes as a 400). */
const RETRYABLE_CODES = new Set(['SlowDown', 'ThrottledException', 'BandwidthLimitExceeded']);

function isRetryable(e: unknown): boolean {
  if (e instanceof PartialDeleteError)
    return e.failures.every((f) => RETRYABLE_CODES.has(f.code) || COMMON_RETRYABLE_CODES.has(f.code));
  return isRetryableAwsError(e, RETRYABLE_CODES);
}

function isAbsent(e: unknown): boolean {
  const { name, code, status } = factsOf(e);
  // A missing bucket is a misconfiguration, not an absent object; HEAD cannot tell them apart (no body).
  if (name === 'NoSuchBucket' || code === 'NoSuchBucket') return false;
  return name === 'NoSuchKey' || name === 'NotFound' || status === 404;
}

function describeError(e: unknown): string {
  const { name, code, status, message } = factsOf(e);
  const label = [name, code && code !== name ? code : undefined].filter(Boolean).join('/');
  return `${label || 'error'}${status !== undefined ? ` (HTTP ${status})` : ''}: ${message}`;
}
