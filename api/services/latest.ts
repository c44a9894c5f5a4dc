import type { Knex } from 'knex';
import { chooseLatest } from '../../core/versions.js';
import type { JournalPosition } from '../../db/repositories/journal.js';
import { listVersionSummaries, setLatestFlag } from '../../db/repositories/versions.js';

/**
 * Moves the latest flag to the version the rule ({@link chooseLatest}, core/versions.ts) picks.
 * Returns the versions whose flag changed.
 */
export async function recalculateLatest(
  trx: Knex.Transaction,
  name: string,
  at: JournalPosition,
): Promise<string[]> {
  const versions = await listVersionSummaries(trx, name);
  const chosen = chooseLatest(versions);
  const current = versions.find((v) => v.isLatest);
  if (!chosen || chosen.version === current?.version) return [];
  // Clear before set: the unique partial index allows one latest row at any moment.
  if (current) await setLatestFlag(trx, name, current.version, false, at);
  await setLatestFlag(trx, name, chosen.version, true, at);
  return current ? [current.version, chosen.version] : [chosen.version];
}
