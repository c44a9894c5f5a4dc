import {
  invalidationDone,
  invalidationFailed,
  recordInvalidation,
} from '../../db/repositories/invalidations.js';
import type { Queryable } from '../../db/sql.js';
import type { BuildOutcome } from '../options.js';
import type { CdnInvalidator } from './cloudfront.js';

/**
 * The invalidate-after-build step, one home for the builder daemon and `mcp-registry build`: a
 * succeeded build's changed mutable keys are recorded as an owed invalidation first (so a failure
 * stays visible and is retried), then sent; a failed send is counted against
 * MAX_INVALIDATION_ATTEMPTS and retried by the daemon with backoff (30 s × 2^attempts).
 */
export const MAX_INVALIDATION_ATTEMPTS = 8;

/** Records what a build owes the CDN; undefined when nothing is owed (no CDN, failed build, no changes). */
export async function recordOwedInvalidation(
  knex: Queryable,
  invalidator: CdnInvalidator | undefined,
  outcome: BuildOutcome,
): Promise<{ id: number; keys: readonly string[] } | undefined> {
  if (!invalidator || outcome.status !== 'succeeded' || outcome.changedMutableKeys.length === 0) {
    return undefined;
  }
  const id = await recordInvalidation(knex, outcome.runId, outcome.changedMutableKeys);
  return { id, keys: outcome.changedMutableKeys };
}

/** Sends one owed invalidation and records how it went; answers the error message when it failed. */
export async function sendOwedInvalidation(
  knex: Queryable,
  invalidator: CdnInvalidator,
  owed: { id: number; keys: readonly string[] },
): Promise<string | undefined> {
  try {
    const result = await invalidator.invalidate([...owed.keys]);
    await invalidationDone(knex, owed.id, result.invalidationIds);
    return undefined;
  } catch (err) {
    const message = (err as Error).message;
    await invalidationFailed(knex, owed.id, message, MAX_INVALIDATION_ATTEMPTS);
    return message;
  }
}

/** Both steps at once, for a build run outside the daemon: answers the error message if the send failed. */
export async function invalidateAfterBuild(
  knex: Queryable,
  invalidator: CdnInvalidator | undefined,
  outcome: BuildOutcome,
): Promise<string | undefined> {
  const owed = await recordOwedInvalidation(knex, invalidator, outcome);
  return owed && invalidator ? sendOwedInvalidation(knex, invalidator, owed) : undefined;
}
