import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Io, run } from '../../cli/main.js';
import type { BuildRun } from '../../db/repositories/builds.js';

function captureIo(env: Record<string, string | undefined>): Io & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { env, out, err, stdout: (l) => out.push(l), stderr: (l) => err.push(l) };
}

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
});
