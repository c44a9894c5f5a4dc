// test-tier: slow
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { loadMirrorState } from '../../db/repositories/mirror.js';
import { listMirrorRuns } from '../../db/repositories/mirror-runs.js';
import { countVersions } from '../../db/repositories/versions.js';
import { openTestPostgres, postgresTestUrl } from '../helpers/db.js';
import {
  generateEntries,
  startUpstreamRegistry,
  type UpstreamRegistry,
} from '../helpers/upstream-registry.js';

/**
 * The mirror's builder process killed with SIGKILL in the middle of its first crawl (PostgreSQL: its
 * sync lock dies with its connection): nothing is applied half-way, and the restarted process resumes
 * the crawl at the page it had reached instead of starting over.
 */
const url = postgresTestUrl();
const ROOT = join(import.meta.dirname, '..', '..');

describe('mirror killed mid-crawl (SIGKILL) resumes', {
  skip: url ? false : 'needs PostgreSQL (TEST_DATABASE_URL)',
}, () => {
  let db: Awaited<ReturnType<typeof openTestPostgres>>;
  let peer: UpstreamRegistry;
  let site: string;
  before(async () => {
    db = await openTestPostgres(url as string);
    peer = await startUpstreamRegistry(generateEntries(1_000));
    peer.delayMs = 250;
    site = mkdtempSync(join(tmpdir(), 'mirror-kill-'));
  });
  after(async () => {
    await peer.close();
    await db.close();
    rmSync(site, { recursive: true, force: true });
  });

  const startBuilder = (): ChildProcess =>
    spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'builder'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        SITE_DIR: site,
        MIRROR_UPSTREAM: peer.url,
        MIRROR_RATE_PER_MINUTE: '6000',
        BUILD_INCREMENTAL_SCHEDULE: 'off',
        BUILD_NIGHTLY_SCHEDULE: 'off',
        PACKAGE_VALIDATION: 'off',
        LOG_LEVEL: 'silent',
      },
      stdio: 'ignore',
    });

  async function until(check: () => Promise<boolean>, what: string, ms = 180_000) {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await delay(100);
    }
  }

  test('killed after some pages, restarted: the same run completes, only the missing pages are fetched', async () => {
    const first = startBuilder();
    const exited = new Promise((resolve) => first.once('exit', resolve));
    const staged = async () => {
      const state = await loadMirrorState(db.knex, peer.url);
      return state.crawl?.cursor != null && !state.crawl.fetched;
    };
    await until(staged, 'the first pages to be staged');
    first.kill('SIGKILL');
    await exited;
    const atKill = await loadMirrorState(db.knex, peer.url);
    assert.equal(await countVersions(db.knex), 0, 'a crawl is applied only when complete');
    const requestsBeforeRestart = peer.requests.length;

    const second = startBuilder();
    try {
      await until(async () => (await listMirrorRuns(db.knex))[0]?.status === 'succeeded', 'the resumed sync');
    } finally {
      second.kill('SIGTERM');
      await new Promise((resolve) => second.once('exit', resolve));
    }
    assert.equal(await countVersions(db.knex), 1_000);
    const runs = await listMirrorRuns(db.knex);
    assert.equal(runs.length, 1, 'the resumed crawl is the same run');
    assert.equal(runs[0]?.fetched, 1_000, 'every entry staged once');
    const resumedFrom = new URL(peer.requests[requestsBeforeRestart]!, 'http://x').searchParams.get('cursor');
    assert.equal(
      resumedFrom,
      atKill.crawl?.cursor,
      'the restart asked for the page after the last staged one',
    );
    assert.equal(
      peer.requests.filter((r) => !r.includes('cursor=')).length,
      1,
      'the first page was fetched once',
    );
  });
});
