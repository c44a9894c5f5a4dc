import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexPkg from 'knex';
import pino from 'pino';
import { publishVersion } from '../../api/services/publish.js';
import { viewPageAssembler } from '../../builder/lists.js';
import { streamEverything } from '../../builder/render-full.js';
import { runBuild } from '../../builder/runs.js';
import { renderServer } from '../../builder/servers.js';
import { createSiteSigner } from '../../builder/signing.js';
import { PAGE_FAMILIES } from '../../core/layout/pages.js';
import { LIST_VIEWS } from '../../core/layout/views.js';
import type { ServerJson } from '../../core/server-json.js';
import { createServerJsonValidator } from '../../core/validation/index.js';
import { openDatabase } from '../../db/connect.js';
import { createFilesystemStore } from '../../store/filesystem.js';
import type { ObjectStore } from '../../store/types.js';
import { withDatabase } from '../../test/helpers/db.js';
import { generateRegistry } from './generate.js';
import { ROOT, writeResult } from './util.js';

/**
 * Builder benchmarks (issue 3): at S servers / V versions on PostgreSQL —
 * - full build into an empty directory: time, peak RSS, and the floor measured in the same run
 *   (the same rows read, the same documents serialized and written, without the builder's
 *   bookkeeping: hashing, diffing against the tree state, ordering);
 * - incremental build after one publish (objects written, time), at 10k and at 100k servers;
 * - no-op build (objects written);
 * (The S3 upload benchmark is scripts/bench/s3.ts.)
 * Each measured phase runs in a child process, so its peak RSS is its own.
 */
interface Phase {
  ms: number;
  maxRssMiB: number;
  objectsWritten?: number;
  objectsDeleted?: number;
  objects?: number;
}

function runPhase(args: string[]): Phase {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'scripts/bench/build.ts'), 'phase', ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return JSON.parse(out.trim().split('\n').pop() as string) as Phase;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

export async function main(args: Record<string, string | undefined>): Promise<void> {
  const databaseUrl = args.databaseUrl;
  if (!databaseUrl)
    throw new Error('the build benchmark needs PostgreSQL: --database-url or TEST_DATABASE_URL');
  const sizes = (args.servers ?? '10000,100000').split(',').map(Number);
  const results: Record<string, unknown> = { date: new Date().toISOString(), sizes: {} };
  for (const servers of sizes) {
    const versions = servers * 5;
    const dbName = `mcpreg_bench_build_${servers}`;
    const admin = knexPkg.knex({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
    await admin.raw(`drop database if exists ${dbName} with (force)`);
    await admin.raw(`create database ${dbName}`);
    await admin.destroy();
    const url = withDatabase(databaseUrl, dbName);
    const site = mkdtempSync(join(tmpdir(), 'mcpreg-bench-site-'));
    const floorSite = mkdtempSync(join(tmpdir(), 'mcpreg-bench-floor-'));
    try {
      const db = await openDatabase({ databaseUrl: url, dataDir: '' });
      const t0 = Date.now();
      await generateRegistry(db.knex, servers, versions);
      await db.close();
      log(
        `${servers} servers / ${versions} versions generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
      const floor = runPhase(['floor', url, floorSite]);
      log(
        `floor: ${(floor.ms / 1000).toFixed(1)} s, ${floor.objects} objects, peak RSS ${floor.maxRssMiB} MiB`,
      );
      const full = runPhase(['full', url, site]);
      log(
        `full build: ${(full.ms / 1000).toFixed(1)} s, ${full.objectsWritten} objects, peak RSS ${full.maxRssMiB} MiB`,
      );
      const incremental = runPhase(['incremental', url, site]);
      log(
        `incremental after one publish: ${incremental.ms} ms, ${incremental.objectsWritten} objects written`,
      );
      const noop = runPhase(['noop', url, site]);
      log(`no-op build: ${noop.ms} ms, ${noop.objectsWritten} objects written`);
      const fullAgain = runPhase(['full', url, site]);
      log(
        `full build over an up-to-date tree: ${(fullAgain.ms / 1000).toFixed(1)} s, ${fullAgain.objectsWritten} written`,
      );
      (results.sizes as Record<string, unknown>)[servers] = {
        servers,
        versions,
        floor,
        full,
        fullToFloor: Number((full.ms / floor.ms).toFixed(2)),
        incremental,
        noop,
        fullOverUpToDateTree: fullAgain,
      };
    } finally {
      rmSync(site, { recursive: true, force: true });
      rmSync(floorSite, { recursive: true, force: true });
      const cleanup = knexPkg.knex({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
      await cleanup.raw(`drop database if exists ${dbName} with (force)`);
      await cleanup.destroy();
    }
  }
  log(`results: ${writeResult('build', results)}`);
}

// ---- phases (child processes) ---------------------------------------------------------------

const quiet = pino({ level: 'warn' });
const signer = createSiteSigner(Buffer.alloc(32, 7));

async function phase(kind: string, rest: string[]): Promise<Phase> {
  const [url, dir] = rest as [string, string];
  const db = await openDatabase({ databaseUrl: url, dataDir: '' });
  const store = createFilesystemStore(dir);
  const options = { db, store, signer, logger: quiet, target: 'bench' };
  try {
    const started = Date.now();
    if (kind === 'floor') {
      const objects = await floorPhase(db.knex, store);
      return { ms: Date.now() - started, maxRssMiB: maxRss(), objects };
    }
    if (kind === 'incremental') {
      const last = await db.knex('servers').select('name').orderBy('name', 'desc').first();
      const doc = JSON.parse(
        JSON.stringify(
          (await db.knex('server_versions').select('value').where({ server_name: last.name }).first()).value,
        ),
      ) as ServerJson;
      await publishVersion(
        { knex: db.knex, validator: createServerJsonValidator() },
        { ...doc, version: '99.0.0' },
        {
          id: 'bench',
          permissions: [{ action: 'publish', resource: '*' }],
        },
      ).catch(() => undefined);
    }
    const t = Date.now();
    const outcome = await runBuild(options, {
      kind: kind === 'full' ? 'full' : 'incremental',
      requestedBy: 'bench',
      wait: true,
    });
    if (outcome.status !== 'succeeded') throw new Error(`build ${outcome.status}: ${outcome.error}`);
    return {
      ms: Date.now() - t,
      maxRssMiB: maxRss(),
      objectsWritten: outcome.objectsWritten,
      objectsDeleted: outcome.objectsDeleted,
    };
  } finally {
    await db.close();
  }
}

/** The same reads and the same documents, serialized and written, with no tree bookkeeping. */
async function floorPhase(knex: import('knex').Knex, store: ObjectStore): Promise<number> {
  let objects = 0;
  const pending: Promise<void>[] = [];
  const put = (o: { key: string; body: Uint8Array }) => {
    objects++;
    pending.push(store.put(o.key, o.body, { contentType: 'application/json', cacheClass: 'mutable' }));
  };
  const assemblers = LIST_VIEWS.flatMap((view) =>
    PAGE_FAMILIES.map((family) => ({ view, assembler: viewPageAssembler(view, family, undefined, put) })),
  );
  await streamEverything(knex, assemblers, async (servers) => {
    for (const group of servers) {
      for (const o of renderServer(group[0]?.serverName as string, group, 'all').objects) put(o);
    }
    await Promise.all(pending.splice(0));
  });
  return objects;
}

const maxRss = () => Math.round(process.resourceUsage().maxRSS / 1024);

if (process.argv[2] === 'phase') {
  const result = await phase(process.argv[3] as string, process.argv.slice(4));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
