import { randomBytes } from 'node:crypto';
import { createS3Store } from '../../store/s3.js';
import { s3rverClient, startS3rver } from '../../test/helpers/s3.js';
import { startTcpProxy } from '../../test/helpers/tcp-proxy.js';
import { writeResult } from './util.js';

/**
 * S3 upload benchmark (issue 3): puts of 1.5 KB objects through the S3 store (the builder's code
 * path: p-limit, retries, headers) to s3rver on loopback, with the store's concurrency (16) and one
 * at a time, in the same run:
 * - 10,000 objects straight to s3rver. s3rver is single-threaded and CPU-bound on this machine, so
 *   the ratio says more about s3rver than about the store;
 * - 2,000 objects through a loopback proxy that delays every request by LATENCY_MS, the order of a
 *   small PUT's latency on S3 from the same region: what concurrency buys when the peer is far.
 */
const OBJECTS = 10_000;
const FAR_OBJECTS = 2_000;
const LATENCY_MS = 20;
const CONCURRENCY = 16;

interface Run {
  ms: number;
  objects: number;
  objectsPerSecond: number;
}

async function upload(count: number, concurrency: number, delayMs: number): Promise<Run> {
  const s3 = await startS3rver('bench');
  const proxy =
    delayMs > 0
      ? await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(s3.endpoint).port) }, { delayMs })
      : undefined;
  const client = proxy ? s3rverClient(`http://127.0.0.1:${proxy.port}`) : s3.client;
  try {
    const store = createS3Store({ bucket: 'bench', client, concurrency });
    const body = randomBytes(1500);
    const started = Date.now();
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        store.put(`servers/io.github.bench/s${i % 500}/v/${i}.json`, body, {
          contentType: 'application/json',
          cacheClass: 'mutable',
        }),
      ),
    );
    const ms = Date.now() - started;
    // Every object arrived whole (a proxy bug would show here, not as a fast figure).
    const last = await store.get(`servers/io.github.bench/s${(count - 1) % 500}/v/${count - 1}.json`);
    if (!last || Buffer.compare(Buffer.from(last.body), body) !== 0) throw new Error('upload lost an object');
    return { ms, objects: count, objectsPerSecond: Math.round(count / (ms / 1000)) };
  } finally {
    if (proxy) {
      client.destroy();
      await proxy.close();
    }
    await s3.close();
  }
}

export async function main(): Promise<void> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const comparison = async (count: number, delayMs: number) => {
    const concurrent = await upload(count, CONCURRENCY, delayMs);
    const sequential = await upload(count, 1, delayMs);
    const speedup = Number((sequential.ms / concurrent.ms).toFixed(2));
    log(
      `${count} objects${delayMs ? ` with ${delayMs} ms added per request` : ''}: ` +
        `${concurrent.objectsPerSecond}/s concurrent vs ${sequential.objectsPerSecond}/s sequential (${speedup}×)`,
    );
    return {
      objects: count,
      addedLatencyMs: delayMs,
      concurrency: CONCURRENCY,
      concurrent,
      sequential,
      speedup,
    };
  };
  const results = {
    date: new Date().toISOString(),
    objectBytes: 1500,
    local: await comparison(OBJECTS, 0),
    far: await comparison(FAR_OBJECTS, LATENCY_MS),
  };
  log(`results: ${writeResult('s3', results)}`);
}
