/**
 * The core layer's errors and the one error catalogue. Every failure that reaches a user is a
 * RegistryError; the API maps it to problem+json (RFC 9457) with the same `title`/`status`/`detail`/
 * `errors[]` as the official registry, and the CLI prints `detail` and the items in `errors`. Nothing
 * above an adapter throws vendor errors.
 *
 * Every error class of the project (one module per layer: core/errors.ts, db/errors.ts,
 * store/errors.ts, builder/errors.ts, cli/errors.ts) extends {@link AppError}, so a caller (the CLI's
 * exit code, a log line's level) reads what happened from `kind` instead of testing a list of
 * classes; a RegistryError adds the HTTP `status` it maps to.
 */

/**
 * What kind of failure it is, as a caller must react to it: `usage` (the command line or the
 * configuration is wrong: fix it and run again), `invalid`, `unauthorized`, `forbidden`, `not-found`,
 * `conflict` (the request itself), `unavailable` (a dependency is down or busy: retry later),
 * `failed` (an operation's outcome was refused, e.g. a signature that does not verify), `internal`
 * (a bug).
 */
export type ErrorKind =
  | 'usage'
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'unavailable'
  | 'failed'
  | 'internal';

/** The base of every error the project throws on purpose. */
export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** The kind an HTTP status stands for. */
export function kindOfStatus(status: number): ErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 429 || status === 503) return 'unavailable';
  if (status >= 500) return 'internal';
  return 'invalid';
}

export interface ProblemItem {
  message: string;
  location?: string;
  value?: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export class RegistryError extends AppError {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors: ProblemItem[] | undefined;

  constructor(status: number, detail: string, errors?: ProblemItem[], options?: { cause?: unknown }) {
    super(
      kindOfStatus(status),
      errors?.length ? `${detail}: ${errors.map((e) => e.message).join('; ')}` : detail,
      options,
    );
    this.status = status;
    this.title = TITLES[status] ?? 'Error';
    this.detail = detail;
    this.errors = errors;
  }

  toProblem(): Problem {
    return {
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(this.errors?.length ? { errors: this.errors } : {}),
    };
  }
}

/** The problem+json body, exactly as the official registry sends it (no `type`, no `$schema`). */
export interface Problem {
  title: string;
  status: number;
  detail: string;
  errors?: ProblemItem[];
}

const items = (messages: string[] | undefined): ProblemItem[] | undefined =>
  messages?.map((message) => ({ message }));

export const badRequest = (detail: string, messages?: string[]) =>
  new RegistryError(400, detail, items(messages));
export const unauthorized = (detail: string, messages?: string[]) =>
  new RegistryError(401, detail, items(messages));
export const forbidden = (detail: string) => new RegistryError(403, detail);
export const notFound = (detail: string) => new RegistryError(404, detail);
export const conflict = (detail: string, messages?: string[]) =>
  new RegistryError(409, detail, items(messages));
export const unprocessable = (detail: string, errors?: ProblemItem[]) =>
  new RegistryError(422, detail, errors);
/** The store could not be reached or timed out; safe for the caller to retry. */
export const unavailable = (detail: string, cause?: unknown) =>
  new RegistryError(503, detail, undefined, { cause });

export const isRegistryError = (e: unknown): e is RegistryError => e instanceof RegistryError;

/** The detail every unexpected 5xx is sent with; what really happened goes to the log only. */
export const INTERNAL_DETAIL = 'Internal server error';

/** What a client is told: a 500 (a bug, or a dependency's own words) never carries its detail out. */
export function publicProblem(err: RegistryError): Problem {
  if (err.status >= 500 && err.status !== 503)
    return { title: err.title, status: err.status, detail: INTERNAL_DETAIL };
  return err.toProblem();
}

/** Invalid configuration: every problem found, listed together. */
export class ConfigError extends AppError {
  constructor(readonly problems: string[]) {
    super('usage', `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}
