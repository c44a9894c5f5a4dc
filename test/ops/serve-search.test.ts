// test-tier: slow
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ServerList } from '../../core/shapes.js';
import { startServe } from '../../scripts/bench/util.js';

/** `?search=` end to end on `npm start`'s one URL: publish, then find it the way clients search. */
describe('serve (npm start): ?search=', () => {
  it('answers a word prefix from the result pages and says where to go for other queries', async () => {
    const base = mkdtempSync(join(tmpdir(), 'mcpreg-serve-search-'));
    const registry = await startServe({ dataDir: join(base, 'data'), siteDir: join(base, 'site') });
    try {
      const token = await registry.anonymousToken();
      const names = ['weather-radar', 'weatherstation', 'tide-tables'].map(
        (local) => `io.modelcontextprotocol.anonymous/${local}`,
      );
      for (const name of names) {
        const res = await registry.publish(token, { name, description: 'Search e2e', version: '1.0.0' });
        assert.equal(res.status, 200, await res.clone().text());
      }
      const search = async (query: string) => {
        const started = Date.now();
        for (;;) {
          const res = await fetch(`${registry.cdn}/v0.1/servers?${query}`);
          const body = (await res.json()) as ServerList;
          // Each URL is held by the local CDN's memory for up to a second: wait for the build.
          if (res.status === 200 && body.servers.length === 2) return body;
          if (Date.now() - started > 120_000) assert.fail(`${query}: ${res.status} ${JSON.stringify(body)}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      const found = await search('search=Weath&version=latest');
      assert.deepEqual(
        found.servers.map((s) => s.server.name),
        names.slice(0, 2),
      );
      assert.deepEqual(found.metadata, { count: 2 });
      assert.deepEqual((await search('search=weather&limit=5')).metadata, { count: 2 });

      const refused = await fetch(`${registry.cdn}/v0.1/servers?search=weather+radar`);
      assert.equal(refused.status, 400);
      assert.equal(refused.headers.get('content-type'), 'application/problem+json');
      const problem = (await refused.json()) as { detail: string };
      assert.match(problem.detail, /\/search\/index\.json/);
      assert.match(problem.detail, /browse page \(\/\)/);
    } finally {
      assert.equal(await registry.stop(), 0, registry.output());
      rmSync(base, { recursive: true, force: true });
    }
  });
});
