import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createFilesystemStore } from '../../store/filesystem.js';
import { assertValidKey, CACHE_CONTROL, type ObjectStore } from '../../store/types.js';

const encode = (s: string): Uint8Array => new TextEncoder().encode(s);
const md5 = (b: Uint8Array): string => `"${createHash('md5').update(b).digest('hex')}"`;

async function collect(keys: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const key of keys) out.push(key);
  return out.sort();
}

/** Every file under dir, relative, including dot-files (to catch leftover temp files). */
function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('filesystem object store', () => {
  let root: string;
  let store: ObjectStore;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'fs-store-'));
    store = createFilesystemStore(root);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('describes itself by absolute root', () => {
    assert.equal(store.description, `filesystem ${root}`);
  });

  test('put writes the body and a sidecar, atomically, leaving no temp files', async () => {
    const body = encode('{"servers":[]}');
    await store.put('v0/servers.json', body, {
      contentType: 'application/json; charset=utf-8',
      cacheClass: 'mutable',
    });
    await store.put('v0/servers.json', body, {
      contentType: 'application/json; charset=utf-8',
      cacheClass: 'mutable',
    });
    assert.deepEqual(allFiles(root), ['.meta/v0/servers.json.json', 'v0/servers.json']);
    assert.deepEqual(new Uint8Array(readFileSync(join(root, 'v0/servers.json'))), body);
    const sidecar: unknown = JSON.parse(readFileSync(join(root, '.meta/v0/servers.json.json'), 'utf8'));
    assert.deepEqual(sidecar, {
      size: body.byteLength,
      etag: md5(body),
      contentType: 'application/json; charset=utf-8',
      cacheControl: CACHE_CONTROL.mutable,
    });
  });

  test('get and head round-trip headers; gzip bytes are returned as stored', async () => {
    const body = gzipSync(encode('{"name":"io.example/x"}'));
    await store.put('v0/servers/x/versions/1.0.0.json', body, {
      contentType: 'application/json',
      cacheClass: 'immutable',
      contentEncoding: 'gzip',
    });
    const expected = {
      key: 'v0/servers/x/versions/1.0.0.json',
      size: body.byteLength,
      etag: md5(body),
      contentType: 'application/json',
      cacheControl: CACHE_CONTROL.immutable,
      contentEncoding: 'gzip',
    };
    const got = await store.get('v0/servers/x/versions/1.0.0.json');
    assert.ok(got);
    assert.deepEqual(got.body, new Uint8Array(body));
    assert.deepEqual(got.info, expected);
    assert.deepEqual(await store.head('v0/servers/x/versions/1.0.0.json'), expected);
  });

  test('get and head of an absent key are undefined', async () => {
    assert.equal(await store.get('nope/missing.json'), undefined);
    assert.equal(await store.head('nope/missing.json'), undefined);
    // A path through an existing file is absent too, not an ENOTDIR error.
    assert.equal(await store.get('v0/servers.json/child'), undefined);
  });

  test('a body without its sidecar (interrupted put) counts as absent but is still listed', async () => {
    await store.put('orphan/a.txt', encode('a'), { contentType: 'text/plain', cacheClass: 'mutable' });
    rmSync(join(root, '.meta/orphan/a.txt.json'));
    assert.equal(await store.head('orphan/a.txt'), undefined);
    assert.equal(await store.get('orphan/a.txt'), undefined);
    assert.deepEqual(await collect(store.list('orphan/')), ['orphan/a.txt']);
    await store.delete(['orphan/a.txt']);
    assert.equal(existsSync(join(root, 'orphan')), false);
  });

  test('list returns keys under a prefix, skipping .meta and temp files', async () => {
    const opts = { contentType: 'text/plain', cacheClass: 'mutable' } as const;
    for (const key of ['list/a.txt', 'list/b/c.txt', 'list/b/d/e.txt', 'listing.txt', 'other/z.txt']) {
      await store.put(key, encode(key), opts);
    }
    // A leftover from a crashed writer must not show up as an object.
    writeFileSync(join(root, 'list/b/.~tmp-0123456789abcdef'), 'partial');

    assert.deepEqual(await collect(store.list('list/')), ['list/a.txt', 'list/b/c.txt', 'list/b/d/e.txt']);
    // A prefix is a string prefix, not a directory name (S3 semantics).
    assert.deepEqual(await collect(store.list('list')), [
      'list/a.txt',
      'list/b/c.txt',
      'list/b/d/e.txt',
      'listing.txt',
    ]);
    assert.deepEqual(await collect(store.list('list/b/d')), ['list/b/d/e.txt']);
    assert.deepEqual(await collect(store.list('absent/')), []);
    const everything = await collect(store.list(''));
    assert.ok(everything.includes('other/z.txt'));
    assert.ok(everything.every((k) => !k.startsWith('.meta') && !k.includes('.~tmp-')));
    rmSync(join(root, 'list/b/.~tmp-0123456789abcdef'));
  });

  test('delete removes bodies and sidecars, prunes empty directories, ignores absent keys', async () => {
    const opts = { contentType: 'text/plain', cacheClass: 'mutable' } as const;
    await store.put('del/x/y/1.txt', encode('1'), opts);
    await store.put('del/x/2.txt', encode('2'), opts);
    await store.put('del/keep.txt', encode('k'), opts);

    await store.delete(['del/x/y/1.txt', 'del/x/2.txt', 'del/never-existed.txt']);
    assert.equal(existsSync(join(root, 'del/x')), false);
    assert.equal(existsSync(join(root, '.meta/del/x')), false);
    assert.equal(existsSync(join(root, 'del/keep.txt')), true);
    assert.deepEqual(await collect(store.list('del/')), ['del/keep.txt']);

    await store.delete(['del/keep.txt']);
    assert.equal(existsSync(join(root, 'del')), false);
    assert.equal(existsSync(join(root, '.meta/del')), false);
    assert.equal(existsSync(root), true, 'the root itself is never pruned');
  });

  test('many concurrent puts to one key leave one consistent object and no temp files', async () => {
    const opts = { contentType: 'text/plain', cacheClass: 'mutable' } as const;
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.put('race/k.txt', encode(`v${i}`), opts)));
    const got = await store.get('race/k.txt');
    assert.ok(got);
    assert.match(new TextDecoder().decode(got.body), /^v\d+$/);
    assert.deepEqual(
      allFiles(root).filter((f) => f.includes('.~tmp-')),
      [],
    );
  });

  test('invalid keys throw and touch nothing', async () => {
    const before = allFiles(root);
    const bad = [
      '',
      '../x',
      'a/../../x',
      '/abs',
      'a//b',
      'a/./b',
      'a/',
      'a\\b',
      'a\u0000b',
      'a\nb',
      'a\u007fb',
    ];
    const opts = { contentType: 'text/plain', cacheClass: 'mutable' } as const;
    for (const key of bad) {
      await assert.rejects(store.put(key, encode('x'), opts), /invalid object key/, JSON.stringify(key));
      await assert.rejects(store.get(key), /invalid object key/);
      await assert.rejects(store.head(key), /invalid object key/);
      await assert.rejects(store.delete([key]), /invalid object key/);
    }
    // Reserved inside the filesystem layout.
    await assert.rejects(store.put('.meta/x', encode('x'), opts), /reserved/);
    await assert.rejects(store.put('a/.~tmp-1', encode('x'), opts), /reserved/);
    // Its sidecar name would not fit in 255 bytes; directories may still use the full 255.
    await assert.rejects(store.put(`a/${'x'.repeat(251)}`, encode('x'), opts), /last segment longer/);
    assert.throws(() => store.list('../'), /invalid object key/);
    assert.deepEqual(allFiles(root), before);
  });

  test('a 250-byte last segment and 255-byte directory segments still work', async () => {
    const key = `${'d'.repeat(255)}/${'f'.repeat(250)}`;
    await store.put(key, encode('long'), { contentType: 'text/plain', cacheClass: 'mutable' });
    assert.equal((await store.head(key))?.size, 4);
    await store.delete([key]);
    assert.equal(await store.head(key), undefined);
  });

  test('assertValidKey limits segments to 255 bytes (UTF-8)', () => {
    assert.doesNotThrow(() => assertValidKey(`a/${'x'.repeat(255)}`));
    assert.throws(() => assertValidKey(`a/${'x'.repeat(256)}`), /255 bytes/);
    assert.throws(() => assertValidKey('é'.repeat(128)), /255 bytes/); // 256 bytes, 128 characters
    assert.doesNotThrow(() => assertValidKey('v0/servers/io.github.x%2Fy/versions/1.0.0-rc.1.json'));
  });
});
