import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { etagMatches, type LocalCdn, startLocalCdn } from '../../cdn/local-server.js';
import {
  listFirstPageKey,
  listPageAfterKey,
  serverLatestKey,
  serverVersionKey,
  serverVersionsKey,
  snapshotKeys,
} from '../../core/layout/keys.js';
import { createFilesystemStore } from '../../store/filesystem.js';
import { CACHE_CONTROL } from '../../store/types.js';

const NAME = 'io.github.alice/weather';
const ENCODED = encodeURIComponent(NAME);

describe('local CDN server', () => {
  let root: string;
  let cdn: LocalCdn;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'mcpreg-cdn-'));
    const store = createFilesystemStore(root);
    const put = (key: string, doc: unknown) =>
      store.put(key, Buffer.from(JSON.stringify(doc)), {
        contentType: 'application/json',
        cacheClass: 'mutable',
      });
    await put(serverVersionsKey(NAME, false), { servers: [], metadata: { count: 0, which: 'live' } });
    await put(serverVersionsKey(NAME, true), { servers: [], metadata: { count: 0, which: 'all' } });
    await put(serverVersionKey(NAME, '1.0.0+build.7', false), { which: 'v 1.0.0+build.7' });
    await put(serverLatestKey(NAME, false), { which: 'latest' });
    await put(listFirstPageKey('live', 25), { which: 'first' });
    await put(listPageAfterKey('live', 25, NAME, '1.0.0'), { which: 'after 1.0.0' });
    await store.put(snapshotKeys('2026-11-24').data, gzipSync('{"servers":[]}'), {
      contentType: 'application/json',
      cacheClass: 'immutable',
      contentEncoding: 'gzip',
    });
    cdn = await startLocalCdn({ root });
  });
  after(async () => {
    await cdn.close();
    rmSync(root, { recursive: true, force: true });
  });

  const get = (path: string, init?: RequestInit) => fetch(`${cdn.url}${path}`, init);

  it('serves documents at the official URLs, both API versions, through the edge mapping', async () => {
    for (const [path, which] of [
      [`/v0.1/servers/${ENCODED}/versions`, 'live'],
      [`/v0/servers/${ENCODED}/versions?include_deleted=true`, 'all'],
      [`/v0.1/servers/${ENCODED}/versions/1.0.0+build.7`, 'v 1.0.0+build.7'],
      [`/v0.1/servers/${ENCODED}/versions/1.0.0%2Bbuild.7`, 'v 1.0.0+build.7'],
      [`/v0/servers/${ENCODED}/versions/latest`, 'latest'],
      ['/v0.1/servers', 'first'],
      [`/v0.1/servers?cursor=${encodeURIComponent(`${NAME}:1.0.0`)}`, 'after 1.0.0'],
    ] as const) {
      const res = await get(path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-type'), 'application/json');
      assert.equal(res.headers.get('cache-control'), CACHE_CONTROL.mutable);
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      const body = (await res.json()) as { which?: string; metadata?: { which: string } };
      assert.equal(body.which ?? body.metadata?.which, which, path);
    }
  });

  it('answers ETag revalidation with 304 and HEAD without a body', async () => {
    const first = await get(`/v0.1/servers/${ENCODED}/versions/latest`);
    const etag = first.headers.get('etag') as string;
    assert.match(etag, /^"[0-9a-f]{32}"$/);
    const again = await get(`/v0.1/servers/${ENCODED}/versions/latest`, {
      headers: { 'if-none-match': `"x", W/${etag}` },
    });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get('etag'), etag);
    assert.equal(again.headers.get('access-control-allow-origin'), '*');
    const head = await get(`/v0.1/servers/${ENCODED}/versions/latest`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    assert.ok(etagMatches('*', etag));
    assert.equal(etagMatches('"other"', etag), false);
  });

  it('serves compressed snapshots with their Content-Encoding', async () => {
    const res = await get('/snapshots/2026-11-24/servers.json.gz');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    assert.equal(res.headers.get('cache-control'), CACHE_CONTROL.immutable);
    assert.deepEqual(await res.json(), { servers: [] }); // fetch undoes the gzip
  });

  it('answers what it cannot serve with problem+json', async () => {
    for (const [path, status, detail] of [
      ['/v0.1/servers?search=weather+api', 400, /search index/],
      ['/v0.1/servers?limit=1000', 400, /limit/],
      [`/v0.1/servers/${encodeURIComponent('io.github.bob/none')}/versions`, 404, /Server not found/],
      [`/v0.1/servers/${ENCODED}/versions/9.9.9`, 404, /version not found/i],
      ['/v0.1/servers/..%2F..%2Fetc%2Fpasswd/versions', 404, /not found/i],
      ['/../../etc/passwd', 404, /not found/i],
      ['/servers/%2e%2e/%2e%2e/x.json', 404, /not found/i],
    ] as const) {
      const res = await get(path);
      assert.equal(res.status, status, path);
      assert.equal(res.headers.get('content-type'), 'application/problem+json', path);
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      const body = (await res.json()) as { status: number; detail: string };
      assert.equal(body.status, status);
      assert.match(body.detail, detail, path);
    }
  });

  it('answers CORS preflight and refuses other methods', async () => {
    const pre = await get('/v0.1/servers', {
      method: 'OPTIONS',
      headers: { origin: 'https://example.org', 'access-control-request-method': 'GET' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    assert.equal(pre.headers.get('access-control-allow-methods'), 'GET, HEAD, OPTIONS');
    const post = await get('/v0.1/servers', { method: 'POST', body: '{}' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD, OPTIONS');
    assert.equal(post.headers.get('content-type'), 'application/problem+json');
  });
});
