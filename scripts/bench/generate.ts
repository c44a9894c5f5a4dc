import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { prng } from '../../test/helpers/random.js';

/**
 * A registry of N servers with a realistic spread of versions (most servers have one or a few, a
 * long tail has dozens), documents shaped like the official examples, ~2% deprecated and ~1% deleted
 * versions. Rows go straight into the tables with consistent journal positions (one per version), as
 * if each had been published in turn; the journal table itself is left empty (the builder reads
 * positions from the rows and the journal head).
 */
const SHARED = join(import.meta.dirname, '..', '..', '..', 'shared');

/** Version counts per server summing to `versions`: a heavy-tailed spread. */
export function versionCounts(servers: number, versions: number, seed = 7): number[] {
  const random = prng(seed);
  const counts = Array.from({ length: servers }, () => {
    const r = random();
    if (r < 0.45) return 1;
    if (r < 0.7) return 2 + Math.floor(random() * 4);
    if (r < 0.93) return 5 + Math.floor(random() * 10);
    return 15 + Math.floor(random() * 30);
  });
  // Scale to the exact total.
  let total = counts.reduce((a, b) => a + b, 0);
  let i = 0;
  while (total !== versions) {
    const idx = i++ % servers;
    if (total < versions) {
      counts[idx] = (counts[idx] as number) + 1;
      total++;
    } else if ((counts[idx] as number) > 1) {
      counts[idx] = (counts[idx] as number) - 1;
      total--;
    }
  }
  return counts;
}

export async function generateRegistry(knex: Knex, servers: number, versions: number): Promise<void> {
  const examples = readdirSync(join(SHARED, 'spec', 'examples'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map(
      (f) => JSON.parse(readFileSync(join(SHARED, 'spec', 'examples', f), 'utf8')) as Record<string, unknown>,
    );
  const counts = versionCounts(servers, versions);
  const random = prng(11);
  const start = Date.parse('2025-09-01T00:00:00Z');
  let seq = 0;
  let serverRows: Record<string, unknown>[] = [];
  let versionRows: Record<string, unknown>[] = [];
  const flush = async () => {
    if (serverRows.length) await knex('servers').insert(serverRows);
    if (versionRows.length) {
      await knex.raw(
        `insert into server_versions (server_name, version, value, status, status_changed_at, status_message,
            published_at, updated_at, is_latest, seq)
         select server_name, version, value, status, published_at, null, published_at, published_at, is_latest, seq
           from jsonb_to_recordset(?::jsonb) as x(server_name text, version text, value jsonb, status text,
             published_at timestamptz, is_latest boolean, seq bigint)`,
        [JSON.stringify(versionRows)],
      );
    }
    serverRows = [];
    versionRows = [];
  };
  for (let s = 0; s < servers; s++) {
    const org = `io.github.org${(s % 997).toString(36)}`;
    const name = `${org}/server-${s.toString(36)}`;
    const template = examples[s % examples.length] as Record<string, unknown>;
    const count = counts[s] as number;
    serverRows.push({
      name,
      name_key: name.toLowerCase(),
      version_count: count,
      created_at: new Date(start + seq * 1000).toISOString(),
    });
    for (let v = 0; v < count; v++) {
      seq++;
      const version = `${1 + Math.floor(v / 10)}.${v % 10}.${Math.floor(random() * 3)}`;
      const roll = random();
      versionRows.push({
        server_name: name,
        version,
        value: {
          ...template,
          name,
          version,
          description: `${String(template.description ?? 'An MCP server').slice(0, 60)} (${s}/${v})`,
        },
        status: roll < 0.01 ? 'deleted' : roll < 0.03 ? 'deprecated' : 'active',
        published_at: new Date(start + seq * 1000).toISOString(),
        is_latest: v === count - 1,
        seq,
      });
    }
    if (versionRows.length >= 2000) await flush();
  }
  await flush();
  await knex.raw('update journal_head set seq = ?, at = ?', [
    seq,
    new Date(start + (seq + 1) * 1000).toISOString(),
  ]);
  await knex.raw('analyze');
}
