import { RegistryError, unavailable } from '../core/errors.js';

/**
 * The one place that knows PostgreSQL error codes. Everything above db/ sees RegistryError:
 * a constraint the services could not pre-check becomes a 409, a lost or refused connection a 503.
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

export class UniqueViolation extends Error {
  constructor(
    readonly constraint: string | undefined,
    cause: unknown,
  ) {
    super(`unique constraint ${constraint ?? '?'} violated`, { cause });
    this.name = 'UniqueViolation';
  }
}

export function translateDbError(err: unknown): Error {
  if (err instanceof RegistryError || err instanceof UniqueViolation) return err;
  const e = err as { code?: string; constraint?: string; name?: string; message?: string };
  if (e.code === '23505') return new UniqueViolation(e.constraint, err);
  if (
    (e.code && CONNECTION_CODES.has(e.code)) ||
    e.name === 'KnexTimeoutError' ||
    /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
      e.message ?? '',
    )
  ) {
    return unavailable('The database is unavailable; try again shortly', err);
  }
  return err instanceof Error ? err : new Error(String(err));
}
