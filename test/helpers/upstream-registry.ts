import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/**
 * An upstream registry on loopback that answers `GET /v0.1/servers` (and `/v0/servers`) the way the
 * official service does: items are version rows in `(name, version)` order, `cursor` = `name:version`
 * of the last item (exclusive), `limit` 1–100 (default 30; out of range → 422), `include_deleted`,
 * `updated_since` (strictly after, forces deleted versions in), `version=latest`; `nextCursor` only on
 * a full page. Faults are queued per request: a status (with `Retry-After`), a hang, a dropped connection.
 */
export const OFFICIAL = 'io.modelcontextprotocol.registry/official';

export interface UpstreamEntry {
  server: { name: string; version: string; [k: string]: unknown };
  _meta: { [OFFICIAL]: Record<string, unknown> & { status: string; updatedAt: string; isLatest: boolean } };
}

export type UpstreamFault = { status: number; retryAfter?: string } | 'hang' | 'drop';

export interface UpstreamRegistry {
  url: string;
  entries: UpstreamEntry[];
  faults: UpstreamFault[];
  /** Every request's path and query, faulted ones included. */
  requests: string[];
  delayMs: number;
  /** Faults are taken only once this many requests have been answered. */
  faultsFrom: number;
  close(): Promise<void>;
}

export function loadFixtureEntries(): UpstreamEntry[] {
  const path = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'official-api-sample.json');
  return (JSON.parse(readFileSync(path, 'utf8')) as { servers: UpstreamEntry[] }).servers;
}

const byKey = (a: UpstreamEntry, b: UpstreamEntry) => {
  const x = `${a.server.name}\u0000${a.server.version}`;
  const y = `${b.server.name}\u0000${b.server.version}`;
  return x < y ? -1 : x > y ? 1 : 0;
};

export function answerList(
  entries: UpstreamEntry[],
  query: URLSearchParams,
): { status: number; body: unknown } {
  const limit = query.has('limit') ? Number(query.get('limit')) : 30;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    return { status: 422, body: { title: 'Unprocessable Entity', status: 422, detail: 'validation failed' } };
  }
  const since = query.get('updated_since');
  const includeDeleted = since !== null || query.get('include_deleted') === 'true';
  const cursor = query.get('cursor');
  const colon = cursor?.indexOf(':') ?? -1;
  const [cn, cv] = cursor
    ? colon === -1
      ? [cursor, undefined]
      : [cursor.slice(0, colon), cursor.slice(colon + 1)]
    : [];
  const rows = [...entries]
    .sort(byKey)
    .filter((e) => includeDeleted || e._meta[OFFICIAL].status !== 'deleted')
    .filter((e) => !since || Date.parse(e._meta[OFFICIAL].updatedAt) > Date.parse(since))
    .filter((e) => query.get('version') !== 'latest' || e._meta[OFFICIAL].isLatest)
    .filter((e) => {
      if (cn === undefined) return true;
      if (cv === undefined) return e.server.name > cn;
      return e.server.name > cn || (e.server.name === cn && e.server.version > cv);
    })
    .slice(0, limit);
  const last = rows[rows.length - 1];
  const metadata: { nextCursor?: string; count: number } = { count: rows.length };
  if (rows.length >= limit && last) metadata.nextCursor = `${last.server.name}:${last.server.version}`;
  return { status: 200, body: { servers: rows, metadata } };
}

export async function startUpstreamRegistry(entries: UpstreamEntry[]): Promise<UpstreamRegistry> {
  const held: ServerResponse[] = [];
  const upstream = {
    entries,
    faults: [] as UpstreamFault[],
    requests: [] as string[],
    delayMs: 0,
    faultsFrom: 0,
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://upstream');
    upstream.requests.push(url.pathname + url.search);
    const fault = upstream.requests.length > upstream.faultsFrom ? upstream.faults.shift() : undefined;
    if (fault === 'hang') return void held.push(res);
    if (fault === 'drop') return void req.socket.destroy();
    const answer = () => {
      if (fault) {
        const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
        if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
        return res
          .writeHead(fault.status, headers)
          .end(JSON.stringify({ title: 'fault', status: fault.status }));
      }
      if (!/^\/v0(\.1)?\/servers$/.test(url.pathname)) {
        return res.writeHead(404, { 'content-type': 'application/problem+json' }).end('{"status":404}');
      }
      const { status, body } = answerList(upstream.entries, url.searchParams);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (upstream.delayMs > 0) setTimeout(answer, upstream.delayMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(upstream, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/** `n` valid upstream versions of `n / 4` servers (one latest each), as the official list serves them. */
export function generateEntries(n: number, at = Date.parse('2026-01-01T00:00:00Z')): UpstreamEntry[] {
  return Array.from({ length: n }, (_, i) => {
    const server = Math.floor(i / 4);
    const ts = new Date(at + i * 1000).toISOString().replace('Z', '000Z');
    return {
      server: {
        $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
        name: `io.github.mirror${server}/server-${server}`,
        description: `Generated server ${server}`,
        version: `1.0.${i % 4}`,
        packages: [
          {
            registryType: 'npm',
            identifier: `@m/s${server}`,
            version: `1.0.${i % 4}`,
            transport: { type: 'stdio' },
          },
        ],
      },
      _meta: {
        [OFFICIAL]: {
          status: 'active',
          statusChangedAt: ts,
          publishedAt: ts,
          updatedAt: ts,
          isLatest: i % 4 === 3,
        },
      },
    };
  });
}
