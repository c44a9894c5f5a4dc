import { AppError, conflict, RegistryError, unavailable } from '../core/errors.js';

/**
 * The one place that knows PostgreSQL error codes. Everything above db/ sees RegistryError: a unique
 * constraint the services could not pre-check becomes a 409, a lost or refused connection a 503.
 * The API's error handler runs every error through {@link translateDbError}, so a route that queries
 * without {@link inTransaction} still answers an outage with the same 503.
 */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
]);

export function translateDbError(err: unknown): Error {
  if (err instanceof RegistryError) return err;
  const e = err as { code?: string; constraint?: string; name?: string; message?: string };
  if (e?.code === '23505') {
    return conflict('The change conflicts with a concurrent change; retry it', [
      `unique constraint ${e.constraint ?? '?'} violated`,
    ]);
  }
  if (
    (e?.code && CONNECTION_CODES.has(e.code)) ||
    e?.name === 'KnexTimeoutError' ||
    /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
      e?.message ?? '',
    )
  ) {
    return unavailable('The database is unavailable; try again shortly', err);
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** PGlite's data directory is held by another live process (PGlite cannot be shared). */
export class DataDirLockedError extends AppError {
  constructor(dir: string) {
    super(
      'unavailable',
      `the data directory ${dir} is in use by another registry process; stop it first ` +
        '(PGlite cannot be shared between processes: concurrent writers silently lose data)',
    );
  }
}
