import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Io, run } from '../../cli/main.js';
import { captureIo } from '../helpers/io.js';
import {
  loadFixtureEntries,
  startUpstreamRegistry,
  type UpstreamRegistry,
} from '../helpers/upstream-registry.js';

/** `mcp-registry mirror` and `import --as-mirror`, in process, on one embedded data directory each. */
describe('mcp-registry mirror and import --as-mirror', () => {
  let peer: UpstreamRegistry;
  let root: string;
  before(async () => {
    peer = await startUpstreamRegistry(loadFixtureEntries());
    root = mkdtempSync(join(tmpdir(), 'mcpreg-mirror-cli-'));
  });
  after(async () => {
    await peer.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('mirror <url> --once syncs and reports; --status shows the state and the sync', async () => {
    const env = { DATA_DIR: join(root, 'a'), MIRROR_RATE_PER_MINUTE: '6000' };
    const once = captureIo(env);
    assert.equal(await run(['mirror', peer.url, '--once', '--json'], once), 0, once.err.join('\n'));
    const report = JSON.parse(once.out[0]!);
    assert.equal(report.kind, 'full');
    assert.equal(report.added, 200);
    assert.match(once.err.join('\n'), /full sync: 200 fetched, 200 added, 0 updated, 0 refused/);

    const again = captureIo(env);
    assert.equal(await run(['mirror', peer.url, '--once', '--json'], again), 0);
    assert.equal(JSON.parse(again.out[0]!).kind, 'incremental');

    const status = captureIo({ ...env, MIRROR_UPSTREAM: `${peer.url}/v0.1` });
    assert.equal(await run(['mirror', '--status', '--json'], status), 0);
    const state = JSON.parse(status.out[0]!);
    assert.equal(state.upstream, peer.url);
    assert.equal(state.syncs.length, 2);
    assert.equal(state.crawl, undefined);
    assert.ok(state.highWater, 'the newest upstream change applied is recorded');
  });

  test('no upstream is a usage error; an upstream that refuses is one line and exit 1', async () => {
    const usage = captureIo({ DATA_DIR: join(root, 'b') });
    assert.equal(await run(['mirror', '--once'], usage), 2);
    assert.match(usage.err.join('\n'), /no upstream: give its URL, or set MIRROR_UPSTREAM/);
    const failing = captureIo({ DATA_DIR: join(root, 'b') });
    assert.equal(await run(['mirror', `${peer.url}/nothing-here`, '--once'], failing), 1);
    assert.match(failing.err.join('\n'), /sync failed: .*upstream answered 404/);
    assert.doesNotMatch(failing.err.join('\n'), /\n\s+at /, 'no stack trace without --debug');
  });

  test('import takes a saved list response: through the publish rules, or --as-mirror as upstream has it', async () => {
    const file = join(root, 'crawl.json');
    writeFileSync(file, JSON.stringify({ servers: loadFixtureEntries(), metadata: { count: 200 } }));
    const env = { DATA_DIR: join(root, 'c') };
    const plain = captureIo(env);
    assert.equal(await run(['import', file, '--json'], plain), 0, plain.err.join('\n'));
    const summary = JSON.parse(plain.out[0]!);
    assert.equal(summary.total, 200);
    assert.ok(summary.invalid > 0, 'today’s rules refuse some of what upstream served');

    const lenient = captureIo({ DATA_DIR: join(root, 'd') });
    assert.equal(await run(['import', file, '--as-mirror', '--json'], lenient), 0, lenient.err.join('\n'));
    const applied = JSON.parse(lenient.out[0]!);
    assert.deepEqual([applied.added, applied.refused], [200, 0]);
    assert.ok(applied.withIssues > 0);
    const twice = captureIo({ DATA_DIR: join(root, 'd') });
    assert.equal(await run(['import', file, '--as-mirror', '--json'], twice), 0);
    assert.deepEqual([JSON.parse(twice.out[0]!).unchanged, JSON.parse(twice.out[0]!).added], [200, 0]);

    const seedArray = captureIo(env);
    writeFileSync(join(root, 'array.json'), '[]');
    assert.equal(await run(['import', join(root, 'array.json'), '--as-mirror'], seedArray), 2);
    assert.match(seedArray.err.join('\n'), /--as-mirror takes an official list response/);
  });
});
