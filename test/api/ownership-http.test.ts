import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createPackageHttp, isPrivateAddress, type PackageHttp } from '../../api/ownership/http.js';

/**
 * The ownership checks' HTTP client never lets a server.json, a registry's answer or a redirect point it
 * at a private address. Only loopback is ever connected to here; the other private ranges are checked
 * as addresses, without traffic.
 */
describe('package registry HTTP client: SSRF guard and bounds', () => {
  let server: Server;
  let peer: string;
  let otherPort: number;
  let http: PackageHttp;
  const hits: string[] = [];

  before(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      const url = new URL(req.url ?? '/', 'http://x');
      const to = url.searchParams.get('to');
      if (url.pathname === '/redirect' && to) return res.writeHead(302, { location: to }).end();
      if (url.pathname === '/loop') return res.writeHead(302, { location: '/loop' }).end();
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    peer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    otherPort = (server.address() as AddressInfo).port + 1;
    http = createPackageHttp({ userAgent: 'test', trustedHosts: new Set([new URL(peer).host]) });
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const refuses = async (url: string, message: RegExp) => {
    const before = hits.length;
    await assert.rejects(http.request(url), message);
    return hits.length - before;
  };

  test('a configured (trusted) host is reached, redirects on it are followed', async () => {
    const res = await http.request(`${peer}/redirect?to=/final`);
    assert.equal(res.status, 200);
    assert.equal(res.url, `${peer}/final`);
  });

  test('private address literals are refused before any connection', async () => {
    for (const url of [
      'https://127.0.0.1/',
      'https://127.5.5.5/',
      'https://[::1]/',
      'https://[::ffff:127.0.0.1]/',
    ]) {
      await refuses(url, /refusing to connect to a private address/);
    }
  });

  test('a name that resolves to a private address is refused by the lookup the socket uses', async () => {
    await refuses(
      `https://localhost:${otherPort}/`,
      /localhost resolves to a private address; refusing to connect/,
    );
  });

  test('plain HTTP is refused for hosts nobody configured', async () => {
    await refuses('http://registry.example.invalid/x', /refusing non-HTTPS URL/);
  });

  test('a redirect from a trusted registry to a private address is refused', async () => {
    await refuses(
      `${peer}/redirect?to=${encodeURIComponent(`https://localhost:${otherPort}/meta`)}`,
      /localhost resolves to a private address/,
    );
    await refuses(
      `${peer}/redirect?to=${encodeURIComponent(`https://[::ffff:127.0.0.1]:${otherPort}/`)}`,
      /refusing to connect to a private address/,
    );
    // Another port on loopback is another host: not trusted, so plain HTTP is refused there.
    await refuses(
      `${peer}/redirect?to=${encodeURIComponent(`http://127.0.0.1:${otherPort}/`)}`,
      /refusing non-HTTPS/,
    );
  });

  test('redirect loops end', async () => {
    await refuses(`${peer}/loop`, /more than 5 redirects/);
  });

  test('the address classification covers every private range', () => {
    for (const a of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      'ff02::1',
      '64:ff9b::a00:1',
    ]) {
      assert.equal(isPrivateAddress(a), true, a);
    }
    for (const a of ['93.184.216.34', '140.82.112.3', '2606:4700::6810:84e5']) {
      assert.equal(isPrivateAddress(a), false, a);
    }
  });
});
