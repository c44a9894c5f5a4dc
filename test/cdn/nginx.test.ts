import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { type LocalCdn, startLocalCdn } from '../../cdn/local-server.js';
import { findModulesDir, type NginxCdn, startNginxCdn } from '../../cdn/nginx/nginx.js';
import {
  listFirstPageKey,
  listPageAfterKey,
  serverLatestKey,
  serverVersionKey,
  serverVersionsKey,
  snapshotKeys,
} from '../../core/layout/keys.js';
import { createFilesystemStore } from '../../store/filesystem.js';
import { BIN } from '../cli/subprocess.js';

/**
 * `mcp-registry cdn --nginx` (cdn/nginx/): a real nginx with njs on loopback must answer every
 * request exactly as the Node local CDN does (status, body, the headers a client reads), since both
 * run the same edge function over the same tree. Skipped with a note where nginx or its njs module
 * is not installed, except when MCPREG_REQUIRE_NGINX is set (CI installs them).
 */
const hasNginx = (() => {
  try {
    execFileSync('nginx', ['-v'], { stdio: 'ignore' });
    return findModulesDir() !== undefined;
  } catch {
    return false;
  }
})();
const skip =
  hasNginx || process.env.MCPREG_REQUIRE_NGINX
    ? false
    : 'nginx with the njs module is not installed (Debian: apt-get install nginx libnginx-mod-http-js)';

const NAME = 'io.github.alice/weather';
const ENCODED = encodeURIComponent(NAME);
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

/** One raw HTTP exchange (fetch would undo compression and hide Content-Length on HEAD). */
function exchange(base: string, method: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }>((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers }, (res) => {
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

describe('local CDN in nginx (njs)', { skip }, () => {
  let root: string;
  let prefix: string;
  let node: LocalCdn;
  let nginx: NginxCdn;
  let api: Server & { url?: string };
  let apiRequests = 0;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'mcpreg-nginx-site-'));
    prefix = mkdtempSync(join(tmpdir(), 'mcpreg-nginx-'));
    const store = createFilesystemStore(root);
    const put = (key: string, doc: unknown) =>
      store.put(key, Buffer.from(JSON.stringify(doc)), {
        contentType: 'application/json',
        cacheClass: 'mutable',
      });
    const big = {
      servers: Array.from({ length: 40 }, (_, i) => ({ name: `${NAME}-${i}`, text: 'x'.repeat(60) })),
    };
    await put(serverVersionsKey(NAME, false), { servers: [], metadata: { count: 0, which: 'live' } });
    await put(serverVersionsKey(NAME, true), { servers: [], metadata: { count: 0, which: 'all' } });
    await put(serverVersionKey(NAME, '1.0.0+build.7', false), { which: 'v 1.0.0+build.7' });
    await put(serverLatestKey(NAME, false), big);
    await put(listFirstPageKey('live', 25), big);
    await put(listPageAfterKey('live', 25, NAME, '1.0.0'), { which: 'after 1.0.0' });
    await store.put(snapshotKeys('2026-11-24').data, gzipSync(JSON.stringify(big)), {
      contentType: 'application/json',
      cacheClass: 'immutable',
      contentEncoding: 'gzip',
    });
    await store.put('index.json.sig', Buffer.alloc(64, 1), {
      contentType: 'application/octet-stream',
      cacheClass: 'mutable',
    });
    // A stand-in write API: says what reached it.
    const writeApi = (req: IncomingMessage, res: ServerResponse) => {
      apiRequests++;
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ api: `${req.method} ${req.url}` }));
    };
    api = createServer(writeApi);
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    api.url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    node = await startLocalCdn({ root, writeApi });
    nginx = await startNginxCdn({
      root,
      prefix,
      port: await freePort(),
      workers: 1,
      writeApi: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
    });
  });
  after(async () => {
    await Promise.all([node?.close(), nginx?.close(), new Promise((r) => api?.close(r))]);
    rmSync(root, { recursive: true, force: true });
    rmSync(prefix, { recursive: true, force: true });
  });

  const READ_HEADERS = [
    'content-type',
    'cache-control',
    'etag',
    'content-encoding',
    'access-control-allow-origin',
    'access-control-allow-methods',
    'access-control-allow-headers',
    'allow',
  ];

  it('answers every request exactly as the Node local CDN does (both in front of a write API)', async () => {
    const cases: [string, string, Record<string, string>?][] = [
      ['GET', `/v0.1/servers/${ENCODED}/versions`],
      ['GET', `/v0/servers/${ENCODED}/versions?include_deleted=true`],
      ['GET', `/v0.1/servers/${ENCODED}/versions/1.0.0+build.7`],
      ['GET', `/v0.1/servers/${ENCODED}/versions/1.0.0%2Bbuild.7`],
      ['GET', `/v0.1/servers/io.github.alice/weather/versions/latest`],
      ['GET', '/v0.1/servers'],
      ['GET', `/v0.1/servers?cursor=${encodeURIComponent(`${NAME}:1.0.0`)}`],
      ['GET', '/v0.1/servers', { 'accept-encoding': 'gzip' }],
      ['GET', '/v0.1/servers', { 'accept-encoding': 'br;q=0, gzip' }],
      ['GET', '/v0.1/servers', { 'accept-encoding': 'identity' }],
      ['GET', `/v0.1/servers/${ENCODED}/versions`, { 'accept-encoding': 'gzip' }], // too small to compress
      ['GET', '/snapshots/2026-11-24/servers.json.gz', { 'accept-encoding': 'gzip, br' }],
      ['GET', '/index.json.sig'],
      ['HEAD', `/v0.1/servers/${ENCODED}/versions/latest`],
      ['GET', '/v0.1/servers?updated_since=2999-01-01T00:00:00Z'],
      ['GET', '/v0.1/servers?updated_since=yesterday'],
      ['GET', '/v0.1/servers?search=weather'],
      ['GET', '/v0.1/servers?limit=1000'],
      ['GET', `/v0.1/servers/${encodeURIComponent('io.github.bob/none')}/versions`],
      ['GET', `/v0.1/servers/${encodeURIComponent('io.github.bob/none')}/versions/latest`],
      ['GET', `/v0.1/servers/${ENCODED}/versions/9.9.9`],
      ['GET', '/v0.1/servers/..%2F..%2Fetc%2Fpasswd/versions'],
      ['GET', '/../../etc/passwd'],
      ['GET', '/servers/%2e%2e/%2e%2e/x.json'],
      ['GET', '/.meta/index.json.sig.json'],
      ['GET', '/lists/live/25/missing.json'],
      [
        'OPTIONS',
        '/v0.1/servers',
        { 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-a' },
      ],
      ['POST', '/v0/publish'],
      ['GET', '/v0/health'],
      ['DELETE', `/v0.1/servers/${ENCODED}/versions/1.0.0`],
    ];
    for (const [method, path, headers] of cases) {
      const label = `${method} ${path} ${JSON.stringify(headers ?? {})}`;
      const [a, b] = await Promise.all([
        exchange(node.url, method, path, headers),
        exchange(nginx.url, method, path, headers),
      ]);
      assert.equal(b.status, a.status, label);
      for (const h of READ_HEADERS) assert.equal(b.headers[h], a.headers[h], `${label}: ${h}`);
      const plain = (r: typeof a) =>
        r.headers['content-encoding'] === 'gzip' && !path.endsWith('.gz') ? gunzipSync(r.body) : r.body;
      assert.deepEqual(plain(b), plain(a), `${label}: body`);
    }
  });

  it('revalidates with 304 and compresses by Accept-Encoding, the ETag then weak', async () => {
    const first = await exchange(nginx.url, 'GET', '/v0.1/servers');
    const etag = first.headers.etag as string;
    assert.match(etag, /^"[0-9a-f]{32}"$/);
    const again = await exchange(nginx.url, 'GET', '/v0.1/servers', { 'if-none-match': `W/${etag}` });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    const gz = await exchange(nginx.url, 'GET', '/v0.1/servers', { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gz.headers.etag, `W/${etag}`);
    assert.equal(gz.headers.vary, 'Accept-Encoding');
    assert.deepEqual(gunzipSync(gz.body), first.body);
    assert.ok(gz.body.length < first.body.length);
  });

  it('serves a rewritten object once its 1 s edge-cache entry expires', async () => {
    const path = `/v0.1/servers/${ENCODED}/versions/1.0.0+build.7`;
    assert.deepEqual(JSON.parse((await exchange(nginx.url, 'GET', path)).body.toString()), {
      which: 'v 1.0.0+build.7',
    });
    await createFilesystemStore(root).put(
      serverVersionKey(NAME, '1.0.0+build.7', false),
      Buffer.from('{"which":"rewritten"}'),
      { contentType: 'application/json', cacheClass: 'mutable' },
    );
    // No timing assertion (the machine is shared): the rewritten bytes must show once the 1 s cache
    // entry has expired; 20 s is only a safety net.
    const deadline = Date.now() + 20_000;
    let body = JSON.parse((await exchange(nginx.url, 'GET', path)).body.toString());
    while (body.which !== 'rewritten' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      body = JSON.parse((await exchange(nginx.url, 'GET', path)).body.toString());
    }
    assert.deepEqual(body, { which: 'rewritten' });
  });

  it('runs from the command line: mcp-registry cdn --nginx --api <url>', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'mcpreg-nginx-cli-'));
    const child = spawn(process.execPath, [BIN, 'cdn', '--nginx', '--api', api.url as string], {
      env: { ...process.env, SITE_DIR: root, DATA_DIR: dataDir, CDN_PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    try {
      for (let i = 0; i < 300 && !stderr.includes('read API'); i++)
        await new Promise((r) => setTimeout(r, 100));
      assert.match(stderr, /nginx \+ njs serving/);
      const base = `http://127.0.0.1:${port}`;
      assert.equal((await exchange(base, 'GET', '/v0.1/servers')).status, 200);
      assert.equal((await exchange(base, 'POST', '/v0/publish')).status, 201);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
    // nginx stopped with it: the port no longer answers.
    await assert.rejects(exchange(`http://127.0.0.1:${port}`, 'GET', '/v0.1/servers'));
  });

  it('sends writes to the write API, so one URL answers everything', async () => {
    const res = await exchange(nginx.url, 'POST', '/v0/publish');
    assert.equal(res.status, 201);
    assert.deepEqual(JSON.parse(res.body.toString()), { api: 'POST /v0/publish' });
    const health = await exchange(nginx.url, 'GET', '/v0/health?x=1');
    assert.deepEqual(JSON.parse(health.body.toString()), { api: 'GET /v0/health?x=1' });
    // The edge cache never holds an API answer (an admin GET must not reach the next caller).
    const seen = apiRequests;
    await exchange(nginx.url, 'GET', '/v0/admin/builds', { authorization: 'Bearer admin' });
    await exchange(nginx.url, 'GET', '/v0/admin/builds');
    assert.equal(apiRequests, seen + 2);
    const status = await exchange(nginx.url, 'PATCH', `/v0/servers/${ENCODED}/versions/1.0.0/status`);
    assert.deepEqual(JSON.parse(status.body.toString()), {
      api: `PATCH /v0/servers/${ENCODED}/versions/1.0.0/status`,
    });
  });
});
