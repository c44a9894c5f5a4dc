import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const RESULTS_DIR = join(ROOT, 'bench-results');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Starts `mcp-registry <args>` as a child process and waits until `ready()` resolves. */
export async function startProcess(
  args: string[],
  env: Record<string, string>,
  ready: () => Promise<boolean>,
  nodeArgs: string[] = [],
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'cli/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited early: ${stderr}`);
    if (await ready().catch(() => false)) return child;
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`process did not become ready: ${stderr}`);
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

export function writeResult(name: string, result: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/**
 * `mcp-registry serve` (what `npm start` runs) as a child process on fresh embedded state: the write
 * API, the builder daemon and the local CDN server. Resolves once both HTTP servers answer.
 */
export async function startServe(
  dirs: { dataDir: string; siteDir: string },
  env: Record<string, string> = {},
): Promise<{
  child: ChildProcess;
  api: string;
  cdn: string;
  output: () => string;
  stop: () => Promise<number | null>;
  /** A token from `POST /v0/auth/none` (the anonymous namespace). */
  anonymousToken: () => Promise<string>;
  /** `POST /v0/publish` of a minimal server.json, as curl would send it. */
  publish: (
    token: string,
    server: { name: string; version: string; description: string },
  ) => Promise<Response>;
}> {
  const [apiPort, cdnPort] = [await freePort(), await freePort()];
  const api = `http://127.0.0.1:${apiPort}`;
  // `serve` answers reads and writes on one URL (PORT); CDN_PORT is set to prove it is unused.
  const cdn = api;
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: '',
      DATA_DIR: dirs.dataDir,
      SITE_DIR: dirs.siteDir,
      PORT: String(apiPort),
      CDN_PORT: String(cdnPort),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited early:\n${output}`);
    const ready = await Promise.all([fetch(`${api}/v0/ping`), fetch(`${cdn}/index.json`)])
      .then(([a]) => a.ok)
      .catch(() => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serve did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    api,
    cdn,
    output: () => output,
    async anonymousToken() {
      const res = await fetch(`${api}/v0/auth/none`, { method: 'POST' });
      return ((await res.json()) as { registry_token: string }).registry_token;
    },
    publish: (token, server) =>
      fetch(`${api}/v0/publish`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
          ...server,
        }),
      }),
    stop: () =>
      new Promise<number | null>((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}
