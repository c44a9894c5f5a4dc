import type { Knex } from 'knex';
import { pickLatest } from '../../core/versions.js';
import type { JournalPosition } from '../../db/repositories/journal.js';
import { listVersionSummaries, setLatestFlag, type VersionSummary } from '../../db/repositories/versions.js';

/**
 * The official rule since registry#1081: latest is the highest non-deleted version by the version
 * comparison; if every version is deleted, the highest deleted one keeps the flag. Exactly one row
 * carries it. Returns the versions whose flag changed.
 */
export function chooseLatest(versions: readonly VersionSummary[]): VersionSummary | undefined {
  const live = versions.filter((v) => v.status !== 'deleted');
  return pickLatest(live.length > 0 ? live : [...versions]);
}

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
