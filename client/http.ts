import { ApiError, ClientError } from './errors.js';

/**
 * The client layer's one HTTP call: JSON in, JSON out, a bearer token when given, a timeout, and
 * every failure turned into an ApiError (the registry's problem+json) or a ClientError (unreachable,
 * not JSON). Tokens travel only in the Authorization header and never appear in an error message.
 */
export interface JsonRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as `application/x-www-form-urlencoded` (OAuth endpoints accept it everywhere). */
  form?: Record<string, string>;
  token?: string | undefined;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface JsonResponse<T> {
  status: number;
  body: T;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Sends one request; 2xx answers resolve with the parsed body, anything else throws. */
export async function requestJson<T>(url: string, options: JsonRequest = {}): Promise<JsonResponse<T>> {
  const method = options.method ?? (options.body === undefined && !options.form ? 'GET' : 'POST');
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  let payload: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(options.body);
  } else if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(options.form).toString();
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      ...(payload === undefined ? {} : { body: payload }),
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      redirect: 'follow',
    });
  } catch (err) {
    throw new ClientError(`cannot reach ${originOf(url)}: ${describeNetworkError(err)}`, 'unavailable');
  }
  const text = await response.text();
  if (response.status < 200 || response.status >= 300) {
    throw ApiError.fromResponse(method, url, response.status, text);
  }
  if (text === '') return { status: response.status, body: undefined as T };
  try {
    return { status: response.status, body: JSON.parse(text) as T };
  } catch {
    throw new ClientError(`${method} ${url}: the answer is not JSON`);
  }
}

function originOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url;
  }
}

function describeNetworkError(err: unknown): string {
  const error = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (error.name === 'TimeoutError') return 'no answer in time';
  return error.cause?.code ?? error.cause?.message ?? error.message ?? String(err);
}
