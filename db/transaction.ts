import type { Knex } from 'knex';
import { translateDbError } from './errors.js';

/**
 * Runs `work` in one transaction and translates what the database throws. Services own the
 * transaction boundary; repositories just take the `trx` they are given.
 */
export async function inTransaction<T>(knex: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return query(() => knex.transaction(work));
}

/** For reads outside a transaction: same translation of connection failures and conflicts. */
export async function query<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw translateDbError(err);
  }
}
