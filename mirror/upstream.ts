import { setTimeout as delay } from 'node:timers/promises';
import { AppError } from '../core/errors.js';
import { RetriesEnded } from '../store/errors.js';
import { retryWithBackoff } from '../store/retry.js';

/**
 * The upstream registry's list endpoint, asked politely and robustly: every request waits its turn under
 * a rate cap (the official registry allows 180 per minute per address), has a timeout, and is retried
 * with full-jitter backoff on network errors, timeouts and 5xx; a 429 waits what `Retry-After` says.
 * Anything else upstream answers (a 4xx, a body that is not a list) ends the sync with its reason.
 */
export interface UpstreamPage {
  servers: unknown[];
  nextCursor: string | undefined;
}

export interface ListQuery {
  cursor?: string | undefined;
  updatedSince?: string | undefined;
}

export interface UpstreamClient {
  readonly baseUrl: string;
  list(query: ListQuery): Promise<UpstreamPage>;
  /** HTTP requests sent so far, retries included. */
  readonly requests: number;
}

export interface UpstreamOptions {
  baseUrl: string;
  ratePerMinute: number;
  timeoutMs: number;
  maxAttempts?: number;
  userAgent: string;
  /** Longest `Retry-After` honoured (a larger one ends the sync instead of stalling it). */
  maxRetryAfterMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export const PAGE_LIMIT = 100;

export class UpstreamError extends AppError {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(retryable ? 'unavailable' : 'failed', message);
  }
}

/** `https://registry.example/v0.1/` → `https://registry.example` (the client adds the version prefix). */
export function upstreamBase(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/v0(\.1)?$/, '');
}

export function createUpstreamClient(options: UpstreamOptions): UpstreamClient {
  const sleep = options.sleep ?? ((ms: number) => delay(ms).then(() => undefined));
  const base = upstreamBase(options.baseUrl);
  const spacingMs = 60_000 / options.ratePerMinute;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 300_000;
  let nextSlot = 0;
  let requests = 0;

  async function takeSlot(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, nextSlot);
    nextSlot = at + spacingMs;
    if (at > now) await sleep(at - now);
  }

  async function once(url: string): Promise<UpstreamPage> {
    await takeSlot();
    requests++;
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { accept: 'application/json', 'user-agent': options.userAgent },
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (e) {
      const timedOut = (e as Error).name === 'TimeoutError';
      throw new UpstreamError(timedOut ? `timed out after ${options.timeoutMs} ms` : 'network error', true);
    }
    if (res.status === 429) {
      const wait = retryAfterMs(res.headers.get('retry-after'));
      await res.body?.cancel();
      if (wait > maxRetryAfterMs)
        throw new UpstreamError(`rate limited for ${Math.round(wait / 1000)} s`, false);
      await sleep(wait);
      throw new UpstreamError('rate limited (429)', true);
    }
    if (res.status >= 500) {
      await res.body?.cancel();
      throw new UpstreamError(`upstream answered ${res.status}`, true);
    }
    const text = await res.text();
    if (res.status !== 200) {
      throw new UpstreamError(`upstream answered ${res.status}: ${text.slice(0, 200)}`, false);
    }
    return parsePage(text);
  }

  return {
    baseUrl: base,
    get requests() {
      return requests;
    },
    async list(query) {
      const params = new URLSearchParams({ limit: String(PAGE_LIMIT), include_deleted: 'true' });
      if (query.cursor) params.set('cursor', query.cursor);
      if (query.updatedSince) params.set('updated_since', query.updatedSince);
      const url = `${base}/v0.1/servers?${params}`;
      try {
        return await retryWithBackoff(
          () => once(url),
          (e) => e instanceof UpstreamError && e.retryable,
          { maxAttempts: options.maxAttempts ?? 6, baseDelayMs: 500, maxDelayMs: 30_000, sleep },
        );
      } catch (e) {
        const cause = e instanceof RetriesEnded ? e.cause : e;
        const reason = cause instanceof Error ? cause.message : String(cause);
        const attempts = e instanceof RetriesEnded && e.retryable ? ` (after ${e.attempts} attempts)` : '';
        throw new UpstreamError(`${base}: ${reason}${attempts}`, false);
      }
    },
  };
}

function parsePage(text: string): UpstreamPage {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UpstreamError('upstream answered something that is not JSON', false);
  }
  const d = doc as { servers?: unknown; metadata?: { nextCursor?: unknown } };
  if (!d || !Array.isArray(d.servers)) throw new UpstreamError('upstream answer has no servers list', false);
  const next = d.metadata?.nextCursor;
  return { servers: d.servers, nextCursor: typeof next === 'string' && next !== '' ? next : undefined };
}

/** `Retry-After` in seconds or as an HTTP date; 1 s when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  if (!header) return 1_000;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? 1_000 : Math.max(0, at - now);
}
