/**
 * Reading AWS SDK errors without depending on their classes: the adapters (store/s3.ts,
 * cdn/cloudfront.ts) share how an error's name, code, HTTP status and wrapped cause are found and
 * when it is worth retrying; each adapter brings its own list of retryable service codes.
 */
export const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
  'EAI_AGAIN',
]);

/**
 * Throttling, timeout and service-side codes every AWS service (and the SDK's HTTP handler) uses for
 * "try again later"; each adapter adds the codes of its own service.
 */
export const COMMON_RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError', // @smithy/node-http-handler's connection and socket timeouts
]);

export interface ErrorFacts {
  name?: string;
  code?: string;
  status?: number;
  message: string;
  cause?: unknown;
}

export function factsOf(e: unknown): ErrorFacts {
  if (typeof e !== 'object' || e === null) return { message: String(e) };
  const record = e as Record<string, unknown>;
  const metadata = record.$metadata;
  const status =
    typeof metadata === 'object' && metadata !== null
      ? (metadata as Record<string, unknown>).httpStatusCode
      : undefined;
  const code = record.Code ?? record.code;
  return {
    ...(typeof record.name === 'string' ? { name: record.name } : {}),
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof status === 'number' ? { status } : {}),
    message: typeof record.message === 'string' ? record.message : String(e),
    cause: record.cause,
  };
}

/** Throttling and service codes in `retryable`, network failures, 5xx and 429 (also on a wrapped cause). */
export function isRetryableAwsError(e: unknown, retryable: ReadonlySet<string>, depth = 0): boolean {
  const facts = factsOf(e);
  const known = (code: string) => retryable.has(code) || COMMON_RETRYABLE_CODES.has(code);
  if (facts.name && known(facts.name)) return true;
  if (facts.code && (known(facts.code) || NETWORK_CODES.has(facts.code))) return true;
  if (facts.message.includes('socket hang up')) return true;
  if (facts.status !== undefined) return facts.status >= 500 || facts.status === 429;
  // The SDK sometimes wraps the socket error it got.
  return depth < 3 && facts.cause !== undefined && isRetryableAwsError(facts.cause, retryable, depth + 1);
}
