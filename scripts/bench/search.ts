import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { memoryIndexObjects } from '../../builder/search-index.js';
import type { RenderedObject } from '../../builder/writer.js';
import { startLocalCdn } from '../../cdn/local-server.js';
import { createSearchClient } from '../../client/search.js';
import { fetchOverHttp } from '../../client/search-http.js';
import { classifyKey } from '../../core/layout/key-shapes.js';
import { buildMemoryIndex, type IndexedServer } from '../../core/search/build-index.js';
import { serverTerms, shardOf } from '../../core/search/text.js';
import { createFilesystemStore } from '../../store/filesystem.js';
import { prng } from '../../test/helpers/random.js';
import { measureIndexBuilds } from './search-builds.js';
import { writeResult } from './util.js';

/**
 * `npm run bench -- search [--servers N]` (default 100,000): the static search index at N servers
 * with a realistic vocabulary (a few words in almost every server: `mcp`, `server`, `api`; a long
 * tail of rare ones). Measured: index build time (as pure functions: core/search/build-index.ts and
 * the objects the builder writes) and its size; every query of a fixed set through the real local
 * CDN (brotli/gzip as it serves them) with a fresh client: bytes fetched and time, median of 5; and
 * what one publish rewrites (shards of its terms' prefixes, its bucket, the manifest). With
 * PostgreSQL (TEST_DATABASE_URL), also the index through the builder's code at `--db-servers`
 * (default 10,000): whole-index time and objects written per publish (scripts/bench/search-builds.ts).
 */

const COMMON = (
  'mcp server api data tools github search file database ai agent query web browser slack notion ' +
  'google weather postgres sql git docker kubernetes aws cloud memory email calendar code python ' +
  'typescript node json http client sdk model llm openai anthropic chat context document pdf image ' +
  'vector embedding storage s3 azure gcp jira linear figma stripe payment crypto finance stock news ' +
  'map location time task todo project issue pull request deploy monitor log metric alert security ' +
  'auth oauth token secret config yaml markdown notes knowledge graph rag scrape crawl fetch test'
).split(' ');
const SYLLABLES = 'ka lo mi nu pe ra si to vu xe za bo di fu gi ha je ku le mo ne pi qu ru sa te'.split(' ');

function vocabulary(size: number, random: () => number): string[] {
  const words = new Set(COMMON);
  while (words.size < size) {
    const n = 2 + Math.floor(random() * 3);
    words.add(Array.from({ length: n }, () => SYLLABLES[Math.floor(random() * SYLLABLES.length)]).join(''));
  }
  return [...words];
}

/** Generated servers: Zipf-like word choice (log-uniform rank), names, titles, packages, remotes. */
export function generateServers(count: number, seed = 17): IndexedServer[] {
  const random = prng(seed);
  const words = vocabulary(20_000, random);
  const word = () => words[Math.floor(Math.exp(random() * Math.log(words.length + 1))) - 1] as string;
  const users = vocabulary(count / 4, prng(seed + 1)).slice(COMMON.length);
  const servers: IndexedServer[] = [];
  for (let doc = 0; doc < count; doc++) {
    const user = users[Math.floor(random() * users.length)] as string;
    const namespace = random() < 0.7 ? `io.github.${user}` : `com.${user}`;
    const parts = Array.from({ length: 1 + Math.floor(random() * 2) }, word);
    const tail = random();
    if (tail < 0.3) parts.push('mcp');
    else if (tail < 0.45) parts.push('server');
    const short = `${parts.join('-')}-${doc.toString(36)}`;
    const description = Array.from({ length: 6 + Math.floor(random() * 9) }, word).join(' ');
    const server: IndexedServer['server'] = {
      name: `${namespace}/${short}`,
      version: `1.${Math.floor(random() * 20)}.0`,
      description: `MCP server for ${description}`.slice(0, 100),
    };
    if (random() < 0.5) server.title = parts.map((p) => p[0]?.toUpperCase() + p.slice(1)).join(' ');
    if (random() < 0.7)
      server.packages = [
        random() < 0.6
          ? {
              registryType: 'npm',
              identifier: `@${user}/${short}`,
              version: server.version,
              transport: { type: 'stdio' },
            }
          : {
              registryType: 'pypi',
              identifier: short,
              version: server.version,
              transport: { type: 'stdio' },
            },
      ];
    if (random() < 0.2)
      server.remotes = [{ type: 'streamable-http', url: `https://${parts[0]}.${user}.com/mcp` }];
    servers.push({ doc, server, status: random() < 0.03 ? 'deprecated' : 'active' });
  }
  return servers;
}

const QUERIES = ['mcp', 'server', 'github', 'weather', 'kalomi', 'da', 'file search', 'postgres database'];
const log = (line: string) => process.stderr.write(`${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const kib = (n: number) => Math.round(n / 102.4) / 10;

export async function main(args: Record<string, string | undefined>): Promise<void> {
  const count = Number(args.servers ?? 100_000);
  const runs = Number(args.runs ?? 5);
  log(`search: generating ${count} servers`);
  const servers = generateServers(count);

  const t0 = performance.now();
  const index = buildMemoryIndex(servers);
  const objects = memoryIndexObjects(index);
  const buildMs = performance.now() - t0;
  const sizes = { raw: 0, gzip: 0, shards: 0, buckets: 0, largestShardRaw: 0, largestShardGzip: 0 };
  const gz = new Map<string, number>();
  for (const o of objects) {
    const g = gzipSync(o.body).length;
    gz.set(o.key, g);
    sizes.raw += o.body.length;
    sizes.gzip += g;
    const kind = classifyKey(o.key)?.kind;
    if (kind === 'search-terms') {
      sizes.shards++;
      if (o.body.length > sizes.largestShardRaw) {
        sizes.largestShardRaw = o.body.length;
        sizes.largestShardGzip = g;
      }
    } else if (kind === 'search-docs') sizes.buckets++;
  }
  const manifest = objects.at(-1) as RenderedObject;
  log(
    `search: index of ${count} servers built in ${Math.round(buildMs)} ms: ${objects.length} objects, ` +
      `${kib(sizes.raw)} KiB (${kib(sizes.gzip)} KiB gzip); manifest ${kib(manifest.body.length)} KiB ` +
      `(${kib(gz.get(manifest.key) as number)} gzip); largest shard ${kib(sizes.largestShardRaw)} KiB (${kib(sizes.largestShardGzip)} gzip)`,
  );

  // One publish: a new server rewrites the shards of its terms' prefixes, its bucket, the manifest.
  const shardByPrefix = new Map(
    objects.flatMap((o) => {
      const k = classifyKey(o.key);
      return k?.kind === 'search-terms'
        ? [[decodeURIComponent(k.prefix.replaceAll('~', '%')), o] as const]
        : [];
    }),
  );
  const publishes = generateServers(50, 99).map(({ server }) => {
    const prefixes = new Set([...serverTerms(server).keys()].map(shardOf));
    let bytes = 0;
    let gzip = 0;
    for (const p of prefixes) {
      const shard = shardByPrefix.get(p);
      bytes += shard?.body.length ?? 0;
      gzip += shard ? (gz.get(shard.key) as number) : 0;
    }
    return { objects: prefixes.size + 2, shardBytes: bytes, shardGzip: gzip };
  });
  const publish = {
    objectsMedian: median(publishes.map((p) => p.objects)),
    objectsMax: Math.max(...publishes.map((p) => p.objects)),
    shardKiBMedian: kib(median(publishes.map((p) => p.shardBytes))),
    shardGzipKiBMedian: kib(median(publishes.map((p) => p.shardGzip))),
  };
  log(
    `search: one publish rewrites ${publish.objectsMedian} objects (max ${publish.objectsMax}), shards ${publish.shardKiBMedian} KiB`,
  );

  const site = mkdtempSync(join(tmpdir(), 'mcpreg-bench-search-'));
  const store = createFilesystemStore(site);
  for (let i = 0; i < objects.length; i += 64)
    await Promise.all(
      objects
        .slice(i, i + 64)
        .map((o) => store.put(o.key, o.body, { contentType: o.contentType, cacheClass: o.cacheClass })),
    );
  const cdn = await startLocalCdn({ root: site, port: 0 });
  const queries: Record<string, unknown>[] = [];
  try {
    // Warm the CDN's compressed forms once, as an edge cache would hold them.
    for (const q of QUERIES) await createSearchClient({ baseUrl: cdn.url, fetch: fetchOverHttp }).search(q);
    for (const q of QUERIES) {
      const cold: number[] = [];
      const warm: number[] = [];
      let result: Awaited<ReturnType<ReturnType<typeof createSearchClient>['search']>> | undefined;
      for (let r = 0; r < runs; r++) {
        const client = createSearchClient({ baseUrl: cdn.url, fetch: fetchOverHttp });
        let t = performance.now();
        result = await client.search(q);
        cold.push(performance.now() - t);
        t = performance.now();
        await client.search(q, { offset: 10 });
        warm.push(performance.now() - t);
      }
      const row = {
        query: q,
        total: result?.total,
        kibFetched: kib(result?.bytesFetched ?? 0),
        coldMs: Math.round(median(cold) * 10) / 10,
        nextPageMs: Math.round(median(warm) * 10) / 10,
      };
      queries.push(row);
      log(`search: ${JSON.stringify(row)}`);
    }
  } finally {
    await cdn.close();
    rmSync(site, { recursive: true, force: true });
  }
  let builds: Record<string, unknown> | undefined;
  if (args.databaseUrl) {
    const dbServers = Number(args['db-servers'] ?? 10_000);
    log(`search: the index through the builder at ${dbServers} servers on PostgreSQL`);
    builds = await measureIndexBuilds(args.databaseUrl, dbServers);
    log(`search: ${JSON.stringify(builds)}`);
  } else log('search: no PostgreSQL (TEST_DATABASE_URL): the builder part is skipped');
  const file = writeResult('search', {
    date: new Date().toISOString(),
    servers: count,
    index: {
      buildMs: Math.round(buildMs),
      objects: objects.length,
      shards: sizes.shards,
      buckets: sizes.buckets,
      kib: kib(sizes.raw),
      gzipKiB: kib(sizes.gzip),
      manifestKiB: kib(manifest.body.length),
      manifestGzipKiB: kib(gz.get(manifest.key) as number),
      largestShardKiB: kib(sizes.largestShardRaw),
      largestShardGzipKiB: kib(sizes.largestShardGzip),
    },
    publish,
    queries,
    queryKiBMedian: median(queries.map((q) => q.kibFetched as number)),
    queryKiBMax: Math.max(...queries.map((q) => q.kibFetched as number)),
    coldMsMedian: median(queries.map((q) => q.coldMs as number)),
    builds,
  });
  log(`search: results in ${file}`);
}
