import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile, ROOT, writeResult } from './util.js';

/**
 * `npm run bench -- cli-startup`: what a publisher command costs to start, against a bare
 * `node -e 0` in the same run (cases interleaved, so the shared machine's noise falls on all of
 * them alike): `--help`, `validate <file>` and `login none` (against a loopback registry), plus
 * `node --import tsx -e 0`, the TypeScript loader alone (the floor while the CLI runs from source).
 * Wall time per process, and peak RSS where /usr/bin/time is available.
 */
interface Sample {
  ms: number;
  rssKiB: number | undefined;
}

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

function runOnce(argv: string[], env: Record<string, string>): Promise<Sample> {
  const [command, args] = TIME ? [TIME, ['-f', '%M', process.execPath, ...argv]] : [process.execPath, argv];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) return reject(new Error(`${argv.join(' ')} exited ${code}: ${stderr}`));
      const rss = TIME ? Number(stderr.trim().split('\n').at(-1)) : Number.NaN;
      resolve({ ms, rssKiB: Number.isFinite(rss) ? rss : undefined });
    });
  });
}

export async function main(args: Record<string, string | undefined>): Promise<void> {
  const runs = Number(args.runs ?? 15);
  const scratch = mkdtempSync(join(tmpdir(), 'mcpreg-bench-cli-'));
  const token = `${Buffer.from('{}').toString('base64url')}.${Buffer.from('{"auth_method_sub":"anonymous"}').toString('base64url')}.x`;
  const registry = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ registry_token: token, expires_at: Math.floor(Date.now() / 1000) + 300 }));
  });
  await new Promise<void>((r) => registry.listen(0, '127.0.0.1', r));
  const address = registry.address();
  const registryUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const example = join(ROOT, '..', 'shared', 'spec', 'examples', '01-basic-server-with-npm-package.json');
  const env = { HOME: scratch, XDG_CONFIG_HOME: join(scratch, 'config') };
  const cases: Record<string, string[]> = {
    'node -e 0': ['-e', '0'],
    'node --import tsx -e 0': ['--import', 'tsx', '-e', '0'],
    '--help': ['cli/bin.js', '--help'],
    validate: ['cli/bin.js', 'validate', existsSync(example) ? example : join(ROOT, 'package.json')],
    'login none': ['cli/bin.js', 'login', 'none', '--registry', registryUrl],
  };
  const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  try {
    for (const argv of Object.values(cases)) await runOnce(argv, env); // warm the tsx cache and the disk
    for (let i = 0; i < runs; i++) {
      for (const [name, argv] of Object.entries(cases)) samples[name]?.push(await runOnce(argv, env));
    }
  } finally {
    registry.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  const summary = (s: Sample[]) => {
    const ms = s.map((x) => x.ms).sort((a, b) => a - b);
    const rss = s
      .map((x) => x.rssKiB)
      .filter((x): x is number => x !== undefined)
      .sort((a, b) => a - b);
    return {
      medianMs: Math.round(percentile(ms, 50)),
      p90Ms: Math.round(percentile(ms, 90)),
      medianRssMiB: rss.length ? Math.round(percentile(rss, 50) / 1024) : null,
    };
  };
  const baseline = summary(samples['node -e 0'] ?? []);
  const results = Object.fromEntries(
    Object.entries(samples).map(([name, s]) => {
      const sum = summary(s);
      return [name, { ...sum, ratioToNode: Number((sum.medianMs / baseline.medianMs).toFixed(2)) }];
    }),
  );
  const file = writeResult('cli-startup', {
    date: new Date().toISOString(),
    node: process.version,
    runs,
    results,
    notes:
      'wall time per process (spawn to exit), cases interleaved; ratioToNode = median / median of node -e 0',
  });
  for (const [name, r] of Object.entries(results)) {
    process.stderr.write(
      `${name.padEnd(24)} median ${String(r.medianMs).padStart(5)} ms  p90 ${String(r.p90Ms).padStart(5)} ms  ` +
        `${r.medianRssMiB ?? '?'} MiB  ×${r.ratioToNode} node\n`,
    );
  }
  process.stderr.write(`written to ${file}\n`);
}
