import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isEdgeResponse, loadEdgeHandler, toEdgeEvent } from '../../cdn/edge/load.js';
import { startLocalCdn } from '../../cdn/local-server.js';
import { findModulesDir, startNginxCdn } from '../../cdn/nginx/nginx.js';
import { serverPageKey } from '../../core/layout/keys.js';
import { ANON } from '../helpers/app.js';
import { type BuildFixture, useBuildFixture } from '../helpers/builder.js';
import { testBackends } from '../helpers/db.js';

const nginxSkip = (() => {
  try {
    execFileSync('nginx', ['-v'], { stdio: 'ignore' });
    if (findModulesDir() !== undefined) return false;
  } catch {}
  return process.env.MCPREG_REQUIRE_NGINX ? false : 'nginx with the njs module is not installed';
})();

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('edge: `/` by Accept', () => {
  const edge = loadEdgeHandler();
  const keyOf = (accept?: string) => {
    const result = edge(toEdgeEvent('GET', '/?q=weather', accept === undefined ? {} : { accept }));
    assert.ok(!isEdgeResponse(result));
    return result.uri;
  };

  it('gives browsers the browse page and everyone else the root document', () => {
    assert.equal(keyOf(BROWSER_ACCEPT), '/index.html');
    assert.equal(keyOf('text/html'), '/index.html');
    assert.equal(keyOf('text/html, application/json'), '/index.html');
    assert.equal(keyOf(undefined), '/index.json', 'curl without Accept');
    assert.equal(keyOf('*/*'), '/index.json', 'curl, fetch()');
    assert.equal(keyOf('application/json'), '/index.json');
    assert.equal(keyOf('application/json, text/html'), '/index.json', 'JSON asked first');
    // The tree's own paths: the page, its script, a server page.
    for (const path of [
      '/index.html',
      '/app/browse.0123456789abcdef.js',
      `/${serverPageKey(`${ANON}/xy`)}`,
    ]) {
      const result = edge(toEdgeEvent('GET', path));
      assert.ok(!isEdgeResponse(result), path);
      assert.equal(result.uri, path);
    }
  });
});

for (const backend of testBackends()) {
  describe(`browse pages in the tree (${backend.name})`, () => {
    let f: BuildFixture;
    useBuildFixture(backend, (fixture) => {
      f = fixture;
    });

    it('a publish rewrites its server page (one more object), a deletion removes it', async () => {
      const name = `${ANON}/browse-build`;
      await f.publish({ name, version: '1.0.0', description: 'First <b>bold</b>' });
      const first = await f.build();
      assert.equal(first.status, 'succeeded');
      const page = await f.store.get(serverPageKey(name));
      assert.ok(page, 'server page written');
      assert.equal(page.info.contentType, 'text/html; charset=utf-8');
      assert.match(Buffer.from(page.body).toString('utf8'), /First &lt;b&gt;bold&lt;\/b&gt;/);
      const root = await f.store.get('index.html');
      assert.equal(root?.info.contentType, 'text/html; charset=utf-8');
      const script = /src="\/(app\/browse\.[0-9a-f]{16}\.js)"/.exec(
        Buffer.from(root?.body ?? []).toString(),
      )?.[1];
      assert.ok(script);
      assert.equal((await f.store.head(script))?.contentType, 'text/javascript; charset=utf-8');

      // A new version: the HTML it rewrites is its own page, one object (the root page is unchanged).
      await f.publish({ name: `${ANON}/browse-other`, version: '1.0.0', description: 'Other' });
      await f.build();
      await f.publish({ name, version: '2.0.0', description: 'Second' });
      const second = await f.build();
      const html = (keys: string[]) => keys.filter((k) => k.endsWith('.html'));
      assert.deepEqual(html(second.changedMutableKeys), [serverPageKey(name)]);
      const body = Buffer.from((await f.store.get(serverPageKey(name)))?.body ?? []).toString('utf8');
      assert.match(body, /Versions \(2\)/);

      await f.setStatus(name, undefined, 'deleted');
      await f.build();
      assert.equal(await f.store.get(serverPageKey(name)), undefined, 'page gone with the server');
      // A full build renders the same tree: the page stays gone, the other server's stays.
      await f.build('full');
      assert.equal(await f.store.get(serverPageKey(name)), undefined);
      assert.ok(await f.store.get(serverPageKey(`${ANON}/browse-other`)));
      assert.ok(await f.store.head(script), 'the script survives full builds');
    });

    // Both local CDNs (Node, and nginx + njs where installed, as test/cdn/nginx.test.ts decides).
    for (const cdnKind of ['node', 'nginx'] as const) {
      it(`the ${cdnKind} local CDN serves HTML at / to browsers, JSON to the rest, with Vary: Accept`, {
        skip: cdnKind === 'nginx' ? nginxSkip : false,
      }, async () => {
        await f.publish({ name: `${ANON}/browse-cdn`, version: '1.0.0', description: 'CDN test' });
        await f.build();
        const prefix = mkdtempSync(join(tmpdir(), 'mcpreg-browse-nginx-'));
        const cdn =
          cdnKind === 'node'
            ? await startLocalCdn({ root: f.root })
            : await startNginxCdn({ root: f.root, prefix, port: await freePort() });
        const varies = (res: Response) => (res.headers.get('vary') ?? '').split(/\s*,\s*/).filter(Boolean);
        try {
          const get = (path: string, accept?: string) =>
            fetch(`${cdn.url}${path}`, {
              headers: { 'accept-encoding': 'gzip', ...(accept ? { accept } : {}) },
            });
          // Twice each, interleaved: the CDN's memory (or edge cache) must not mix the two up.
          for (let i = 0; i < 2; i++) {
            const html = await get('/', BROWSER_ACCEPT);
            assert.equal(html.status, 200);
            assert.equal(html.headers.get('content-type'), 'text/html; charset=utf-8');
            assert.deepEqual([...new Set(varies(html))].sort(), ['Accept', 'Accept-Encoding']);
            assert.equal(html.headers.get('content-encoding'), 'gzip');
            assert.match(await html.text(), /<html lang="en">/);
            const json = await get('/');
            assert.equal(json.headers.get('content-type'), 'application/json');
            assert.ok(varies(json).includes('Accept'));
            assert.equal(typeof ((await json.json()) as { seq: number }).seq, 'number');
          }
          const page = await get(`/${serverPageKey(`${ANON}/browse-cdn`)}`, BROWSER_ACCEPT);
          assert.equal(page.status, 200);
          assert.ok(!varies(page).includes('Accept'));
          const script = /src="(\/app\/[^"]+)"/.exec(await (await get('/', BROWSER_ACCEPT)).text())?.[1];
          const js = await get(script ?? '/missing');
          assert.equal(js.status, 200);
          assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
          assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
          assert.equal(js.headers.get('content-encoding'), 'gzip');
        } finally {
          await cdn.close();
          rmSync(prefix, { recursive: true, force: true });
        }
      });
    }
  });
}
