// test-tier: slow
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { listRuns } from '../../db/repositories/builds.js';
import { generateRegistry } from '../../scripts/bench/generate.js';
import { type BuildFixture, crawl, openBuildFixture } from '../helpers/builder.js';
import { openTestPostgres, postgresTestUrl } from '../helpers/db.js';

/**
 * A builder process killed with SIGKILL at several points of a build (PostgreSQL: the killed
 * process's build lock dies with its connection): the public tree stays readable end to end, and
 * the next build completes it and marks the killed runs.
 */
const url = postgresTestUrl();

describe('builder killed mid-build (SIGKILL)', {
  skip: url ? false : 'needs PostgreSQL (TEST_DATABASE_URL)',
}, () => {
  let f: BuildFixture;
  let db: Awaited<ReturnType<typeof openTestPostgres>>;
  before(async () => {
    db = await openTestPostgres(url as string);
    f = await openBuildFixture(db);
    await generateRegistry(db.knex, 700, 2800);
  });
  after(async () => {
    await f?.close();
    await db?.close();
  });

  const spawnBuild = (kind: string): ChildProcess =>
    spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'build', '--kind', kind], {
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        SITE_DIR: f.root,
        SITE_SIGNING_KEY: '11'.repeat(32),
        LOG_LEVEL: 'silent',
      },
      stdio: 'ignore',
    });

  const objectsRecorded = async () =>
    Number((await db.knex('tree_objects').count<{ c: string }[]>('* as c').first())?.c ?? 0);

  async function killWhen(child: ChildProcess, objects: number): Promise<void> {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    for (;;) {
      if ((await objectsRecorded()) >= objects) break;
      if (child.exitCode !== null) throw new Error(`the build ended before ${objects} objects`);
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGKILL');
    await exited;
  }

  /** What a client sees right after the kill: if the first page exists, every list reads to the end. */
  async function assertReadable(label: string): Promise<void> {
    if (!(await f.store.head('lists/live/25/first.json'))) return; // nothing published yet: the old (empty) tree
    for (const query of ['', 'include_deleted=true', 'version=latest']) {
      const seen = await crawl(f, query);
      assert.equal(new Set(seen).size, seen.length, `${label}: no item twice (${query})`);
    }
  }

  it('leaves a readable tree at every kill point and the next build completes it', async () => {
    for (const [kind, at] of [
      ['full', 300],
      ['full', 4_000],
      ['incremental', 9_000],
    ] as const) {
      await killWhen(spawnBuild(kind), at);
      await assertReadable(`killed ${kind} build at ${at} objects`);
    }
    const repaired = await f.build('incremental');
    assert.equal(repaired.status, 'succeeded', repaired.error);
    const live = await crawl(f);
    const expected = await db
      .knex('server_versions')
      .whereNot('status', 'deleted')
      .count<{ c: string }[]>('* as c')
      .first();
    assert.equal(live.length, Number(expected?.c));
    const again = await f.build('full');
    assert.equal(again.objectsWritten, 0, 'the repaired tree is exactly what a full build renders');
    const runs = (await listRuns(db.knex, { limit: 20 })).filter((r) => r.requestedBy === 'cli');
    const killed = runs.filter((r) => r.retryOf === null);
    assert.equal(killed.length, 3, JSON.stringify(runs.map((r) => [r.id, r.status, r.retryOf, r.attempt])));
    assert.ok(
      killed.every((r) => r.status === 'failed' && /abandoned/.test(r.error ?? '')),
      JSON.stringify(killed),
    );
    // Each killed run is queued again for a builder daemon, as attempt 2.
    const retries = runs.filter((r) => r.retryOf !== null);
    assert.deepEqual(
      retries.map((r) => [r.status, r.attempt]),
      killed.map(() => ['queued', 2]),
    );
  });
});
