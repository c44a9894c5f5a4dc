import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile, startServe, writeResult } from './util.js';

/**
 * Freshness (issue 4): `mcp-registry serve` as `npm start` runs it (embedded PGlite, builder daemon,
 * local CDN). Publishes `count` versions one after another and measures, for each, the time from
 * the publish being acknowledged to its document answering 200 at the official URL on the local
 * CDN (polled every 10 ms). Targets: p50 ≤ 2 s, p99 ≤ 5 s.
 */
export async function main(args: Record<string, string | undefined>): Promise<void> {
  const count = Number(args.servers ?? 100);
  const base = mkdtempSync(join(tmpdir(), 'mcpreg-fresh-'));
  const registry = await startServe({ dataDir: join(base, 'data'), siteDir: join(base, 'site') });
  const latencies: number[] = [];
  try {
    const token = await registry.anonymousToken();
    for (let i = 0; i < count; i++) {
      const name = `io.modelcontextprotocol.anonymous/fresh-${i % 10}`;
      const version = `1.0.${i}`;
      const res = await registry.publish(token, { name, version, description: 'Freshness probe' });
      if (res.status !== 200) throw new Error(`publish ${i} answered ${res.status}: ${await res.text()}`);
      const acknowledged = performance.now();
      const url = `${registry.cdn}/v0.1/servers/${encodeURIComponent(name)}/versions/${version}`;
      for (;;) {
        if ((await fetch(url)).status === 200) break;
        if (performance.now() - acknowledged > 60_000) throw new Error(`${url} not visible after 60 s`);
        await new Promise((r) => setTimeout(r, 10));
      }
      latencies.push(performance.now() - acknowledged);
    }
  } finally {
    await registry.stop();
    rmSync(base, { recursive: true, force: true });
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const result = {
    date: new Date().toISOString(),
    publishes: count,
    p50Ms: Math.round(percentile(sorted, 50)),
    p99Ms: Math.round(percentile(sorted, 99)),
    maxMs: Math.round(sorted[sorted.length - 1] ?? 0),
    targets: { p50Ms: 2000, p99Ms: 5000 },
  };
  process.stderr.write(
    `publish → visible on the local CDN: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms (max ${result.maxMs} ms)\n`,
  );
  process.stderr.write(`results: ${writeResult('freshness', result)}\n`);
}
