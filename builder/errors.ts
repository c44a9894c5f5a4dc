import { AppError } from '../core/errors.js';

/**
 * The builder layer's errors. (MassDeletionError still lives in builder/build.ts, which another
 * branch splits; it moves here then.)
 */

/**
 * An invalidation that did not go through. The caller records it and invalidates again later:
 * `unsubmittedPaths` are the paths whose request failed plus those never sent; `invalidationIds` are the
 * requests of this call that did succeed before it. `retryable` says whether the failure was transient
 * (throttling, quota in progress, 5xx, network) rather than one that needs a fix (AccessDenied,
 * NoSuchDistribution, InvalidArgument).
 */
export class InvalidationError extends AppError {
  readonly distributionId: string;
  /** The AWS error code (e.g. TooManyInvalidationsInProgress), or the network error code. */
  readonly code: string;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly attempts: number;
  /** Paths in the request that failed. */
  readonly pathCount: number;
  readonly invalidationIds: string[];
  readonly unsubmittedPaths: string[];

  constructor(fields: {
    distributionId: string;
    code: string;
    status: number | undefined;
    retryable: boolean;
    attempts: number;
    pathCount: number;
    invalidationIds: string[];
    unsubmittedPaths: string[];
    detail: string;
    cause: unknown;
  }) {
    const status = fields.status !== undefined ? ` (HTTP ${fields.status})` : '';
    const outcome = fields.retryable
      ? `gave up after ${fields.attempts} attempts; retry later`
      : 'not retryable';
    const earlier = fields.invalidationIds.length
      ? `; ${fields.invalidationIds.length} earlier request(s) of this call succeeded`
      : '';
    super(
      fields.retryable ? 'unavailable' : 'failed',
      `CloudFront invalidation of ${fields.pathCount} paths on distribution ${fields.distributionId} failed: ` +
        `${fields.code}${status}: ${fields.detail} (${outcome}${earlier})`,
      { cause: fields.cause },
    );
    this.distributionId = fields.distributionId;
    this.code = fields.code;
    this.status = fields.status;
    this.retryable = fields.retryable;
    this.attempts = fields.attempts;
    this.pathCount = fields.pathCount;
    this.invalidationIds = fields.invalidationIds;
    this.unsubmittedPaths = fields.unsubmittedPaths;
  }
}

/** The CDN answered in a shape it should not have. Its name is the code an InvalidationError reports. */
export class MalformedResponseError extends AppError {
  override readonly name = 'MalformedResponse';
  constructor(message: string) {
    super('failed', message);
  }
}
