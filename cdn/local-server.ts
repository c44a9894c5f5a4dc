import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { classifyKey } from '../core/layout/keys.js';
import { createFilesystemStore } from '../store/filesystem.js';
import type { ObjectStore } from '../store/types.js';
import { isEdgeResponse, loadEdgeHandler, toEdgeEvent } from './edge/load.js';

/**
 * The local CDN: serves the filesystem target (site-output/) at the official read URLs by running
 * the same viewer-request function CloudFront runs (cdn/edge/viewer-request.js), with the headers
 * the builder recorded for each object (Content-Type, Cache-Control, Content-Encoding), an ETag and
 * 304 on If-None-Match, CORS like the official registry (any origin; GET, HEAD, OPTIONS), and
 * problem+json for everything it cannot serve.
 */
export interface LocalCdn {
  url: string;
  close(): Promise<void>;
}

const CORS = { 'access-control-allow-origin': '*' };

function problem(
  res: ServerResponse,
  status: number,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
) {
  const body = JSON.stringify({ title, status, detail });
  res.writeHead(status, {
    ...CORS,
    ...headers,
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** RFC 9110 If-None-Match: `*`, or a list of entity tags compared weakly. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => strip(tag) === strip(etag));
}

function notFoundDetail(key: string): string {
  switch (classifyKey(key)?.kind) {
    case 'server-version':
      return 'Server version not found';
    case 'server-versions':
    case 'server-latest':
      return 'Server not found';
    default:
      return `Not found: /${key}`;
  }
}

export async function startLocalCdn(options: {
  root: string;
  /** What it serves from; default the filesystem store over `root`. A reader needs only `get`. */
  store?: Pick<ObjectStore, 'get'>;
  host?: string;
  port?: number;
  logger?: Logger;
}): Promise<LocalCdn> {
  const edge = loadEdgeHandler();
  const store: Pick<ObjectStore, 'get'> = options.store ?? createFilesystemStore(options.root);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    // CORS preflight (OPTIONS) is answered by the edge function, as on CloudFront.
    if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') {
      problem(
        res,
        405,
        'Method Not Allowed',
        `${method} is not supported: the read API is static (GET, HEAD, OPTIONS)`,
        {
          allow: 'GET, HEAD, OPTIONS',
        },
      );
      return;
    }
    const result = edge(toEdgeEvent(method, req.url ?? '/', req.headers));
    if (isEdgeResponse(result)) {
      const headers: Record<string, string> = {};
      for (const [name, { value }] of Object.entries(result.headers)) headers[name] = value;
      const body = result.body
        ? Buffer.from(result.body.data, result.body.encoding === 'base64' ? 'base64' : 'utf8')
        : undefined;
      res.writeHead(result.statusCode, {
        ...CORS,
        ...headers,
        ...(body ? { 'content-length': body.length } : {}),
      });
      res.end(method === 'HEAD' ? undefined : body);
      return;
    }
    const key = result.uri.replace(/^\/+/, '');
    let stored: Awaited<ReturnType<typeof store.get>>;
    try {
      stored = await store.get(key);
    } catch {
      // The store refuses keys that are not tree keys (traversal and the like): nothing to serve.
      stored = undefined;
    }
    if (!stored) {
      problem(res, 404, 'Not Found', notFoundDetail(key));
      return;
    }
    const { info } = stored;
    const headers: Record<string, string | number> = {
      ...CORS,
      etag: info.etag,
      'cache-control': info.cacheControl,
    };
    if (etagMatches(req.headers['if-none-match'], info.etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    headers['content-type'] = info.contentType;
    headers['content-length'] = stored.body.length;
    if (info.contentEncoding) headers['content-encoding'] = info.contentEncoding;
    res.writeHead(200, headers);
    res.end(method === 'HEAD' ? undefined : stored.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      options.logger?.error({ err, url: req.url }, 'local CDN request failed');
      if (!res.headersSent)
        problem(res, 500, 'Internal Server Error', 'The local CDN could not serve this request');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
