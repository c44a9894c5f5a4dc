import { AppError } from '../core/errors.js';

/** The store layer's errors (the adapters turn vendor errors into these or into RegistryErrors). */

/** The last failure of a retried operation, with what the loop learned about it. */
export class RetriesEnded extends AppError {
  constructor(
    override readonly cause: unknown,
    /** False when the failure was not worth retrying (it stopped the loop at once). */
    readonly retryable: boolean,
    readonly attempts: number,
  ) {
    super(
      retryable ? 'unavailable' : 'failed',
      retryable ? `gave up after ${attempts} attempts` : 'not retryable',
    );
  }
}

/** A DeleteObjects call that left some keys in place; retried if every failure is transient. */
export class PartialDeleteError extends AppError {
  readonly failures: { key: string; code: string }[];
  constructor(failures: { key: string; code: string }[]) {
    const sample = failures.slice(0, 3).map((f) => `${f.key}: ${f.code}`);
    super(
      'failed',
      `${failures.length} keys not deleted (${sample.join(', ')}${failures.length > 3 ? ', …' : ''})`,
    );
    this.failures = failures;
  }
}
