import { AppError, type ErrorKind, kindOfStatus, type ProblemItem } from '../core/errors.js';

/**
 * The client layer's errors (one module per layer). The CLI prints `message`, then each line of
 * `details`; the exit code derives from `kind` (core/errors.ts).
 */

/** An answer from the registry that is not a success: its problem+json `detail` and `errors[]`. */
export class ApiError extends AppError {
  constructor(
    readonly status: number,
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(kindOfStatus(status), message);
  }

  /** Reads a problem+json body (RFC 9457, the official registry's shape); anything else is summarised. */
  static fromResponse(method: string, url: string, status: number, body: string): ApiError {
    let problem: { title?: unknown; detail?: unknown; errors?: unknown } | undefined;
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed && typeof parsed === 'object') problem = parsed as typeof problem;
    } catch {
      // not JSON: described below
    }
    const detail = typeof problem?.detail === 'string' ? problem.detail : undefined;
    const title = typeof problem?.title === 'string' ? problem.title : undefined;
    const items = Array.isArray(problem?.errors) ? (problem.errors as ProblemItem[]) : [];
    const details = items.map((item) =>
      item && typeof item === 'object'
        ? `${typeof item.location === 'string' && item.location ? `${item.location}: ` : ''}${String(item.message)}`
        : String(item),
    );
    const what = detail ?? title ?? (body.trim() ? body.trim().slice(0, 200) : 'no details');
    return new ApiError(status, `${method} ${url}: HTTP ${status}: ${what}`, details);
  }
}

/** The registry (or GitHub, or a key file) could not be used: unreachable, malformed answer, bad input. */
export class ClientError extends AppError {
  constructor(
    message: string,
    kind: ErrorKind = 'failed',
    readonly details: readonly string[] = [],
  ) {
    super(kind, message);
  }
}

/** A published tree read wrong or could not be fetched (`status`: the HTTP status seen, if any). */
export class SiteError extends AppError {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super('failed', message);
  }
}
