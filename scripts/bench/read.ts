import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import knexPkg from 'knex';
import pino from 'pino';
import { runBuild } from '../../builder/runs.js';
import { createSiteSigner } from '../../builder/signing.js';
import { isEdgeResponse, loadEdgeHandler, toEdgeEvent } from '../../cdn/edge/load.js';
import { startLocalCdn } from '../../cdn/local-server.js';
import { findModulesDir, startNginxCdn } from '../../cdn/nginx/nginx.js';
import { pageDocument } from '../../core/layout/documents.js';
import { type ServerList, toServerResponse } from '../../core/shapes.js';
import { openDatabase } from '../../db/connect.js';
import { viewRecordsAfter } from '../../db/repositories/list-views.js';
import { getVersion } from '../../db/repositories/versions.js';
import { createFilesystemStore } from '../../store/filesystem.js';
import { withDatabase } from '../../test/helpers/db.js';
import { generateRegistry } from './generate.js';
import { freePort, writeResult } from './util.js';

/**
 * Read benchmark (issue 14): the same two documents — a list page of about 30 items and a version
 * document — served by
 * - the local CDN (`mcp-registry cdn`: the edge function, the hot cache), identity and brotli;
 * - the local CDN in nginx (`mcp-registry cdn --nginx`: the same edge function in njs, one worker),
 *   identity and brotli (skipped with a note without nginx's njs module);
 * - a static file server on the same site-output files (nginx, one worker), the floor;
 * - a dynamic origin: Node answering the official list query (and the version lookup) from
 *   PostgreSQL for each request, as the official registry does;
 * with one load tool (wrk: 32 connections, 2 threads, `--seconds` each, 10 by default). Needs
 * PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL) and wrk; nginx is skipped with a note if absent.
 */
const NJS = 'local CDN in nginx (njs)';
const log = (line: string) => process.stderr.write(`${line}\n`);
const has = (tool: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

interface Run {
  server: string;
  document: string;
  url: string;
  encoding: string;
  requestsPerSecond: number;
  p99Ms: number;
  bytes: number;
}

/**
 * wrk's summary: Requests/sec and the 99th percentile of `--latency`. Asynchronous: the servers under
 * load run in this process's event loop.
 */
async function wrk(
  url: string,
  seconds: number,
  headers: Record<string, string>,
): Promise<{ rps: number; p99Ms: number }> {
  const args = ['-t2', '-c32', `-d${seconds}s`, '--latency'];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  const { stdout: out } = await promisify(execFile)('wrk', [...args, url], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const [, value, unit] = /\s99%\s+([\d.]+)(us|ms|s)/.exec(out) ?? [];
  const p99Ms = Number(value) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : 1);
  if (!Number.isFinite(rps) || !Number.isFinite(p99Ms)) throw new Error(`unreadable wrk output:\n${out}`);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (errors) throw new Error(`${url}: ${errors[1]} failed responses`);
  return { rps, p99Ms };
}

async function startNginx(site: string, port: number): Promise<ChildProcess> {
  const prefix = mkdtempSync(join(tmpdir(), 'mcpreg-bench-nginx-'));
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(
    conf,
    `user root; worker_processes 1; daemon off; pid ${prefix}/nginx.pid; error_log ${prefix}/error.log;
events { worker_connections 1024; }
http {
  access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000000; default_type application/json;
  client_body_temp_path ${prefix}/body; proxy_temp_path ${prefix}/proxy; fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi; scgi_temp_path ${prefix}/scgi;
  server { listen 127.0.0.1:${port}; root ${site}; location / { try_files $uri =404; } }
}
`,
  );
  const child = spawn('nginx', ['-p', prefix, '-c', conf], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if ((await fetch(`http://127.0.0.1:${port}/index.json`).catch(() => undefined))?.ok) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('nginx did not start');
}

export async function main(args: Record<string, string | undefined>): Promise<void> {
  const databaseUrl = args.databaseUrl;
  if (!databaseUrl)
    throw new Error('the read benchmark needs PostgreSQL: --database-url or TEST_DATABASE_URL');
  if (!has('wrk')) throw new Error('the read benchmark needs wrk (Debian: apt-get install wrk)');
  const loadAtStart = loadavg().map((l) => Number(l.toFixed(1)));
  const seconds = Number(args.seconds ?? 10);
  const servers = Number(args.servers ?? 2000);
  const dbName = 'mcpreg_bench_read';
  const admin = knexPkg.knex({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`drop database if exists ${dbName} with (force)`);
  await admin.raw(`create database ${dbName}`);
  await admin.destroy();
  const site = mkdtempSync(join(tmpdir(), 'mcpreg-bench-read-'));
  const db = await openDatabase({ databaseUrl: withDatabase(databaseUrl, dbName), dataDir: '' });
  const stops: (() => Promise<void> | void)[] = [];
  try {
    await generateRegistry(db.knex, servers, servers * 5);
    // Fair to the dynamic origin: statistics as autovacuum would have them, so its queries use the index.
    await db.knex.raw('analyze server_versions');
    const store = createFilesystemStore(site);
    const logger = pino({ level: 'warn' });
    const signer = createSiteSigner(Buffer.alloc(32, 7));
    const built = await runBuild(
      { db, store, signer, logger, target: 'bench-read' },
      { kind: 'full', requestedBy: 'bench', wait: true },
    );
    if (built.status !== 'succeeded') throw new Error(`build ${built.status}: ${built.error}`);
    log(`${servers} servers / ${servers * 5} versions built: ${built.objectsWritten} objects`);

    // The list page closest to 30 items, found by crawling as a client would.
    const edge = loadEdgeHandler();
    const keyOf = (url: string) => {
      const r = edge(toEdgeEvent('GET', url));
      if (isEdgeResponse(r)) throw new Error(`${url} is answered by the edge itself`);
      return r.uri;
    };
    let url = '/v0.1/servers';
    let best: { url: string; key: string; cursor?: string; page: ServerList } | undefined;
    let cursor: string | undefined;
    for (let i = 0; i < 200; i++) {
      const key = keyOf(url);
      const page = JSON.parse(
        Buffer.from((await store.get(key.slice(1)))?.body ?? []).toString(),
      ) as ServerList;
      if (!best || Math.abs(page.metadata.count - 30) < Math.abs(best.page.metadata.count - 30)) {
        best = { url, key, page, ...(cursor ? { cursor } : {}) };
      }
      cursor = page.metadata.nextCursor;
      if (!cursor) break;
      url = `/v0.1/servers?cursor=${encodeURIComponent(cursor)}`;
    }
    if (!best) throw new Error('no list page');
    const item = best.page.servers[0]?.server as { name: string; version: string };
    const versionUrl = `/v0.1/servers/${encodeURIComponent(item.name)}/versions/${encodeURIComponent(item.version)}`;
    const documents = [
      { document: `list page (${best.page.metadata.count} items)`, url: best.url, key: best.key },
      { document: 'version document', url: versionUrl, key: keyOf(versionUrl) },
    ];

    // The dynamic origin: the official queries per request, rendered as the official service does.
    const limit = best.page.metadata.count;
    const after = best.cursor
      ? {
          name: best.cursor.slice(0, best.cursor.indexOf(':')),
          version: best.cursor.slice(best.cursor.indexOf(':') + 1),
        }
      : undefined;
    const dynamic: Server = createServer((req, res) => {
      const answer = async () => {
        const path = new URL(req.url ?? '/', 'http://x');
        if (path.pathname === '/v0.1/servers') {
          const records = await viewRecordsAfter(db.knex, 'live', after, limit);
          const last = records[records.length - 1];
          return pageDocument(
            records,
            last && records.length >= limit ? `${last.serverName}:${last.version}` : undefined,
          );
        }
        const record = await getVersion(db.knex, item.name, item.version);
        return record ? toServerResponse(record) : undefined;
      };
      answer().then(
        (doc) => {
          const body = JSON.stringify(doc);
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          });
          res.end(body);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    });
    const dynamicPort = await freePort();
    await new Promise<void>((r) => dynamic.listen(dynamicPort, '127.0.0.1', r));
    stops.push(() => new Promise<void>((r) => dynamic.close(() => r())));
    const cdn = await startLocalCdn({ root: site });
    stops.push(() => cdn.close());

    const origins: { server: string; base: string; byKey: boolean }[] = [
      { server: 'dynamic origin (Node + PostgreSQL)', base: `http://127.0.0.1:${dynamicPort}`, byKey: false },
      { server: 'local CDN', base: cdn.url, byKey: false },
    ];
    let floorNote: string | undefined;
    let njsNote: string | undefined;
    if (has('nginx')) {
      const port = await freePort();
      const nginx = await startNginx(site, port);
      stops.push(() => {
        nginx.kill('SIGTERM');
      });
      origins.push({ server: 'nginx (static floor)', base: `http://127.0.0.1:${port}`, byKey: true });
    } else {
      floorNote = 'nginx not installed: static floor skipped (Debian: apt-get install nginx)';
      log(floorNote);
    }
    if (has('nginx') && findModulesDir()) {
      const prefix = mkdtempSync(join(tmpdir(), 'mcpreg-bench-njs-'));
      const njs = await startNginxCdn({ root: site, prefix, port: await freePort(), workers: 1 });
      stops.push(async () => {
        await njs.close();
        rmSync(prefix, { recursive: true, force: true });
      });
      origins.push({ server: NJS, base: njs.url, byKey: false });
    } else {
      njsNote =
        'nginx njs module not installed: local CDN in nginx skipped (Debian: apt-get install libnginx-mod-http-js)';
      log(njsNote);
    }

    const runs: Run[] = [];
    for (const doc of documents) {
      for (const origin of origins) {
        const encodings =
          origin.server === 'local CDN' || origin.server === NJS ? ['identity', 'br'] : ['identity'];
        for (const encoding of encodings) {
          const target = `${origin.base}${origin.byKey ? doc.key : doc.url}`;
          const headers = { 'accept-encoding': encoding };
          const probe = await fetch(target, { headers });
          const bytes = (await probe.arrayBuffer()).byteLength;
          if (!probe.ok) throw new Error(`${target} answered ${probe.status}`);
          await wrk(target, 1, headers); // warm-up
          const { rps, p99Ms } = await wrk(target, seconds, headers);
          runs.push({
            server: origin.server,
            document: doc.document,
            url: target,
            encoding,
            requestsPerSecond: rps,
            p99Ms,
            bytes,
          });
          log(
            `${doc.document} | ${origin.server} | ${encoding}: ${rps.toFixed(0)} req/s, p99 ${p99Ms.toFixed(2)} ms`,
          );
        }
      }
    }
    const rate = (server: string, document: string) =>
      runs.find((r) => r.server === server && r.document === document && r.encoding === 'identity')
        ?.requestsPerSecond;
    const ratios = documents.map(({ document }) => {
      const cdnRate = rate('local CDN', document) as number;
      const dyn = rate('dynamic origin (Node + PostgreSQL)', document) as number;
      const floor = rate('nginx (static floor)', document);
      const njsRate = rate(NJS, document);
      const x = (a: number, b: number) => Number((a / b).toFixed(2));
      return {
        document,
        cdnOverDynamic: x(cdnRate, dyn),
        ...(floor ? { floorOverCdn: x(floor, cdnRate) } : {}),
        ...(njsRate ? { nginxCdnOverDynamic: x(njsRate, dyn) } : {}),
        ...(njsRate && floor ? { floorOverNginxCdn: x(floor, njsRate) } : {}),
      };
    });
    for (const r of ratios)
      log(
        `${r.document}: local CDN ${r.cdnOverDynamic}× the dynamic origin, floor ${r.floorOverCdn ?? '–'}× it; ` +
          `in nginx ${r.nginxCdnOverDynamic ?? '–'}× the dynamic origin, floor ${r.floorOverNginxCdn ?? '–'}× it`,
      );
    const file = writeResult('read', {
      date: new Date().toISOString(),
      load: { tool: 'wrk', connections: 32, threads: 2, seconds },
      // The machine is shared: its load average during the run says how much to trust the figures.
      machineLoadAverage: {
        start: loadAtStart,
        end: loadavg().map((l) => Number(l.toFixed(1))),
      },
      registry: { servers, versions: servers * 5 },
      runs,
      ratios,
      ...(floorNote || njsNote ? { note: [floorNote, njsNote].filter(Boolean).join('; ') } : {}),
    });
    log(`results: ${file}`);
  } finally {
    for (const stop of stops.reverse()) await stop();
    await db.close();
    rmSync(site, { recursive: true, force: true });
    const cleanup = knexPkg.knex({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
    await cleanup.raw(`drop database if exists ${dbName} with (force)`);
    await cleanup.destroy();
  }
}
