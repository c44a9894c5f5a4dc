import type { Knex } from 'knex';
import { conflict } from '../core/errors.js';
import { translateDbError, UniqueViolation } from './errors.js';

/**
 * Runs `work` in one transaction and translates what the database throws. Services own the
 * transaction boundary; repositories just take the `trx` they are given.
 */
export async function inTransaction<T>(knex: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  try {
    return await knex.transaction(work);
  } catch (err) {
    const translated = translateDbError(err);
    if (translated instanceof UniqueViolation) {
      throw conflict('The change conflicts with a concurrent change; retry it', [translated.message]);
    }
    throw translated;
  }
}

/** For reads outside a transaction: same translation of connection failures. */
export async function query<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw translateDbError(err);
  }
}
