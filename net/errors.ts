import { AppError } from '../core/errors.js';

/**
 * The network layer's errors. A FetchRefused is an outbound request the registry would not make
 * (an address that is not public, a redirect, a body over the limit) or that failed (timeout, DNS,
 * TLS, an HTTP status other than 200); its message is safe to show the caller (no secrets, no
 * response bodies).
 */
export class FetchRefused extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('failed', message, options);
  }
}
