import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { AppError } from '../../core/errors.js';

/**
 * The one HTTP client of the package-ownership checks. Package registries are reached with a timeout,
 * a bounded response size and a User-Agent naming this registry. Hosts the operator configured (the
 * registries' base URLs, test peers) are trusted; any other host — an MCPB download URL, a redirect,
 * an OCI token realm — must be HTTPS and resolve to public addresses only, checked on the address the
 * connection actually uses (the lookup that refuses is the one the socket connects with, so a name
 * that resolves differently the second time cannot slip through).
 */
export interface FetchedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The URL that answered (after redirects). */
  url: string;
  body: Buffer;
}

export interface RequestOptions {
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  timeoutMs?: number;
  maxBytes?: number;
}

export interface PackageHttp {
  request(url: string, options?: RequestOptions): Promise<FetchedResponse>;
}

/** Why a registry could not be asked: the verifier turns it into the publisher's error message. */
export class PackageFetchError extends AppError {
  constructor(message: string) {
    super('unavailable', message);
  }
}

export const MAX_REDIRECTS = 5;
export const DEFAULT_TIMEOUT_MS = 10_000;
export const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

// Two lists: Node matches IPv4 addresses against IPv6 rules as IPv4-mapped, so one list holding
// ::ffff:0:0/96 would block every IPv4 address.
const BLOCKED_V4 = new BlockList();
const BLOCKED_V6 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  BLOCKED_V4.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127], // unspecified and loopback
  ['::ffff:0:0', 96], // IPv4-mapped: never a legitimate public destination here
  ['64:ff9b::', 96], // NAT64 can reach private IPv4 space
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  BLOCKED_V6.addSubnet(network, prefix, 'ipv6');
}

/** True for loopback, private, link-local, unique-local, multicast, mapped and reserved addresses. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return family === 4 ? BLOCKED_V4.check(address, 'ipv4') : BLOCKED_V6.check(address, 'ipv6');
}

/** A resolver that refuses names resolving to any private address (all of them are checked). */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0);
    const blocked = addresses.find((a) => isPrivateAddress(a.address));
    if (blocked || addresses.length === 0) {
      return callback(
        new PackageFetchError(`${hostname} resolves to a private address; refusing to connect`),
        '',
        0,
      );
    }
    if ((options as { all?: boolean }).all) return (callback as unknown as AllCallback)(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
};
type AllCallback = (err: Error | null, addresses: LookupAddress[]) => void;

export interface PackageHttpOptions {
  userAgent: string;
  /** `host[:port]` values reached without the public-address rule (configured registries, test peers). */
  trustedHosts: ReadonlySet<string>;
  /** Replaces every request's own timeout (10 s; OCI 30 s): for tests of the timeout path. */
  timeoutMs?: number;
}

export function createPackageHttp(options: PackageHttpOptions): PackageHttp {
  const isTrusted = (url: URL) => options.trustedHosts.has(url.host);

  function checkTarget(url: URL): void {
    if (isTrusted(url)) return;
    if (url.protocol !== 'https:') throw new PackageFetchError(`refusing non-HTTPS URL ${url.origin}`);
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(literal) && isPrivateAddress(literal)) {
      throw new PackageFetchError(`refusing to connect to a private address (${url.host})`);
    }
  }

  async function request(target: string, asked: RequestOptions = {}): Promise<FetchedResponse> {
    const opts = options.timeoutMs === undefined ? asked : { ...asked, timeoutMs: options.timeoutMs };
    const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    let url = parse(target);
    for (let hop = 0; ; hop++) {
      checkTarget(url);
      const response = await once(url, opts, deadline, isTrusted(url), options.userAgent);
      const location = response.headers.location;
      if (response.status < 300 || response.status >= 400 || !location) return response;
      if (hop >= MAX_REDIRECTS) throw new PackageFetchError(`more than ${MAX_REDIRECTS} redirects`);
      url = parse(location, url);
    }
  }
  return { request };
}

function parse(value: string, base?: URL): URL {
  try {
    const url = new URL(value, base);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
    return url;
  } catch {
    throw new PackageFetchError('invalid URL');
  }
}

function once(
  url: URL,
  opts: RequestOptions,
  deadline: number,
  trusted: boolean,
  userAgent: string,
): Promise<FetchedResponse> {
  const remaining = deadline - Date.now();
  const maxBytes = opts.maxBytes ?? MAX_RESPONSE_BYTES;
  return new Promise((resolve, reject) => {
    if (remaining <= 0) return reject(timedOut(opts));
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, {
      method: opts.method ?? 'GET',
      headers: { 'user-agent': userAgent, ...opts.headers },
      ...(trusted ? {} : { lookup: publicOnlyLookup }),
    });
    const timer = setTimeout(() => req.destroy(timedOut(opts)), remaining);
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(err instanceof PackageFetchError ? err : new PackageFetchError(describe(err)));
    };
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          req.destroy(new PackageFetchError(`response larger than ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          url: url.href,
          body: Buffer.concat(chunks),
        });
      });
    });
    req.end();
  });
}

function timedOut(opts: RequestOptions): PackageFetchError {
  const ms = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new PackageFetchError(`timed out after ${ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`}`);
}

/** A network error's code, without the address details Node puts in its message. */
function describe(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code ? `network error (${code})` : 'network error';
}
