import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';

/** Test plumbing for the CLI tests: the real `mcp-registry` as a subprocess, and a recording HTTP peer. */

export const BIN = join(import.meta.dirname, '..', '..', 'cli', 'bin.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `mcp-registry <args>` (cli/bin.js, as npx runs it) with only the given environment, stdin closed. */
export function runCli(
  args: string[],
  options: { env: Record<string, string>; cwd?: string; nodeArgs?: string[] },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface Recorder {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

/** A loopback HTTP server that records every request and answers with `answer` (JSON, status). */
export async function startRecorder(
  answer: (request: Recorded) => { status?: number; body?: unknown; contentType?: string },
): Promise<Recorder> {
  const requests: Recorded[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const { status = 200, body, contentType = 'application/json' } = answer(recorded);
      res.writeHead(status, { 'content-type': contentType });
      res.end(body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A registry token as the registry issues it (unsigned here: the CLI only reads its claims). */
export function fakeRegistryToken(claims: Record<string, unknown>): {
  registry_token: string;
  expires_at: number;
} {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const exp = Math.floor(Date.now() / 1000) + 300;
  return {
    registry_token: `${b64({ alg: 'EdDSA' })}.${b64({ ...claims, exp })}.c2lnbmF0dXJl`,
    expires_at: exp,
  };
}

export const ESCAPE = /\u001b\[/;
