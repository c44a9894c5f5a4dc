import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nonPublicReason } from '../../net/addresses.js';
import { createDnsResolver, type DnsResolver } from '../../net/dns.js';
import { FetchRefused } from '../../net/errors.js';
import { type SafeFetchOptions, safeGet } from '../../net/safe-fetch.js';
import { type DnsPeer, startDnsPeer } from '../helpers/peers/dns.js';
import { type HttpsPeer, startHttpsPeer } from '../helpers/peers/https.js';

/**
 * The SSRF guard: every address a name resolves to must be public, the connection goes to the
 * address that was checked, redirects are not followed, bodies are capped. The HTTPS peer listens on
 * 127.0.0.1: a refused request must not reach it.
 */
describe('safe fetch (SSRF)', () => {
  let dns: DnsPeer;
  let https: HttpsPeer;
  let resolver: DnsResolver;
  const options = (extra: Partial<SafeFetchOptions> = {}): SafeFetchOptions => ({
    resolver,
    timeoutMs: 3_000,
    maxBytes: 4096,
    ca: https.caPem,
    ...extra,
  });

  before(async () => {
    dns = await startDnsPeer();
    https = await startHttpsPeer(['allowed.test', 'loop.test', 'redirect.test', 'big.test', 'pinned.test']);
    resolver = createDnsResolver([dns.server], 2_000);
    for (const name of ['allowed.test', 'redirect.test', 'big.test', 'pinned.test', 'loop.test']) {
      dns.a.set(name, ['127.0.0.1']);
    }
    dns.aaaa.set('v6loop.test', ['::1']);
    dns.a.set('private.test', ['10.0.0.1']);
    dns.a.set('metadata.test', ['169.254.169.254']);
    dns.aaaa.set('mapped.test', ['::ffff:7f00:1']);
    dns.a.set('mixed.test', ['93.184.216.34', '127.0.0.1']);
    https.routes.set('/ok', { status: 200, body: 'hello' });
    https.routes.set('/start', {
      status: 302,
      body: '',
      headers: { location: `https://127.0.0.1:${https.port}/secret` },
    });
    https.routes.set('/secret', { status: 200, body: 'internal' });
    https.routes.set('/big', { status: 200, body: 'x'.repeat(5000) });
  });
  after(async () => {
    await dns.close();
    await https.close();
  });

  const refused = async (url: string, message: RegExp, extra?: Partial<SafeFetchOptions>) => {
    const before = https.requests.length;
    await assert.rejects(safeGet(url, options(extra)), (e: unknown) => {
      assert.ok(e instanceof FetchRefused, String(e));
      assert.match(e.message, message);
      return true;
    });
    assert.equal(https.requests.length, before, `${url} reached the server`);
  };

  it('classifies addresses: loopback, private, link-local, unique-local and IPv4-mapped are not public', () => {
    for (const [address, reason] of [
      ['127.0.0.1', 'loopback'],
      ['::1', 'loopback'],
      ['10.0.0.1', 'private'],
      ['192.168.1.1', 'private'],
      ['172.20.0.1', 'private'],
      ['169.254.169.254', 'link-local'],
      ['fe80::1', 'link-local'],
      ['fd12:3456::1', 'unique-local'],
      ['::ffff:127.0.0.1', 'IPv4-mapped'],
      ['::ffff:8.8.8.8', 'IPv4-mapped'],
      ['0.0.0.0', 'unspecified'],
      ['100.64.0.1', 'carrier-grade NAT'],
    ]) {
      assert.equal(nonPublicReason(address as string), reason, address);
    }
    for (const address of ['8.8.8.8', '93.184.216.34', '2606:4700::1111'])
      assert.equal(nonPublicReason(address), undefined);
  });

  it('refuses IP literals that are not public: 127.0.0.1, [::1], 10.0.0.1, 169.254.169.254, [::ffff:127.0.0.1]', async () => {
    const port = https.port;
    await refused(`https://127.0.0.1:${port}/ok`, /127\.0\.0\.1 \(loopback\), which is not a public address/);
    await refused(`https://[::1]:${port}/ok`, /::1 \(loopback\)/);
    await refused('https://10.0.0.1/ok', /10\.0\.0\.1 \(private\)/);
    await refused('https://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 \(link-local\)/);
    await refused(`https://[::ffff:127.0.0.1]:${port}/ok`, /IPv4-mapped/);
  });

  it('refuses names that resolve to such addresses, including one address among several', async () => {
    const port = https.port;
    await refused(`https://loop.test:${port}/ok`, /loop\.test resolves to 127\.0\.0\.1 \(loopback\)/);
    await refused(`https://v6loop.test:${port}/ok`, /::1 \(loopback\)/);
    await refused('https://private.test/ok', /10\.0\.0\.1 \(private\)/);
    await refused('https://metadata.test/ok', /169\.254\.169\.254 \(link-local\)/);
    await refused(`https://mapped.test:${port}/ok`, /IPv4-mapped/);
    await refused(`https://mixed.test:${port}/ok`, /127\.0\.0\.1 \(loopback\)/);
  });

  it('fetches from an allowed host at the address it resolved (not a second lookup), and caps the body', async () => {
    const allowHosts = new Map([
      ['allowed.test', https.port],
      ['pinned.test', https.port],
      ['big.test', https.port],
      ['redirect.test', https.port],
    ]);
    const res = await safeGet('https://allowed.test/ok', options({ allowHosts }));
    assert.deepEqual([res.status, res.body], [200, 'hello']);
    // pinned.test exists only in the test DNS server: the system resolver would not find it.
    assert.equal((await safeGet('https://pinned.test/ok', options({ allowHosts }))).body, 'hello');
    assert.match(String(https.requests.at(-1)?.host), /^pinned\.test(:\d+)?$/);
    await assert.rejects(safeGet('https://big.test/big', options({ allowHosts })), /larger than 4096 bytes/);
  });

  it('does not follow a redirect (to a loopback address here)', async () => {
    const allowHosts = new Map([['redirect.test', https.port]]);
    const before = https.requests.length;
    await assert.rejects(
      safeGet('https://redirect.test/start', options({ allowHosts })),
      /HTTP 302: redirects are not followed/,
    );
    assert.deepEqual(
      https.requests.slice(before).map((r) => r.path),
      ['/start'],
    );
  });

  it('refuses plain http and names that do not resolve', async () => {
    await assert.rejects(safeGet('http://allowed.test/ok', options()), /only https/);
    await assert.rejects(safeGet('https://nowhere.test/ok', options()), /does not resolve/);
  });
});
