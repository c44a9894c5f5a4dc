import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexPkg from 'knex';
import { publishVersion } from '../../api/services/publish.js';
import { renderSearchIndex, updateSearchState } from '../../builder/search-index.js';
import { TreeWriter } from '../../builder/writer.js';
import type { ServerJson } from '../../core/server-json.js';
import { createServerJsonValidator } from '../../core/validation/index.js';
import { openDatabase } from '../../db/connect.js';
import { createFilesystemStore } from '../../store/filesystem.js';
import { withDatabase } from '../../test/helpers/db.js';
import { generateRegistry } from './generate.js';

/**
 * The search index through the builder's own code on PostgreSQL (scripts/bench/search.ts calls it):
 * a generated registry of N servers (scripts/bench/generate.ts), then the whole index (term update
 * and render, timed apart), then publishes of new servers, each followed by the index part of an
 * incremental build: objects written and time.
 */
export async function measureIndexBuilds(
  databaseUrl: string,
  servers: number,
): Promise<Record<string, unknown>> {
  const dbName = `mcpreg_bench_search_${servers}`;
  const admin = knexPkg.knex({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`drop database if exists ${dbName} with (force)`);
  await admin.raw(`create database ${dbName}`);
  const site = mkdtempSync(join(tmpdir(), 'mcpreg-bench-search-db-'));
  const db = await openDatabase({ databaseUrl: withDatabase(databaseUrl, dbName), dataDir: '' });
  try {
    await generateRegistry(db.knex, servers, servers);
    const store = createFilesystemStore(site);
    const target = store.description;
    let build = 1;
    let t = performance.now();
    const state = await updateSearchState(db.knex, target, 'all');
    const termsMs = performance.now() - t;
    t = performance.now();
    const full = new TreeWriter(db.knex, store, target, build++, false);
    await renderSearchIndex(db.knex, full, target, state);
    const renderMs = performance.now() - t;

    const template = (await db.knex('server_versions').select('value').first()).value as ServerJson;
    const publishes: { objects: number; ms: number }[] = [];
    for (let i = 0; i < 5; i++) {
      const name = `io.github.bench${i}/weather-station-${i}`;
      await publishVersion(
        { knex: db.knex, validator: createServerJsonValidator() },
        { ...template, name, version: '1.0.0', description: `Weather station ${i} readings for agents` },
        { id: 'bench', permissions: [{ action: 'publish', resource: '*' }] },
      );
      t = performance.now();
      const writer = new TreeWriter(db.knex, store, target, build++, false);
      await renderSearchIndex(db.knex, writer, target, await updateSearchState(db.knex, target, [name]));
      publishes.push({ objects: writer.stats.written, ms: Math.round(performance.now() - t) });
    }
    return {
      servers,
      fullIndex: {
        termsMs: Math.round(termsMs),
        renderMs: Math.round(renderMs),
        objects: full.stats.written,
      },
      publishes,
    };
  } finally {
    await db.close();
    rmSync(site, { recursive: true, force: true });
    await admin.raw(`drop database if exists ${dbName} with (force)`);
    await admin.destroy();
  }
}
