import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { runBuild } from '../../builder/runs.js';
import { createSiteSigner } from '../../builder/signing.js';
import { createServerJsonValidator } from '../../core/validation/index.js';
import { openDatabase } from '../../db/connect.js';
import { syncMirror } from '../../mirror/sync.js';
import { createUpstreamClient } from '../../mirror/upstream.js';
import { createFilesystemStore } from '../../store/filesystem.js';
import { generateEntries, OFFICIAL, startUpstreamRegistry } from '../../test/helpers/upstream-registry.js';
import { writeResult } from './util.js';

/**
 * `npm run bench -- mirror [--servers N]`: the first sync of N generated versions (default 20,000)
 * from a loopback upstream that answers like the official list API (versions/s, requests, peak RSS of
 * this process, which also holds the upstream), then an incremental sync after 10 upstream changes
 * (requests, time) and the objects the next build writes. Embedded PGlite, as `npm start` runs it.
 */
const log = (line: string) => process.stderr.write(`${line}\n`);

export async function main(args: Record<string, string | undefined>): Promise<void> {
  const versions = Number(args.servers ?? 20_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'mcpreg-bench-mirror-'));
  const site = mkdtempSync(join(tmpdir(), 'mcpreg-bench-mirror-site-'));
  const peer = await startUpstreamRegistry(generateEntries(versions));
  const db = await openDatabase({ databaseUrl: undefined, dataDir });
  try {
    const validator = createServerJsonValidator();
    const upstream = createUpstreamClient({
      baseUrl: peer.url,
      ratePerMinute: 600_000, // the loopback upstream has no rate limit; measure our side
      timeoutMs: 60_000,
      userAgent: 'bench',
    });
    const sync = () => syncMirror({ db, upstream, validator, marginSeconds: 300 });
    const t0 = performance.now();
    const first = await sync();
    const firstMs = performance.now() - t0;
    log(
      `first sync: ${first.added} versions in ${(firstMs / 1000).toFixed(1)} s, ${first.requests} requests`,
    );

    const store = createFilesystemStore(site);
    const options = {
      db,
      store,
      signer: createSiteSigner(randomBytes(32)),
      logger: pino({ level: 'silent' }),
    };
    const firstBuild = await runBuild(options, { kind: 'incremental', requestedBy: 'bench', wait: true });

    const now = new Date().toISOString();
    for (const e of peer.entries.slice(0, 10)) {
      Object.assign(e._meta[OFFICIAL], { status: 'deprecated', statusMessage: 'bench', updatedAt: now });
    }
    const t1 = performance.now();
    const second = await sync();
    const secondMs = performance.now() - t1;
    const t2 = performance.now();
    const build = await runBuild(options, { kind: 'incremental', requestedBy: 'bench', wait: true });
    const buildMs = performance.now() - t2;
    log(
      `incremental sync after 10 changes: ${second.updated} updated, ${second.requests} requests, ${secondMs.toFixed(0)} ms; next build ${build.objectsWritten} objects in ${buildMs.toFixed(0)} ms`,
    );
    const result = {
      date: new Date().toISOString(),
      backend: 'pglite',
      firstSync: {
        versions: first.added,
        seconds: Number((firstMs / 1000).toFixed(2)),
        versionsPerSecond: Math.round(first.added / (firstMs / 1000)),
        requests: first.requests,
        peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
        firstBuildObjects: firstBuild.objectsWritten,
      },
      incrementalSync: {
        changes: 10,
        updated: second.updated,
        requests: second.requests,
        ms: Math.round(secondMs),
        nextBuildObjects: build.objectsWritten,
        nextBuildMs: Math.round(buildMs),
      },
    };
    log(`results: ${writeResult('mirror', result)}`);
  } finally {
    await db.close();
    await peer.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(site, { recursive: true, force: true });
  }
}
