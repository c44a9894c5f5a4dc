// test-tier: slow
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type LocalCdn, startLocalCdn } from '../../cdn/local-server.js';
import { run } from '../../cli/main.js';
import type { SearchResult } from '../../client/search.js';
import { ANON } from '../helpers/app.js';
import { type BuildFixture, useBuildFixture } from '../helpers/builder.js';
import { openTestPGlite } from '../helpers/db.js';
import { captureIo } from '../helpers/io.js';

/** `mcp-registry search` end to end: a built tree served by the local CDN, the command in process. */
describe('search command', () => {
  let f: BuildFixture;
  let cdn: LocalCdn;
  let config: string;
  useBuildFixture({ name: 'pglite', open: openTestPGlite }, (fixture) => {
    f = fixture;
  });
  before(() => {
    config = mkdtempSync(join(tmpdir(), 'mcpreg-search-cli-'));
  });
  after(async () => {
    await cdn?.close();
    rmSync(config, { recursive: true, force: true });
  });

  async function search(...args: string[]) {
    const io = captureIo({ XDG_CONFIG_HOME: config });
    const code = await run(['search', ...args], io);
    return { code, out: io.out.join('\n'), err: io.err.join('\n') };
  }

  it('finds servers over HTTP, for people and with --json', async () => {
    await f.publish({ name: `${ANON}/weather`, description: 'Forecasts for tests' });
    await f.publish({
      name: `${ANON}/radar`,
      description: 'Weather radar images',
      packages: [],
      remotes: [{ type: 'streamable-http', url: 'https://radar.example.com/mcp' }],
    });
    await f.setStatus(`${ANON}/radar`, '1.0.0', 'deprecated');
    assert.equal((await f.build()).status, 'succeeded');
    cdn = await startLocalCdn({ root: f.root, port: 0, cache: { maxBytes: 0 } });

    const people = await search('Weather', '--read-url', cdn.url);
    assert.equal(people.code, 0, people.err);
    assert.deepEqual(people.out.split('\n'), [
      `${ANON}/weather 1.0.0`,
      '  Forecasts for tests',
      '  npm @example/weather@1.0.0',
      `${ANON}/radar 1.0.0 (deprecated)`,
      '  Weather radar images',
      '  streamable-http https://radar.example.com/mcp',
    ]);
    assert.match(people.err, /^2 server\(s\) match weather \(1–2 shown; [\d.]+ KiB fetched\)$/);

    // The read side found from --registry (it serves the tree's index.json), one page of one.
    const machine = await search('radar', 'images', '--registry', cdn.url, '--limit', '1', '--json');
    assert.equal(machine.code, 0, machine.err);
    const result = JSON.parse(machine.out) as SearchResult;
    assert.deepEqual(result.words, ['radar', 'images']);
    assert.equal(result.total, 1);
    assert.equal(result.hits[0]?.status, 'deprecated');
    assert.ok(result.bytesFetched > 0);
  });

  it('bad input is one plain line and a usage exit; a site without an index fails', async () => {
    await f.publish({ name: `${ANON}/weather` });
    assert.equal((await f.build()).status, 'succeeded');
    await cdn?.close();
    cdn = await startLocalCdn({ root: f.root, port: 0, cache: { maxBytes: 0 } });
    const short = await search('x', '--read-url', cdn.url);
    assert.equal(short.code, 2);
    assert.match(short.err, /at least one word of two letters or digits/);
    const limit = await search('weather', '--limit', '0', '--read-url', cdn.url);
    assert.equal(limit.code, 2);
    assert.match(limit.err, /--limit must be a whole number from 1 to 100/);

    await f.store.delete(['search/index.json']);
    const missing = await search('weather', '--read-url', cdn.url);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /has no search index \(search\/index\.json\)/);
    assert.equal(missing.err.split('\n').length, 1, missing.err);
  });
});
