import { setTimeout as delay } from 'node:timers/promises';
import { RetriesEnded } from './errors.js';

/**
 * The one retry loop of the adapters (S3 store, CloudFront invalidator): full-jitter exponential
 * backoff — attempt n waits a random time in [0, min(maxDelayMs, baseDelayMs · 2^(n-1))) — so clients
 * that failed together do not retry together. Each adapter brings its own idea of what is transient.
 */
export interface BackoffPolicy {
  /** Attempts including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => delay(ms).then(() => undefined);

export async function retryWithBackoff<T>(
  operation: (attempt: number) => Promise<T>,
  isRetryable: (e: unknown) => boolean,
  policy: BackoffPolicy,
): Promise<T> {
  const sleep = policy.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (e) {
      const retryable = isRetryable(e);
      if (!retryable || attempt >= policy.maxAttempts) throw new RetriesEnded(e, retryable, attempt);
      await sleep(Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)));
    }
  }
}
