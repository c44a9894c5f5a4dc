import { randomBytes } from 'node:crypto';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { factsOf, isRetryableAwsError } from '../../store/aws-errors.js';
import { RetriesEnded } from '../../store/errors.js';
import { retryWithBackoff } from '../../store/retry.js';
import { InvalidationError, MalformedResponseError } from '../errors.js';
import { planInvalidationPaths } from './paths.js';

/**
 * The CloudFront adapter: the only module that knows @aws-sdk/client-cloudfront. After a build it
 * invalidates the mutable keys that changed, so the CDN serves them before their 60 s TTL runs out.
 * Like the S3 adapter it retries with its own loop (the SDK's retries are off) and turns SDK errors into
 * one error type of ours, InvalidationError, so nothing above it sees vendor types.
 *
 * CloudFront's limits (Developer Guide, "Quotas on invalidations" and "Concurrent invalidation request
 * maximum"): at most 3,000 file paths in progress per distribution, and, independently, at most 15
 * wildcard paths in progress. Over either, CreateInvalidation answers TooManyInvalidationsInProgress,
 * which we retry with backoff. So one invalidate() call submits at most `wildcardThreshold` (≤ 3,000)
 * paths, of which at most `maxWildcardPaths` (≤ 15) wildcards, in requests of `maxPathsPerRequest`.
 */

export interface CloudFrontInvalidatorOptions {
  distributionId: string;
  /** CloudFront is a global service whose API is signed for us-east-1. Default us-east-1. */
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Paths per CreateInvalidation request. Default 1000, at most 3000. */
  maxPathsPerRequest?: number;
  /**
   * The most paths one invalidate() call submits. More distinct paths than this are collapsed into
   * prefix wildcards (see planInvalidationPaths). Default 1000, at most 3000 (the in-progress quota).
   */
  wildcardThreshold?: number;
  /** The most wildcard paths one invalidate() call submits. Default 10, at most 15 (the in-progress quota). */
  maxWildcardPaths?: number;
  /** Attempts per request, including the first. Default 5. */
  maxAttempts?: number;
  /**
   * Backoff base; attempt n waits a random time in [0, base * 2^(n-1)), capped at 30 s. Default 1000 ms:
   * TooManyInvalidationsInProgress lasts until earlier invalidations finish, which takes seconds, not
   * milliseconds.
   */
  baseDelayMs?: number;
  /** Start of every CallerReference, to tell our invalidations apart in the console. Default "mcp-registry". */
  callerReferencePrefix?: string;
  sleep?: (ms: number) => Promise<void>;
}

export interface InvalidationResult {
  /** The CloudFront invalidation ids created, one per request, in submission order. */
  invalidationIds: string[];
  /** The paths submitted, sorted (wildcards included when the keys were collapsed). */
  paths: string[];
  /** True when there were too many keys and they were collapsed into wildcard paths. */
  collapsed: boolean;
}

export interface CdnInvalidator {
  /** Invalidates `/{key}` for each key. No keys, no request. */
  invalidate(keys: readonly string[]): Promise<InvalidationResult>;
  /** Releases the HTTP client's sockets. */
  close(): void;
}

/** CloudFront quotas: paths and wildcard paths in progress per distribution. */
const MAX_PATHS_IN_PROGRESS = 3000;
const MAX_WILDCARDS_IN_PROGRESS = 15;
const MAX_DELAY_MS = 30_000;

export function createCloudFrontInvalidator(options: CloudFrontInvalidatorOptions): CdnInvalidator {
  const { distributionId } = options;
  if (!/^[A-Za-z0-9]+$/.test(distributionId)) throw new Error('distributionId must be alphanumeric');
  const maxPathsPerRequest = options.maxPathsPerRequest ?? 1000;
  const wildcardThreshold = options.wildcardThreshold ?? 1000;
  const maxWildcardPaths = options.maxWildcardPaths ?? 10;
  const maxAttempts = options.maxAttempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 1000;
  const prefix = options.callerReferencePrefix ?? 'mcp-registry';
  requireInteger('maxPathsPerRequest', maxPathsPerRequest, 1, MAX_PATHS_IN_PROGRESS);
  requireInteger('wildcardThreshold', wildcardThreshold, 1, MAX_PATHS_IN_PROGRESS);
  requireInteger('maxWildcardPaths', maxWildcardPaths, 1, MAX_WILDCARDS_IN_PROGRESS);
  requireInteger('maxAttempts', maxAttempts, 1, 100);
  if (!(Number.isFinite(baseDelayMs) && baseDelayMs >= 0)) throw new Error('baseDelayMs must be ≥ 0');
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(prefix)) {
    throw new Error('callerReferencePrefix must be 1 to 64 of [A-Za-z0-9._-]');
  }

  const client = new CloudFrontClient({
    region: options.region ?? 'us-east-1',
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // We retry; SDK retries on top would multiply attempts and hide them from our policy.
    maxAttempts: 1,
    // Without timeouts a half-dead connection would stall a build forever instead of being retried.
    requestHandler: { connectionTimeout: 5_000, socketTimeout: 60_000 },
  });

  /**
   * One request, retried. The CallerReference stays the same across attempts: when a request reached
   * CloudFront but its answer was lost, the retry gets the invalidation already created back instead of
   * creating (and paying for) a second one.
   */
  const policy = {
    maxAttempts,
    baseDelayMs,
    maxDelayMs: MAX_DELAY_MS,
    ...(options.sleep ? { sleep: options.sleep } : {}),
  };
  const submit = (paths: string[], callerReference: string): Promise<string> =>
    retryWithBackoff(
      async () => {
        const out = await client.send(
          new CreateInvalidationCommand({
            DistributionId: distributionId,
            InvalidationBatch: {
              CallerReference: callerReference,
              Paths: { Quantity: paths.length, Items: paths },
            },
          }),
        );
        const id = out.Invalidation?.Id;
        if (!id) throw new MalformedResponseError('CreateInvalidation answered without an invalidation id');
        return id;
      },
      isRetryable,
      policy,
    );

  return {
    async invalidate(keys: readonly string[]): Promise<InvalidationResult> {
      const { paths, collapsed } = planInvalidationPaths(keys, {
        maxPaths: wildcardThreshold,
        maxWildcards: maxWildcardPaths,
      });
      const batches: string[][] = [];
      for (let i = 0; i < paths.length; i += maxPathsPerRequest) {
        batches.push(paths.slice(i, i + maxPathsPerRequest));
      }
      const invalidationIds: string[] = [];
      const startedAt = Date.now();
      // One request at a time: they share the in-progress quota, so parallel requests only fail sooner.
      for (const [index, batch] of batches.entries()) {
        const callerReference = `${prefix}-${startedAt}-${index}-${randomBytes(6).toString('hex')}`;
        try {
          invalidationIds.push(await submit(batch, callerReference));
        } catch (e) {
          if (!(e instanceof RetriesEnded)) throw e;
          const facts = factsOf(e.cause);
          throw new InvalidationError({
            distributionId,
            code: errorCode(e.cause),
            status: facts.status,
            retryable: e.retryable,
            attempts: e.attempts,
            pathCount: batch.length,
            invalidationIds: [...invalidationIds],
            unsubmittedPaths: batches.slice(index).flat(),
            detail: facts.message,
            cause: e.cause,
          });
        }
      }
      return { invalidationIds, paths, collapsed };
    },

    close(): void {
      client.destroy();
    },
  };
}

function requireInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}`);
  }
}

/**
 * CloudFront's own "try again later" codes, on top of COMMON_RETRYABLE_CODES, whatever the HTTP status.
 * TooManyInvalidationsInProgress (HTTP 400) clears as earlier invalidations complete; Throttling is a 400
 * too. Everything else below 500 (AccessDenied, NoSuchDistribution, InvalidArgument, BatchTooLarge,
 * InconsistentQuantities, …) needs a fix, not a retry.
 */
const RETRYABLE_CODES = new Set(['TooManyInvalidationsInProgress', 'InternalFailure']);

function isRetryable(e: unknown): boolean {
  return isRetryableAwsError(e, RETRYABLE_CODES);
}

/** The AWS error code of an SDK error, else the network code (possibly on a wrapped cause), else the name. */
function errorCode(e: unknown, depth = 0): string {
  const facts = factsOf(e);
  if (facts.code) return facts.code;
  if (facts.name && facts.name !== 'Error') return facts.name;
  if (depth < 3 && facts.cause !== undefined) return errorCode(facts.cause, depth + 1);
  return facts.message.includes('socket hang up') ? 'ECONNRESET' : 'Unknown';
}
