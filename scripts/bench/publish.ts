import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import knexPkg from 'knex';
import { createTokenService } from '../../api/auth/tokens.js';
import { withDatabase } from '../../test/helpers/db.js';
import { freePort, percentile, startProcess, stopProcess, writeResult } from './util.js';

/**
 * Publish load in two layouts, both on real PostgreSQL: `api` is the write API alone in its process
 * (production: `mcp-registry api`), `serve` is what `npm start` runs (`mcp-registry serve`: the write
 * API, the builder daemon rendering every publish, and the local CDN in one process). This process
 * is the load generator — `clients` concurrent keep-alive connections, each publishing new versions as fast
 * as the API answers, for `seconds` after a warm-up. Reports publishes/s and latency percentiles.
 */
export interface PublishBenchOptions {
  databaseUrl: string;
  clients: number;
  seconds: number;
  warmupSeconds: number;
  servers: number;
  layout: 'api' | 'serve';
  /** Directory for a V8 CPU profile of the API process (--cpu-prof), for finding hot spots. */
  profileDir?: string | undefined;
}

export async function runPublishBench(o: PublishBenchOptions) {
  const dbName = `mcpreg_bench_${process.pid}`;
  const admin = knexPkg.knex({ client: 'pg', connection: o.databaseUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`drop database if exists ${dbName} with (force)`);
  await admin.raw(`create database ${dbName}`);
  const seed = randomBytes(32);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const siteDir = mkdtempSync(join(tmpdir(), 'mcpreg-bench-site-'));
  const api = await startProcess(
    [o.layout],
    {
      DATABASE_URL: withDatabase(o.databaseUrl, dbName),
      SITE_DIR: siteDir,
      CDN_PORT: String(await freePort()),
      PORT: String(port),
      JWT_PRIVATE_KEY: seed.toString('hex'),
      LOG_LEVEL: 'warn',
      // The write path itself is measured: no package registry is asked (none is reachable here).
      PACKAGE_VALIDATION: 'off',
    },
    async () => (await fetch(`${base}/v0/ping`)).ok,
    o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : [],
  );
  try {
    const token = (
      await createTokenService(seed).issue({
        authMethod: 'none',
        authMethodSub: 'bench',
        permissions: [{ action: 'publish', resource: '*' }],
      })
    ).registry_token;
    const agent = new Agent({ keepAlive: true, maxSockets: o.clients });
    const post = (body: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          `${base}/v0/publish`,
          {
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
              authorization: `Bearer ${token}`,
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      });

    let counter = 0;
    const document = (client: number) => {
      const n = counter++;
      return JSON.stringify({
        $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
        name: `io.github.bench/server-${n % o.servers}`,
        description: 'Benchmark server with an npm package and a remote',
        version: `1.${client}.${n}`,
        repository: { url: 'https://github.com/bench/server', source: 'github' },
        packages: [
          {
            registryType: 'npm',
            identifier: '@bench/server',
            version: '1.0.0',
            transport: { type: 'stdio' },
          },
        ],
      });
    };

    const latencies: number[] = [];
    const failures: Record<string, number> = {};
    let measuring = false;
    const runClients = async (until: number) =>
      Promise.all(
        Array.from({ length: o.clients }, async (_, client) => {
          while (Date.now() < until) {
            const body = document(client);
            const t0 = performance.now();
            const status = await post(body).catch(() => -1);
            const ms = performance.now() - t0;
            if (status !== 200) failures[status] = (failures[status] ?? 0) + 1;
            else if (measuring) latencies.push(ms);
          }
        }),
      );
    await runClients(Date.now() + o.warmupSeconds * 1000);
    measuring = true;
    const started = performance.now();
    await runClients(Date.now() + o.seconds * 1000);
    const elapsed = (performance.now() - started) / 1000;
    agent.destroy();
    latencies.sort((a, b) => a - b);
    return {
      benchmark: 'publish',
      layout: o.layout,
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      clients: o.clients,
      seconds: Number(elapsed.toFixed(2)),
      publishes: latencies.length,
      publishesPerSecond: Number((latencies.length / elapsed).toFixed(1)),
      latencyMs: {
        p50: Number(percentile(latencies, 50).toFixed(2)),
        p90: Number(percentile(latencies, 90).toFixed(2)),
        p99: Number(percentile(latencies, 99).toFixed(2)),
        max: Number((latencies.at(-1) ?? Number.NaN).toFixed(2)),
      },
      failures,
      target: { publishesPerSecond: 500, p99Ms: 50 },
    };
  } finally {
    await stopProcess(api);
    rmSync(siteDir, { recursive: true, force: true });
    await admin.raw(`drop database if exists ${dbName} with (force)`);
    await admin.destroy();
  }
}

export async function main(args: Record<string, string | undefined>): Promise<void> {
  const layouts = ['api', 'serve'] as const;
  const results = [];
  for (const layout of layouts) {
    const result = await runPublishBench({
      databaseUrl: args.databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      clients: Number(args.clients ?? 32),
      seconds: Number(args.seconds ?? 15),
      warmupSeconds: Number(args.warmup ?? 3),
      servers: Number(args.servers ?? 500),
      layout,
      profileDir: args.profile,
    });
    results.push(result);
    process.stderr.write(
      `publish (${layout}): ${result.publishesPerSecond} publishes/s, p50 ${result.latencyMs.p50} ms, ` +
        `p99 ${result.latencyMs.p99} ms at ${result.clients} clients (${result.publishes} publishes, ` +
        `failures ${JSON.stringify(result.failures)})\n`,
    );
  }
  const file = writeResult('publish', { benchmark: 'publish', layouts: results });
  process.stderr.write(`publish: → ${file}\n`);
}
