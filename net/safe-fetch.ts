import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { isIP } from 'node:net';
import { nonPublicReason } from './addresses.js';
import type { DnsResolver } from './dns.js';
import { FetchRefused } from './errors.js';

/**
 * GET over HTTPS on a caller's behalf, safe against server-side request forgery: the name is
 * resolved once, every address it resolves to must be public (see addresses.ts), and the
 * connection goes to that checked address (a fixed `lookup`, and the socket's remote address is
 * checked again on connect), so a second, different DNS answer cannot slip in between check and
 * connect. No redirects are followed, the body is capped and the whole exchange has a deadline.
 *
 * `allowHosts` (development and tests only, `HTTP_AUTH_ALLOW_HOSTS`) lists names whose addresses
 * are not checked, each with an optional port that replaces 443 (a test server on loopback).
 */
export interface SafeFetchOptions {
  resolver: DnsResolver;
  allowHosts?: ReadonlyMap<string, number | undefined>;
  timeoutMs: number;
  maxBytes: number;
  headers?: Record<string, string>;
  /** Extra trusted CA certificates (PEM), for tests; production uses the system store. */
  ca?: string | undefined;
}

export interface SafeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export async function safeGet(url: string, options: SafeFetchOptions): Promise<SafeResponse> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FetchRefused(`not a URL: ${url}`);
  }
  if (parsed.protocol !== 'https:') throw new FetchRefused(`only https URLs are fetched: ${url}`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const allowed = options.allowHosts?.has(host) ?? false;
  const addresses = await options.resolver.addresses(host);
  if (!allowed) {
    for (const { address } of addresses) {
      const reason = nonPublicReason(address);
      if (reason)
        throw new FetchRefused(`${host} resolves to ${address} (${reason}), which is not a public address`);
    }
  }
  const target = addresses[0];
  if (!target) throw new FetchRefused(`${host} does not resolve`);
  const port = parsed.port ? Number(parsed.port) : (options.allowHosts?.get(host) ?? 443);
  return exchange(parsed, host, port, target, options);
}

function exchange(
  url: URL,
  host: string,
  port: number,
  target: { address: string; family: 4 | 6 },
  options: SafeFetchOptions,
): Promise<SafeResponse> {
  return new Promise((resolve, reject) => {
    const fail = (message: string, cause?: unknown) => {
      clearTimeout(timer);
      req.destroy();
      reject(new FetchRefused(message, { cause }));
    };
    const req = request({
      host,
      port,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: options.headers ?? {},
      ...(isIP(host) ? {} : { servername: host }),
      ...(options.ca ? { ca: options.ca } : {}),
      agent: false,
      // The one address that was checked, whatever the system resolver would say now.
      lookup: (_name, opts, callback) => {
        if ((opts as { all?: boolean }).all) {
          (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
            target,
          ]);
        } else callback(null, target.address, target.family);
      },
    });
    const timer = setTimeout(
      () => fail(`https://${host}${url.pathname} did not answer within ${options.timeoutMs / 1000} s`),
      options.timeoutMs,
    );
    req.on('socket', (socket) => {
      socket.once('connect', () => {
        if (normalise(socket.remoteAddress) !== normalise(target.address)) {
          fail(`connected to ${socket.remoteAddress}, not the checked address ${target.address}`);
        }
      });
    });
    req.on('error', (e) => fail(`https://${host}${url.pathname}: ${(e as Error).message}`, e));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        return fail(`https://${host}${url.pathname} answered HTTP ${status}: redirects are not followed`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) return fail(`response is larger than ${options.maxBytes} bytes`);
        chunks.push(chunk);
      });
      res.on('error', (e) => fail(`https://${host}${url.pathname}: ${e.message}`, e));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.end();
  });
}

const normalise = (address: string | undefined): string =>
  (address ?? '').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1').toLowerCase();
