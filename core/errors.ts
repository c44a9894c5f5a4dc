/**
 * The one error catalogue. Every failure that reaches a user is a RegistryError; the API maps it to
 * problem+json (RFC 9457) with the same `title`/`status`/`detail`/`errors[]` as the official registry,
 * and the CLI prints `detail` and the items in `errors`. Nothing above an adapter throws vendor errors.
 */

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

export class RegistryError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors: ProblemItem[] | undefined;

  constructor(status: number, detail: string, errors?: ProblemItem[], options?: { cause?: unknown }) {
    super(errors?.length ? `${detail}: ${errors.map((e) => e.message).join('; ')}` : detail, options);
    this.name = 'RegistryError';
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
