import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { classifyKey } from '../core/layout/key-shapes.js';
import { createFilesystemStore } from '../store/filesystem.js';
import type { ObjectStore } from '../store/types.js';
import { type EdgeResponse, isEdgeResponse, loadEdgeHandler, toEdgeEvent } from './edge/load.js';
import { HotCache, type HotCacheOptions, pickEncoding } from './hot-cache.js';

/**
 * The local CDN: serves the filesystem target (site-output/) at the official read URLs by running
 * the same viewer-request function CloudFront runs (cdn/edge/viewer-request.js), with the headers
 * the builder recorded for each object (Content-Type, Cache-Control, Content-Encoding), an ETag and
 * 304 on If-None-Match, CORS like the official registry (any origin; GET, HEAD, OPTIONS), and
 * problem+json for everything it cannot serve. Hot objects are served from memory (cdn/hot-cache.ts),
 * gzip or brotli by Accept-Encoding with `Vary: Accept-Encoding`, as CloudFront compresses.
 */
export interface LocalCdn {
  url: string;
  close(): Promise<void>;
}

const CORS = { 'access-control-allow-origin': '*' };
/** URLs whose edge mapping is remembered at most (the memory is dropped whole when full). */
const MAPPED_URLS = 10_000;

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

/** An answer the edge function made itself (a problem, a preflight, an empty feed page). */
function sendEdgeResponse(res: ServerResponse, method: string, result: EdgeResponse): void {
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
}

/** RFC 9110 If-None-Match: `*`, or a list of entity tags compared weakly. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => strip(tag) === strip(etag));
}

/** The stores refuse keys outside the tree's rules (store/types.ts assertValidKey) with this message. */
function isKeyRefusal(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('invalid object key');
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

/**
 * Whether a request is one the static tree answers (through the edge function): GET, HEAD and
 * OPTIONS on the official read URLs and the tree's own paths. Everything else (publish, edit,
 * status, sign-in, validate, health, ping, version, admin, metrics) belongs to the write API.
 *
 * @example isReadRequest('GET', '/v0.1/servers?limit=5') // true
 * @example isReadRequest('PATCH', '/v0.1/servers/a%2Fb/versions/1/status') // false
 * @example isReadRequest('GET', '/v0/health') // false
 */
export function isReadRequest(method: string, url: string): boolean {
  if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') return false;
  const path = url.split('?')[0] ?? '/';
  return READ_PATH.test(path);
}

/** The paths the static tree answers (also copied into the nginx module by cdn/nginx/nginx.ts). */
export const READ_PATH =
  /^\/(?:(?:v0|v0\.1)\/servers(?:\/.*)?|index\.(?:json(?:\.sig)?|html)|(?:snapshots|keys|feed|lists|manifest|servers|errors|search|app)\/.*)?$/;

/** `/` (with any query): the one URL whose object depends on a header (Accept: the edge function). */
const isRoot = (url: string): boolean => url === '/' || url.startsWith('/?');

export async function startLocalCdn(options: {
  root: string;
  /**
   * The write API's request handler: with it, one URL answers every official endpoint (reads
   * through the edge function, everything else here), as one host does in production.
   */
  writeApi?: (req: IncomingMessage, res: ServerResponse) => void;
  /** What it serves from; default the filesystem store over `root`. A reader needs `get` and `head`. */
  store?: Pick<ObjectStore, 'get' | 'head'>;
  /** The in-memory hot cache's bounds (cdn/hot-cache.ts). */
  cache?: HotCacheOptions;
  host?: string;
  port?: number;
  logger?: Logger;
}): Promise<LocalCdn> {
  const edge = loadEdgeHandler();
  const store: Pick<ObjectStore, 'get' | 'head'> = options.store ?? createFilesystemStore(options.root);
  const cache = new HotCache(store, options.cache);
  /** URL → the object key the edge function maps it to (a pure mapping, remembered for hot URLs). */
  const mapped = new Map<string, string>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    // One origin for both: the write API's preflight allows every method a browser may send.
    if (options.writeApi && (method === 'OPTIONS' || !isReadRequest(method, req.url ?? '/'))) {
      options.writeApi(req, res);
      return;
    }
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
    const url = req.url ?? '/';
    let key = method === 'OPTIONS' ? undefined : mapped.get(url);
    if (key === undefined) {
      const result = edge(toEdgeEvent(method, url, req.headers));
      if (isEdgeResponse(result)) {
        sendEdgeResponse(res, method, result);
        return;
      }
      key = result.uri.replace(/^\/+/, '');
      // A read URL maps to the same key every time, except `updated_since` (whether T is after today)
      // and `/` (the browse page or the root document, by Accept).
      if (method !== 'OPTIONS' && !url.includes('updated_since') && !isRoot(url)) {
        if (mapped.size >= MAPPED_URLS) mapped.clear();
        mapped.set(url, key);
      }
    }
    let object = cache.peek(key);
    try {
      object ??= await cache.get(key);
    } catch (err) {
      // The store refuses keys that are not tree keys (traversal and the like): nothing to serve.
      if (!isKeyRefusal(err)) throw err;
      object = undefined;
    }
    if (!object) {
      problem(res, 404, 'Not Found', notFoundDetail(key));
      return;
    }
    const { info } = object;
    const compressible = object.gzip !== undefined || object.br !== undefined;
    const encoding = compressible
      ? pickEncoding(req.headers['accept-encoding'], {
          gzip: object.gzip !== undefined,
          br: object.br !== undefined,
        })
      : undefined;
    const body = encoding === undefined ? object.body : (object[encoding] as Buffer);
    // As CloudFront does: a compressed form carries the origin's ETag as a weak one.
    const etag = encoding === undefined ? info.etag : `W/${info.etag}`;
    const headers: Record<string, string | number> = { ...CORS, etag, 'cache-control': info.cacheControl };
    const vary = [...(isRoot(url) ? ['Accept'] : []), ...(compressible ? ['Accept-Encoding'] : [])];
    if (vary.length > 0) headers.vary = vary.join(', ');
    if (etagMatches(req.headers['if-none-match'], info.etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    headers['content-type'] = info.contentType;
    headers['content-length'] = body.length;
    const contentEncoding = encoding ?? info.contentEncoding;
    if (contentEncoding) headers['content-encoding'] = contentEncoding;
    res.writeHead(200, headers);
    res.end(method === 'HEAD' ? undefined : body);
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
    // Stops accepting, lets requests in flight finish (publishes routed to the write API included),
    // closes idle keep-alive connections; whatever is still open after 10 s is cut.
    close: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), 10_000);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
