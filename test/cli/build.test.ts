import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Io, run } from '../../cli/main.js';
import { openDatabase } from '../../db/connect.js';
import type { BuildRun } from '../../db/repositories/builds.js';
import { startCloudFrontPeer } from '../helpers/cloudfront-peer.js';
import { captureIo } from '../helpers/io.js';

/** `mcp-registry build` and `builds` on the embedded database, as an operator runs them. */
describe('build and builds commands', () => {
  let base: string;
  let env: Record<string, string>;
  before(() => {
    base = mkdtempSync(join(tmpdir(), 'mcpreg-cli-build-'));
    const dataDir = join(base, 'data');
    if (process.env.PGLITE_TEMPLATE_DIR)
      cpSync(process.env.PGLITE_TEMPLATE_DIR, join(dataDir, 'pglite'), { recursive: true });
    env = { DATA_DIR: dataDir, SITE_DIR: join(base, 'site'), LOG_LEVEL: 'silent' };
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  test('builds now, queues for the daemon, lists and shows runs; bad arguments exit 2', async () => {
    const built = captureIo(env);
    assert.equal(await run(['build', '--kind', 'full'], built), 0, built.err.join('\n'));
    assert.match(built.err.join('\n'), /full build #1 succeeded: seq 0 → 0, \d+ objects written/);
    assert.ok(existsSync(join(base, 'site', 'index.json')));

    const queued = captureIo(env);
    assert.equal(await run(['build', '--queue', '--kind', 'snapshot', '--json'], queued), 0);
    const run2 = JSON.parse(queued.out[0] as string) as BuildRun;
    assert.deepEqual([run2.kind, run2.status, run2.requestedBy], ['snapshot', 'queued', 'cli']);

    const list = captureIo(env);
    assert.equal(await run(['builds', '--json'], list), 0);
    const runs = JSON.parse(list.out[0] as string) as BuildRun[];
    assert.deepEqual(
      runs.map((r) => [r.id, r.kind, r.status]),
      [
        [2, 'snapshot', 'queued'],
        [1, 'full', 'succeeded'],
      ],
    );
    const one = captureIo(env);
    assert.equal(await run(['builds', '1'], one), 0);
    assert.match(one.out[0] as string, /^#1 full succeeded \(requested by cli/);

    for (const args of [
      ['build', '--kind', 'everything'],
      ['builds', 'abc'],
      ['build', '--bogus'],
    ]) {
      const io = captureIo(env);
      assert.equal(await run(args, io), 2, args.join(' '));
      assert.match(io.err.join('\n'), /^error: /);
    }
    const missing = captureIo(env);
    assert.equal(await run(['builds', '99'], missing), 1);
    assert.match(missing.err.join('\n'), /build 99 not found/);
  });

  test('with a CDN, build invalidates what changed, and records a failed invalidation for the daemon to retry', async () => {
    const peer = await startCloudFrontPeer();
    const dir = mkdtempSync(join(tmpdir(), 'mcpreg-cli-build-cdn-'));
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'test'; // the SDK's credential chain, read by the invalidator
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
    try {
      const dataDir = join(dir, 'data');
      if (process.env.PGLITE_TEMPLATE_DIR)
        cpSync(process.env.PGLITE_TEMPLATE_DIR, join(dataDir, 'pglite'), { recursive: true });
      const cdnEnv = {
        DATA_DIR: dataDir,
        SITE_DIR: join(dir, 'site'),
        LOG_LEVEL: 'silent',
        CLOUDFRONT_DISTRIBUTION_ID: peer.distributionId,
        CLOUDFRONT_ENDPOINT: peer.endpoint,
      };
      const first = captureIo(cdnEnv);
      assert.equal(await run(['build', '--kind', 'full'], first), 0, first.err.join('\n'));
      const paths = peer.invalidations.flatMap((i) => i.paths);
      assert.ok(paths.includes('/index.json'), JSON.stringify(paths));

      const seed = join(dir, 'seed.json');
      writeFileSync(
        seed,
        JSON.stringify([
          {
            $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
            name: 'io.modelcontextprotocol.anonymous/cdn',
            description: 'invalidated',
            version: '1.0.0',
          },
        ]),
      );
      assert.equal(await run(['import', seed], captureIo(cdnEnv)), 0);
      peer.failNext(1, { status: 403, code: 'AccessDenied', type: 'Sender', message: 'no' });
      const second = captureIo(cdnEnv);
      assert.equal(await run(['build'], second), 0, 'the build itself succeeded');
      assert.match(
        second.err.join('\n'),
        /warning: CDN invalidation failed \(the builder daemon retries it\): .*AccessDenied/,
      );

      const db = await openDatabase({ databaseUrl: undefined, dataDir });
      try {
        const rows = await db.knex('cdn_invalidations').orderBy('id');
        assert.deepEqual(
          rows.map((r: { status: string; attempts: number }) => [r.status, r.attempts]),
          [
            ['done', 1],
            ['pending', 1],
          ],
        );
      } finally {
        await db.close();
      }
    } finally {
      process.env.AWS_ACCESS_KEY_ID = saved.id;
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      await peer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
