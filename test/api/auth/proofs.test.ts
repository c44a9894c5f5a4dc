import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from '../../../db/connect.js';
import type { TestApi } from '../../helpers/app.js';
import { serverJson } from '../../helpers/app.js';
import { openTestPGlite } from '../../helpers/db.js';
import { type AuthPeers, claimsOf, startAuthApi, startAuthPeers } from '../../helpers/peers/index.js';
import { proofKey, rfc3339 } from '../../helpers/peers/proof-keys.js';

/**
 * DNS and HTTP proofs against the loopback DNS server and HTTPS server: the namespaces each grants,
 * and each way a proof fails (another timestamp, outside the window, another domain's key, the
 * record in the wrong place, addresses the registry must not reach).
 */
describe('DNS and HTTP proofs', () => {
  let peers: AuthPeers;
  let db: Database;
  let api: TestApi;
  const key = proofKey('ed25519');
  const p384 = proofKey('ecdsap384');
  const stranger = proofKey('ed25519');

  before(async () => {
    peers = await startAuthPeers();
    db = await openTestPGlite();
    api = await startAuthApi(db, peers);
    peers.dns.txt.set('dns-proof.test', ['google-site-verification=abc', key.record]);
    peers.dns.txt.set('p384-proof.test', [p384.record]);
    peers.dns.txt.set('stranger.test', [stranger.record]);
    peers.dns.txt.set('_mcp-auth.misplaced.test', [key.record]);
    peers.https.routes.set('/.well-known/mcp-registry-auth', { status: 200, body: `${key.record}\n` });
  });
  after(async () => {
    await api.app.close();
    await db.close();
    await peers.close();
  });

  const proof = (
    method: 'dns' | 'http',
    domain: string,
    signer = key,
    at = new Date(),
    signed = rfc3339(at),
  ) => {
    const timestamp = rfc3339(at);
    return api.request('POST', `/v0/auth/${method}`, {
      body: { domain, timestamp, signed_timestamp: signer.sign(signed) },
    });
  };
  const publish = (token: string, name: string) =>
    api.request('POST', '/v0/publish', { token, body: serverJson({ name }) });
  const failure = (res: { statusCode: number; json(): unknown }) => {
    const body = res.json() as { detail: string; errors?: { message: string }[] };
    return { status: res.statusCode, detail: body.detail, reason: body.errors?.[0]?.message ?? '' };
  };

  it('DNS grants the reversed domain and its subdomains; the token publishes there only', async () => {
    const res = await proof('dns', 'dns-proof.test');
    assert.equal(res.statusCode, 200, res.body);
    const token = (res.json() as { registry_token: string }).registry_token;
    const claims = claimsOf(token);
    assert.deepEqual([claims.auth_method, claims.auth_method_sub], ['dns', 'dns-proof.test']);
    assert.deepEqual(claims.permissions, [
      { action: 'publish', resource: 'test.dns-proof/*' },
      { action: 'publish', resource: 'test.dns-proof.*' },
    ]);
    assert.equal((await publish(token, 'test.dns-proof/weather')).statusCode, 200);
    assert.equal((await publish(token, 'test.dns-proof.api/weather')).statusCode, 200);
    assert.equal((await publish(token, 'test.other/weather')).statusCode, 403);
    assert.equal((await proof('dns', 'p384-proof.test', p384)).statusCode, 200);
  });

  it('DNS refuses another timestamp, the window, another domain’s key, a record in the wrong place', async () => {
    const now = new Date();
    const cases: [string, Awaited<ReturnType<typeof proof>>, RegExp][] = [
      [
        'signature over another timestamp',
        await proof('dns', 'dns-proof.test', key, now, rfc3339(new Date(now.getTime() - 5000))),
        /signature verification failed/,
      ],
      [
        'timestamp 20 s old',
        await proof('dns', 'dns-proof.test', key, new Date(now.getTime() - 20_000)),
        /outside valid window/,
      ],
      [
        'timestamp 20 s ahead',
        await proof('dns', 'dns-proof.test', key, new Date(now.getTime() + 20_000)),
        /outside valid window/,
      ],
      [
        'a key published for another domain',
        await proof('dns', 'dns-proof.test', stranger),
        /tried published key ed25519:/,
      ],
      [
        'the record under a selector',
        await proof('dns', 'misplaced.test'),
        /found at _mcp-auth\.misplaced\.test: the record must be at the domain itself/,
      ],
      ['no record at all', await proof('dns', 'nothing.test'), /no MCP public key found in DNS TXT records/],
    ];
    for (const [what, res, expected] of cases) {
      const f = failure(res);
      assert.deepEqual([f.status, f.detail], [401, 'DNS authentication failed'], what);
      assert.match(f.reason, expected, what);
    }
  });

  it('HTTP grants the exact reversed domain (no subdomains)', async () => {
    const res = await proof('http', 'http-proof.test');
    assert.equal(res.statusCode, 200, res.body);
    const token = (res.json() as { registry_token: string }).registry_token;
    assert.deepEqual(claimsOf(token).permissions, [{ action: 'publish', resource: 'test.http-proof/*' }]);
    assert.equal((await publish(token, 'test.http-proof/weather')).statusCode, 200);
    assert.equal((await publish(token, 'test.http-proof.api/weather')).statusCode, 403);
    const seen = peers.https.requests.at(-1);
    assert.equal(seen?.path, '/.well-known/mcp-registry-auth');
  });

  it('HTTP refuses another timestamp, the window, another key, a redirect, and addresses it must not reach', async () => {
    peers.https.routes.set('/redirected', { status: 200, body: key.record });
    const now = new Date();
    const before = peers.https.requests.length;
    peers.dns.a.set('internal.test', ['10.0.0.1']);
    peers.dns.a.set('loopback.test', ['127.0.0.1']);
    peers.dns.aaaa.set('mapped.test', ['::ffff:7f00:1']);
    const unreachable: [string, RegExp][] = [
      ['127.0.0.1', /127\.0\.0\.1 \(loopback\), which is not a public address/],
      ['10.0.0.1', /10\.0\.0\.1 \(private\)/],
      ['169.254.169.254', /169\.254\.169\.254 \(link-local\)/],
      ['internal.test', /internal\.test resolves to 10\.0\.0\.1 \(private\)/],
      ['loopback.test', /loopback\.test resolves to 127\.0\.0\.1 \(loopback\)/],
      ['mapped.test', /IPv4-mapped/],
    ];
    for (const [domain, expected] of unreachable) {
      const f = failure(await proof('http', domain));
      assert.deepEqual([f.status, f.detail], [401, 'HTTP authentication failed'], domain);
      assert.match(f.reason, expected, domain);
    }
    assert.equal(peers.https.requests.length, before, 'a refused address was reached');
    const cases: [string, Awaited<ReturnType<typeof proof>>, RegExp][] = [
      [
        'another timestamp',
        await proof('http', 'http-proof.test', key, now, rfc3339(new Date(now.getTime() + 3000))),
        /signature verification failed/,
      ],
      [
        'outside the window',
        await proof('http', 'http-proof.test', key, new Date(now.getTime() - 60_000)),
        /outside valid window/,
      ],
      ['another key', await proof('http', 'http-proof.test', stranger), /signature verification failed/],
    ];
    for (const [what, res, expected] of cases) {
      const f = failure(res);
      assert.deepEqual([f.status, f.detail], [401, 'HTTP authentication failed'], what);
      assert.match(f.reason, expected, what);
    }
    // redirect-proof.test answers with a redirect to a loopback address: not followed.
    peers.https.routes.set('/.well-known/mcp-registry-auth', {
      status: 301,
      body: '',
      headers: { location: `https://127.0.0.1:${peers.https.port}/redirected` },
    });
    try {
      const f = failure(await proof('http', 'redirect-proof.test'));
      assert.match(f.reason, /HTTP 301: redirects are not followed/);
      assert.ok(!peers.https.requests.some((r) => r.path === '/redirected'), 'the redirect was followed');
    } finally {
      peers.https.routes.set('/.well-known/mcp-registry-auth', { status: 200, body: `${key.record}\n` });
    }
  });
});
