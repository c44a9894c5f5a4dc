import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ApiError, ClientError, SiteError } from './errors.js';

/**
 * The client layer's one HTTP primitive (node:http, not fetch: undici costs start-up time every
 * publisher command would pay), and the two ways it is used: `requestJson` for the registry's API
 * (JSON in and out, a bearer token, problem+json errors) and `getRaw` for the read side (bytes as
 * served, redirects followed). Tokens travel only in the Authorization header and never appear in
 * an error message.
 */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 3;

/**
 * One request; GETs follow up to three redirects (CloudFront sends http → https). Rejects only when
 * no answer came, with the reason (`ECONNREFUSED`, `ENOTFOUND`, `no answer in time`…) as `message`.
 */
export function sendRequest(
  url: URL,
  options: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
  redirects = 0,
): Promise<RawResponse> {
  const method = options.method ?? 'GET';
  const send = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : undefined;
  if (!send)
    return Promise.reject(new ClientError(`${url.href}: only http and https URLs can be used`, 'usage'));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  return new Promise<RawResponse>((resolve, reject) => {
    const req = send(url, { method, headers, timeout: timeoutMs }, (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (method === 'GET' && status >= 300 && status < 400 && location && redirects < MAX_REDIRECTS) {
        res.resume();
        resolve(sendRequest(new URL(location, url), options, redirects + 1));
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (err) => reject(reason(err)));
      res.on('end', () => resolve({ status, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('timeout', () =>
      req.destroy(Object.assign(new Error('no answer in time'), { code: 'no answer in time' })),
    );
    req.on('error', (err) => reject(reason(err)));
    req.end(options.body);
  });
}

const reason = (err: NodeJS.ErrnoException) => new Error(err.code ?? err.message);

/** GET as raw bytes; anything but 200 is a SiteError carrying the status. */
export async function getRaw(url: URL): Promise<Buffer> {
  let response: RawResponse;
  try {
    response = await sendRequest(url);
  } catch (err) {
    if (err instanceof ClientError) throw err;
    throw new SiteError(`GET ${url.href}: ${(err as Error).message}`);
  }
  if (response.status !== 200)
    throw new SiteError(`GET ${url.href}: HTTP ${response.status}`, response.status);
  return response.body;
}

export interface JsonRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  token?: string | undefined;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface JsonResponse<T> {
  status: number;
  body: T;
}

/** Sends one API request; 2xx answers resolve with the parsed body, anything else throws an ApiError. */
export async function requestJson<T>(url: string, options: JsonRequest = {}): Promise<JsonResponse<T>> {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  let payload: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(options.body);
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const target = new URL(url);
  let response: RawResponse;
  try {
    response = await sendRequest(target, {
      method,
      headers,
      ...(payload === undefined ? {} : { body: payload }),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  } catch (err) {
    if (err instanceof ClientError) throw err;
    throw new ClientError(
      `cannot reach ${target.origin}${target.pathname}: ${(err as Error).message}`,
      'unavailable',
    );
  }
  const text = response.body.toString('utf8');
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
