// test-tier: slow
/**
 * The S3 store over the real S3 protocol: s3rver in-process for behaviour, and tiny loopback servers
 * for failure modes s3rver cannot produce. Paging needs Node's --openssl-legacy-provider (s3rver makes
 * continuation tokens with DES); `npm test` sets it, a direct run needs
 * `NODE_OPTIONS=--openssl-legacy-provider node --import tsx --test test/store/s3.test.ts`.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import S3rver from 's3rver';
import { RegistryError } from '../../core/errors.js';
import { createS3Client, createS3Store } from '../../store/s3.js';
import { CACHE_CONTROL, type ObjectStore } from '../../store/types.js';

const BUCKET = 'test-bucket';
const encode = (s: string): Uint8Array => new TextEncoder().encode(s);
const md5 = (b: Uint8Array): string => `"${createHash('md5').update(b).digest('hex')}"`;
const noSleep = async (): Promise<void> => {};

async function collect(keys: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const key of keys) out.push(key);
  return out.sort();
}

const legacyOpenSsl =
  process.execArgv.includes('--openssl-legacy-provider') ||
  (process.env.NODE_OPTIONS ?? '').includes('--openssl-legacy-provider');

describe('S3 store against s3rver', () => {
  let dir: string;
  let server: S3rver;
  let client: ReturnType<typeof createS3Client>;
  let store: ObjectStore;
  const commands: string[] = [];
  const deleteRequests: { firstKey: string; size: number }[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3-store-'));
    server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: dir,
      configureBuckets: [{ name: BUCKET, configs: [] }],
    });
    const { port } = await server.run();
    client = createS3Client({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      checksumWhenRequired: true,
    });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(context.commandName ?? '?');
        const objects = (args.input as { Delete?: { Objects?: { Key?: string }[] } }).Delete?.Objects;
        if (objects) deleteRequests.push({ firstKey: objects[0]?.Key ?? '', size: objects.length });
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
    store = createS3Store({ bucket: BUCKET, prefix: 'site', client });
  });

  after(async () => {
    client?.destroy();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('describes itself as an s3 URL', () => {
    assert.equal(store.description, 's3://test-bucket/site');
  });

  test('put/get/head round-trip headers; gzip bytes come back undecoded', async () => {
    const body = gzipSync(encode(JSON.stringify({ servers: [], metadata: { count: 0 } })));
    await store.put('v0/servers.json', body, {
      contentType: 'application/json; charset=utf-8',
      cacheClass: 'mutable',
      contentEncoding: 'gzip',
    });
    const expected = {
      key: 'v0/servers.json',
      size: body.byteLength,
      etag: md5(body),
      contentType: 'application/json; charset=utf-8',
      cacheControl: CACHE_CONTROL.mutable,
      contentEncoding: 'gzip',
    };
    const got = await store.get('v0/servers.json');
    assert.ok(got);
    assert.deepEqual(got.body, new Uint8Array(body));
    assert.deepEqual(got.info, expected);
    assert.deepEqual(await store.head('v0/servers.json'), expected);

    await store.put('v0/plain.json', encode('{}'), {
      contentType: 'application/json',
      cacheClass: 'immutable',
    });
    const plain = await store.head('v0/plain.json');
    assert.equal(plain?.cacheControl, CACHE_CONTROL.immutable);
    assert.equal(plain?.contentEncoding, undefined);
  });

  test('get/head of an absent key are undefined, without retries', async () => {
    commands.length = 0;
    assert.equal(await store.get('v0/absent.json'), undefined);
    assert.equal(await store.head('v0/absent.json'), undefined);
    assert.deepEqual(commands, ['GetObjectCommand', 'HeadObjectCommand']);
  });

  test('invalid keys throw before any request', async () => {
    commands.length = 0;
    await assert.rejects(
      store.put('../x', encode('x'), { contentType: 'text/plain', cacheClass: 'mutable' }),
    );
    await assert.rejects(store.get('a//b'), /invalid object key/);
    await assert.rejects(store.delete(['ok', '/abs']), /invalid object key/);
    assert.deepEqual(commands, []);
  });

  test('list pages past 1000 keys under a prefix; delete removes >1000 keys in batches', async (t) => {
    assert.ok(legacyOpenSsl, 'run with NODE_OPTIONS=--openssl-legacy-provider (s3rver paging uses DES)');
    const keys = Array.from({ length: 1005 }, (_, i) => `many/${String(i).padStart(5, '0')}.json`);
    const opts = { contentType: 'application/json', cacheClass: 'immutable' } as const;
    await Promise.all(keys.map((key) => store.put(key, encode(`{"i":"${key}"}`), opts)));
    // Neighbours that must not be listed: a key starting with "many" but not "many/", and one outside the
    // store prefix. ("manyz", not "many.json": s3rver pages in directory-walk order, not byte order, and
    // its continuation token then silently drops "many.json" < "many/…". Real S3 uses byte order.)
    await store.put('manyz.json', encode('{}'), opts);
    const outside = createS3Store({ bucket: BUCKET, prefix: 'elsewhere', client });
    await outside.put('many/00000.json', encode('{}'), opts);

    commands.length = 0;
    const listed = await collect(store.list('many/'));
    assert.deepEqual(listed, keys);
    assert.ok(commands.filter((c) => c === 'ListObjectsV2Command').length >= 2, 'listing was paged');

    await t.test('list with an empty prefix sees the whole store prefix only', async () => {
      const all = await collect(store.list(''));
      assert.ok(all.includes('manyz.json') && all.includes('v0/servers.json'));
      assert.equal(all.length, keys.length + 3); // + manyz.json, v0/servers.json, v0/plain.json
    });

    deleteRequests.length = 0;
    await store.delete([...keys, 'many/never-existed.json']);
    // s3rver answers a DeleteObjects of several keys in one directory with 500 (its parallel deletes race
    // pruning the directory) after deleting them, so a batch may be sent twice: count distinct batches.
    const batches = new Map(deleteRequests.map((r) => [r.firstKey, r.size]));
    assert.deepEqual(
      [...batches.values()].sort((a, b) => b - a),
      [1000, 6],
      'two batches of ≤1000',
    );
    assert.deepEqual(await collect(store.list('many/')), []);
    assert.ok(await store.head('manyz.json'));
    assert.ok(await outside.head('many/00000.json'));
  });
});

/** A loopback server that answers every request through `respond`, counting attempts and concurrency. */
interface FakeS3 {
  endpoint: string;
  requests: number;
  maxInFlight: number;
  close(): Promise<void>;
}

async function startFakeS3(
  respond: (n: number, req: IncomingMessage, res: ServerResponse) => void,
): Promise<FakeS3> {
  let inFlight = 0;
  const fake: FakeS3 = { endpoint: '', requests: 0, maxInFlight: 0, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const n = ++fake.requests;
    inFlight++;
    fake.maxInFlight = Math.max(fake.maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    req.resume();
    req.on('end', () => respond(n, req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

function sendError(res: ServerResponse, status: number, code: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${code}</Message><RequestId>r1</RequestId></Error>`,
  );
}

function sendPutOk(res: ServerResponse): void {
  res.writeHead(200, { etag: '"d41d8cd98f00b204e9800998ecf8427e"', 'content-length': '0' });
  res.end();
}

describe('S3 store retries and concurrency (loopback fakes)', () => {
  const fakes: FakeS3[] = [];
  const clients: ReturnType<typeof createS3Client>[] = [];
  const opts = { contentType: 'application/json', cacheClass: 'mutable' } as const;

  after(async () => {
    for (const client of clients) client.destroy();
    await Promise.all(fakes.map((fake) => fake.close()));
  });

  async function storeFor(
    respond: (n: number, req: IncomingMessage, res: ServerResponse) => void,
    overrides: { concurrency?: number; maxAttempts?: number; sleep?: (ms: number) => Promise<void> } = {},
  ): Promise<{ fake: FakeS3; store: ObjectStore }> {
    const fake = await startFakeS3(respond);
    fakes.push(fake);
    const client = createS3Client({
      region: 'us-east-1',
      endpoint: fake.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      checksumWhenRequired: true,
    });
    clients.push(client);
    return { fake, store: createS3Store({ bucket: BUCKET, client, sleep: noSleep, ...overrides }) };
  }

  test('503 SlowDown twice, then 200: three attempts, success, backoff within the jitter bounds', async () => {
    const delays: number[] = [];
    const { fake, store } = await storeFor(
      (n, _req, res) => (n <= 2 ? sendError(res, 503, 'SlowDown') : sendPutOk(res)),
      {
        sleep: async (ms) => {
          delays.push(ms);
        },
      },
    );
    await store.put('v0/a.json', encode('{}'), opts);
    assert.equal(fake.requests, 3);
    assert.equal(delays.length, 2);
    assert.ok(delays[0]! >= 0 && delays[0]! < 100 && delays[1]! >= 0 && delays[1]! < 200, String(delays));
  });

  test('a connection reset is retried', async () => {
    const { fake, store } = await storeFor((n, req, res) =>
      n === 1 ? req.socket.destroy() : sendPutOk(res),
    );
    await store.put('v0/a.json', encode('{}'), opts);
    assert.equal(fake.requests, 2);
  });

  test('always 500: unavailable (503 RegistryError) after maxAttempts', async () => {
    const { fake, store } = await storeFor((_n, _req, res) => sendError(res, 500, 'InternalError'), {
      maxAttempts: 4,
    });
    await assert.rejects(store.put('v0/a.json', encode('{}'), opts), (e: unknown) => {
      assert.ok(e instanceof RegistryError);
      assert.equal(e.status, 503);
      assert.match(
        e.detail,
        /^object store unavailable: PutObject v0\/a\.json: .*InternalError.*after 4 attempts/,
      );
      return true;
    });
    assert.equal(fake.requests, 4);
  });

  test('403 AccessDenied: no retry, fails after exactly one attempt', async () => {
    const { fake, store } = await storeFor((_n, _req, res) => sendError(res, 403, 'AccessDenied'));
    await assert.rejects(store.put('v0/a.json', encode('{}'), opts), (e: unknown) => {
      assert.ok(e instanceof RegistryError);
      assert.equal(e.status, 500, 'not retryable, so not "unavailable"');
      assert.match(e.detail, /AccessDenied/);
      return true;
    });
    assert.equal(fake.requests, 1);
  });

  test('50 puts with concurrency 4 never have more than 4 requests in flight', async () => {
    const { fake, store } = await storeFor((_n, _req, res) => setTimeout(() => sendPutOk(res), 10), {
      concurrency: 4,
    });
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.put(`v0/${i}.json`, encode('{}'), opts)));
    assert.equal(fake.requests, 50);
    assert.ok(fake.maxInFlight <= 4, `max in flight ${fake.maxInFlight}`);
    assert.equal(fake.maxInFlight, 4, 'the limit is actually used');
  });
});
