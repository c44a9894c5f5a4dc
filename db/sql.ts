import type { Knex } from 'knex';

/**
 * Renders a timestamptz column as RFC 3339 UTC the way the official registry (Go's RFC3339Nano) does,
 * the same on every backend: microseconds with trailing zeros dropped (`…:51.18553Z`, `…:50Z`), so a
 * client comparing our documents with the official ones (a mirror, a diff) sees the same strings.
 * (No `?` in the pattern: knex reads it as a binding placeholder.)
 */
export const isoTimestamp = (column: string): string =>
  `regexp_replace(to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), '[.]{0,1}0+$', '') || 'Z'`;

/** Anything that can run a query: the base knex or an open transaction. */
export type Queryable = Knex | Knex.Transaction;

/** int8 arrives as a string from node-postgres; our sequence numbers stay far below 2^53. */
export const toNumber = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

/**
 * `items` in consecutive slices of at most `size`: one statement per slice keeps `where in (…)` lists
 * and multi-row inserts within what the server plans well (and under its parameter limit).
 *
 * @example [...chunks([1, 2, 3, 4, 5], 2)] // [[1, 2], [3, 4], [5]]
 */
export function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
