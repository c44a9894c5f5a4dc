import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { HotCache, pickEncoding } from '../../cdn/hot-cache.js';
import { type LocalCdn, startLocalCdn } from '../../cdn/local-server.js';
import { serverLatestKey, serverVersionKey } from '../../core/layout/keys.js';
import { createFilesystemStore } from '../../store/filesystem.js';
import type { ObjectStore } from '../../store/types.js';

const NAME = 'io.github.alice/weather';
const URL_LATEST = `/v0.1/servers/${encodeURIComponent(NAME)}/versions/latest`;

/** A document big enough to be compressed (CloudFront compresses from 1 KB). */
const doc = (marker: string) =>
  Buffer.from(
    JSON.stringify({
      marker,
      servers: Array.from({ length: 40 }, (_, i) => ({ i, text: 'weather '.repeat(8) })),
    }),
  );

/** Raw HTTP (fetch would negotiate and decode encodings itself). */
function get(
  base: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('local CDN: compression, 304 and the hot cache', () => {
  let root: string;
  let store: ObjectStore;
  let cdn: LocalCdn;
  const put = (key: string, body: Buffer) =>
    store.put(key, body, { contentType: 'application/json', cacheClass: 'mutable' });
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'mcpreg-hot-'));
    store = createFilesystemStore(root);
    await put(serverLatestKey(NAME, false), doc('v1'));
    await put(serverVersionKey(NAME, '1.0.0', false), Buffer.from('{"small":true}'));
    // Revalidate on every request: what changes on disk is served at once.
    cdn = await startLocalCdn({ root, cache: { revalidateMs: 0 } });
  });
  after(async () => {
    await cdn.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('compresses by Accept-Encoding (brotli preferred, then gzip), with Vary and a weak ETag', async () => {
    const plain = await get(cdn.url, URL_LATEST);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers.vary, 'Accept-Encoding');
    assert.match(String(plain.headers.etag), /^"[0-9a-f]{32}"$/);
    assert.deepEqual(plain.body, doc('v1'));

    const br = await get(cdn.url, URL_LATEST, { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers.vary, 'Accept-Encoding');
    assert.equal(br.headers.etag, `W/${plain.headers.etag}`);
    assert.equal(Number(br.headers['content-length']), br.body.length);
    assert.ok(br.body.length < plain.body.length / 2);
    assert.deepEqual(brotliDecompressSync(br.body), doc('v1'));

    const gz = await get(cdn.url, URL_LATEST, { 'accept-encoding': 'br;q=0, gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(gunzipSync(gz.body), doc('v1'));
    const none = await get(cdn.url, URL_LATEST, { 'accept-encoding': 'identity' });
    assert.equal(none.headers['content-encoding'], undefined);

    // Small documents are sent as they are, and do not vary.
    const small = await get(cdn.url, `/v0.1/servers/${encodeURIComponent(NAME)}/versions/1.0.0`, {
      'accept-encoding': 'gzip, br',
    });
    assert.equal(small.headers['content-encoding'], undefined);
    assert.equal(small.headers.vary, undefined);
  });

  it('answers 304 to the ETag of any encoding, and serves new bytes once the tree changes', async () => {
    const br = await get(cdn.url, URL_LATEST, { 'accept-encoding': 'br' });
    const weak = String(br.headers.etag);
    const revalidated = await get(cdn.url, URL_LATEST, { 'accept-encoding': 'br', 'if-none-match': weak });
    assert.equal(revalidated.status, 304);
    assert.equal(revalidated.headers.vary, 'Accept-Encoding');
    assert.equal(revalidated.body.length, 0);
    const identity = await get(cdn.url, URL_LATEST, { 'if-none-match': weak });
    assert.equal(identity.status, 304);

    await put(serverLatestKey(NAME, false), doc('v2'));
    const changed = await get(cdn.url, URL_LATEST, { 'accept-encoding': 'br', 'if-none-match': weak });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.etag, weak);
    assert.deepEqual(brotliDecompressSync(changed.body), doc('v2'));
  });
});

describe('HotCache', () => {
  let root: string;
  let store: ObjectStore;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'mcpreg-hot-'));
    store = createFilesystemStore(root);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  /** The store, counting what the cache asks of it. */
  function counted() {
    const calls = { get: 0, head: 0 };
    return {
      calls,
      store: {
        get: (key: string) => {
          calls.get++;
          return store.get(key);
        },
        head: (key: string) => {
          calls.head++;
          return store.head(key);
        },
      },
    };
  }

  it('serves hot objects from memory, re-checks them by ETag after revalidateMs, drops deleted ones', async () => {
    const key = serverLatestKey(NAME, true);
    await store.put(key, doc('a'), { contentType: 'application/json', cacheClass: 'mutable' });
    let now = 0;
    const { calls, store: s } = counted();
    const cache = new HotCache(s, { revalidateMs: 1000, now: () => now });
    assert.deepEqual((await cache.get(key))?.body, doc('a'));
    for (let i = 0; i < 10; i++) await cache.get(key);
    assert.deepEqual(calls, { get: 1, head: 0 });

    await store.put(key, doc('b'), { contentType: 'application/json', cacheClass: 'mutable' });
    assert.deepEqual((await cache.get(key))?.body, doc('a'), 'within revalidateMs the entry is served');
    now = 1000;
    assert.deepEqual((await cache.get(key))?.body, doc('b'), 'a changed ETag reloads');
    assert.deepEqual(calls, { get: 2, head: 1 });
    now = 2000;
    await cache.get(key);
    assert.deepEqual(calls, { get: 2, head: 2 }, 'an unchanged ETag costs one head, no read');

    await store.delete([key]);
    now = 3000;
    assert.equal(await cache.get(key), undefined);
    assert.equal(cache.size, 0);
  });

  it('stays within maxBytes, evicting the least recently used', async () => {
    const cache = new HotCache(store, { maxBytes: 8 * 1024 });
    const keys = Array.from({ length: 12 }, (_, i) => serverVersionKey(NAME, `2.0.${i}`, false));
    for (const [i, key] of keys.entries()) {
      await store.put(key, doc(`n${i}`), { contentType: 'application/json', cacheClass: 'mutable' });
      await cache.get(key);
      assert.ok(cache.size <= 8 * 1024, `${cache.size} bytes`);
    }
    assert.ok(cache.size > 0);
  });

  it('pickEncoding follows q-values and *', () => {
    const both = { gzip: true, br: true };
    assert.equal(pickEncoding(undefined, both), undefined);
    assert.equal(pickEncoding('gzip, deflate, br', both), 'br');
    assert.equal(pickEncoding('br;q=0, gzip;q=0.5', both), 'gzip');
    assert.equal(pickEncoding('*', both), 'br');
    assert.equal(pickEncoding('*;q=0, identity', both), undefined);
    assert.equal(pickEncoding('br', { gzip: true, br: false }), undefined);
    assert.equal(pickEncoding('GZIP', both), 'gzip');
  });
});
