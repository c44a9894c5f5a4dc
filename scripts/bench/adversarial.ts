import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createWriteApi } from '../../api/create.js';
import { loadConfig } from '../../core/config.js';
import { openDatabase } from '../../db/connect.js';
import { allSpecs, buildCase } from '../../test/helpers/adversarial.js';
import { percentile, writeResult } from './util.js';

/**
 * `npm run bench -- adversarial`: the CPU one request costs, over the adversarial corpus of issue 10
 * (test/helpers/adversarial.ts: the findings, runs of each special character in every string field,
 * wide arrays of every kind, deep nesting, wide objects; every body ≤ 1 MiB). The write API as
 * `npm start` builds it (embedded PGlite), requests through `inject` (the whole Fastify path: body
 * parsing, hooks, validation, the publish transaction), CPU time of this process around each
 * request (user + system; PGlite runs in-process, so a publish's database work is counted too).
 * Budget: 100 ms of CPU per request. Reports the worst cases and the distribution, per route.
 */
const BUDGET_MS = 100;

export async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mcpreg-bench-adv-'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const db = await openDatabase({ databaseUrl: undefined, dataDir });
  const app = await createWriteApi(config, db, pino({ level: 'silent' }));
  try {
    // Anonymous tokens live 5 minutes; the run takes longer, so a fresh one every 100 cases.
    const newToken = async () =>
      ((await app.inject({ method: 'POST', url: '/v0/auth/none' })).json() as { registry_token: string })
        .registry_token;
    let token = await newToken();
    const specs = allSpecs();
    const routes = { validate: [] as Sample[], publish: [] as Sample[] };
    const statuses: Record<string, number> = {};
    const started = Date.now();
    for (const [i, spec] of specs.entries()) {
      if (i % 100 === 99) token = await newToken();
      const { label, body } = buildCase(spec);
      for (const route of ['validate', 'publish'] as const) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (route === 'publish') headers.authorization = `Bearer ${token}`;
        const before = process.cpuUsage();
        const res = await app.inject({ method: 'POST', url: `/v0/${route}`, headers, payload: body });
        const used = process.cpuUsage(before);
        const cpuMs = (used.user + used.system) / 1000;
        routes[route].push({ label, bytes: Buffer.byteLength(body), status: res.statusCode, cpuMs });
        const key = `${route} ${res.statusCode}`;
        statuses[key] = (statuses[key] ?? 0) + 1;
      }
      if ((i + 1) % 500 === 0) process.stderr.write(`adversarial: ${i + 1}/${specs.length} cases\n`);
    }
    const summary = Object.fromEntries(
      Object.entries(routes).map(([route, samples]) => [route, summarize(samples)]),
    );
    const worst = Object.values(summary).reduce((a, b) => (a.worst[0]!.cpuMs >= b.worst[0]!.cpuMs ? a : b));
    const result = {
      benchmark: 'adversarial',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      cases: specs.length,
      requests: specs.length * 2,
      wallSeconds: Math.round((Date.now() - started) / 100) / 10,
      budgetMs: BUDGET_MS,
      worstCpuMs: worst.worst[0]!.cpuMs,
      worstCase: worst.worst[0],
      overBudget: Object.values(routes)
        .flat()
        .filter((s) => s.cpuMs > BUDGET_MS).length,
      statuses,
      routes: summary,
    };
    const file = writeResult('adversarial', result);
    process.stderr.write(
      `adversarial: ${result.requests} requests, worst ${result.worstCpuMs} ms CPU (${result.worstCase?.label}, ` +
        `${result.worstCase?.status}), ${result.overBudget} over ${BUDGET_MS} ms → ${file}\n`,
    );
  } finally {
    await app.close();
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface Sample {
  label: string;
  bytes: number;
  status: number;
  cpuMs: number;
}

function summarize(samples: Sample[]) {
  const cpu = samples.map((s) => s.cpuMs).sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    requests: samples.length,
    cpuMs: { p50: round(percentile(cpu, 50)), p99: round(percentile(cpu, 99)), max: round(cpu.at(-1) ?? 0) },
    worst: [...samples]
      .sort((a, b) => b.cpuMs - a.cpuMs)
      .slice(0, 10)
      .map((s) => ({ ...s, cpuMs: round(s.cpuMs) })),
  };
}
