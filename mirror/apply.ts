import type { Knex } from 'knex';
import { intakeUpstreamEntry } from '../core/upstream-intake.js';
import type { ServerJsonValidator } from '../core/validation/index.js';
import { chooseLatest } from '../core/versions.js';
import { applyUpstreamVersion } from '../db/repositories/mirror.js';
import {
  emptyCounters,
  MAX_RECORDED_REFUSALS,
  type MirrorCounters,
  type MirrorRun,
} from '../db/repositories/mirror-runs.js';
import { listVersionSummaries } from '../db/repositories/versions.js';

/**
 * Applies upstream entries, in order, inside the caller's transaction: lenient intake, then each
 * accepted version stored as upstream has it. Shared by the mirror's sync and `import --as-mirror`.
 */
export interface Applied {
  counters: MirrorCounters;
  refusals: MirrorRun['refusals'];
  /** The newest upstream `updatedAt` among accepted entries. */
  highWater: string | undefined;
}

export interface ApplyOptions {
  validator: ServerJsonValidator;
  localNamespaces?: readonly string[] | undefined;
  /** Recorded in the journal, e.g. `mirror:registry.modelcontextprotocol.io`. */
  actor: string;
}

export async function applyEntries(
  trx: Knex.Transaction,
  entries: AsyncIterable<unknown> | Iterable<unknown>,
  options: ApplyOptions,
): Promise<Applied> {
  const counters = emptyCounters();
  const refusals: MirrorRun['refusals'] = [];
  const touched = new Set<string>();
  let highWater: { ms: number; at: string } | undefined;
  const refuse = (name: string | undefined, version: string | undefined, reason: string) => {
    counters.refused++;
    if (refusals.length < MAX_RECORDED_REFUSALS) refusals.push({ name, version, reason });
  };

  for await (const raw of entries) {
    const intake = intakeUpstreamEntry(raw, options);
    if (!intake.ok) {
      refuse(intake.name, intake.version, intake.reason);
      continue;
    }
    const entry = intake.entry;
    const ms = Date.parse(entry.meta.updatedAt);
    if (!highWater || ms > highWater.ms) highWater = { ms, at: entry.meta.updatedAt };
    const outcome = await applyUpstreamVersion(trx, entry, options.actor);
    if (typeof outcome === 'object') {
      refuse(entry.name, entry.version, outcome.refused);
      continue;
    }
    counters[outcome]++;
    if (outcome !== 'unchanged') {
      touched.add(entry.name);
      if (entry.issues.length > 0) counters.withIssues++;
    }
  }
  counters.latestDisagreements = await countLatestDisagreements(trx, touched);
  return { counters, refusals, highWater: highWater?.at };
}

/** Servers whose upstream latest flag is not on the version our own rule would choose. */
async function countLatestDisagreements(trx: Knex.Transaction, names: Set<string>): Promise<number> {
  let count = 0;
  for (const name of names) {
    const versions = await listVersionSummaries(trx, name);
    if (chooseLatest(versions)?.version !== versions.find((v) => v.isLatest)?.version) count++;
  }
  return count;
}
