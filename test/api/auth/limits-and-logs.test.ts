import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import type { Database } from '../../../db/connect.js';
import type { TestApi } from '../../helpers/app.js';
import { openTestPGlite } from '../../helpers/db.js';
import {
  ADMIN_AUDIENCE,
  ADMIN_DOMAIN,
  type AuthPeers,
  startAuthApi,
  startAuthPeers,
} from '../../helpers/peers/index.js';
import { proofKey, rfc3339 } from '../../helpers/peers/proof-keys.js';

/** Rate limits per client address (and TRUST_PROXY), and no secret in any log line or response. */
describe('rate limits and secrets in logs', () => {
  let peers: AuthPeers;
  let db: Database;
  before(async () => {
    peers = await startAuthPeers();
    db = await openTestPGlite();
  });
  after(async () => {
    await db.close();
    await peers.close();
  });

  const withApi = async (env: Record<string, string>, run: (api: TestApi) => Promise<void>) => {
    const api = await startAuthApi(db, peers, { env });
    try {
      await run(api);
    } finally {
      await api.app.close();
    }
  };

  it('over the limit: 429 problem+json with Retry-After; X-Forwarded-For counts only behind a trusted proxy', async () => {
    await withApi({ RATE_LIMIT_AUTH_PER_MINUTE: '2', RATE_LIMIT_WRITE_PER_MINUTE: '1' }, async (api) => {
      const signIn = (ip: string) =>
        api.request('POST', '/v0/auth/none', { headers: { 'x-forwarded-for': ip } });
      assert.equal((await signIn('203.0.113.1')).statusCode, 200);
      assert.equal((await signIn('203.0.113.2')).statusCode, 200);
      const limited = await signIn('203.0.113.3');
      assert.equal(limited.statusCode, 429);
      assert.match(String(limited.headers['content-type']), /^application\/problem\+json/);
      assert.match(String(limited.headers['retry-after']), /^\d+$/);
      assert.match((limited.json() as { detail: string }).detail, /Too many requests/);
      // Writes have their own bucket; reads are not limited.
      const validate = () => api.request('POST', '/v0/validate', { body: { name: 'x' } });
      assert.equal((await validate()).statusCode, 200);
      assert.equal((await validate()).statusCode, 429);
      assert.equal((await api.request('GET', '/v0/ping')).statusCode, 200);
    });
    await withApi({ RATE_LIMIT_AUTH_PER_MINUTE: '1', TRUST_PROXY: 'true' }, async (api) => {
      const signIn = (ip: string) =>
        api.request('POST', '/v0/auth/none', { headers: { 'x-forwarded-for': ip } });
      assert.equal((await signIn('203.0.113.1')).statusCode, 200);
      assert.equal((await signIn('203.0.113.2')).statusCode, 200, 'another client behind the proxy');
      assert.equal((await signIn('203.0.113.1')).statusCode, 429);
    });
  });

  it('no token, key, client secret or signed timestamp appears in a log line or an error response', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'trace' },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const api = await startAuthApi(db, peers, { logger });
    const secrets: string[] = [];
    const responses: string[] = [];
    try {
      peers.github.users.set('gho_secretalice0001', { id: 7, login: 'alice', orgs: [] });
      const key = proofKey('ed25519');
      peers.dns.txt.set('logs.test', [key.record]);
      peers.https.routes.set('/.well-known/mcp-registry-auth', { status: 200, body: key.record });
      const ts = rfc3339();
      const stale = rfc3339(new Date(Date.now() - 60_000));
      const calls: [string, Record<string, string>, boolean][] = [
        ['github-at', { github_token: 'gho_secretalice0001' }, true],
        ['github-at', { github_token: 'gho_secretunknown002' }, false],
        [
          'github-oidc',
          {
            oidc_token: await peers.actions.sign({ repository_owner: 'alice' }, { audience: 'mcp-registry' }),
          },
          true,
        ],
        [
          'github-oidc',
          {
            oidc_token: await peers.actions.sign(
              { repository_owner: 'alice' },
              { audience: 'mcp-registry', expiresIn: -60 },
            ),
          },
          false,
        ],
        [
          'oidc',
          {
            oidc_token: await peers.admin.sign({ sub: 'op', hd: ADMIN_DOMAIN }, { audience: ADMIN_AUDIENCE }),
          },
          true,
        ],
        [
          'oidc',
          { oidc_token: await peers.admin.sign({ sub: 'op', hd: 'other' }, { audience: ADMIN_AUDIENCE }) },
          false,
        ],
        ['dns', { domain: 'logs.test', timestamp: ts, signed_timestamp: key.sign(ts) }, true],
        ['dns', { domain: 'logs.test', timestamp: stale, signed_timestamp: key.sign(stale) }, false],
        ['http', { domain: 'http-proof.test', timestamp: ts, signed_timestamp: key.sign(ts) }, true],
        [
          'http',
          { domain: 'http-proof.test', timestamp: ts, signed_timestamp: proofKey('ed25519').sign(ts) },
          false,
        ],
      ];
      for (const [method, body, ok] of calls) {
        const res = await api.request('POST', `/v0/auth/${method}`, { body });
        assert.equal(res.statusCode, ok ? 200 : 401, `${method}: ${res.body}`);
        const submitted = Object.entries(body)
          .filter(([k]) => k !== 'domain' && k !== 'timestamp')
          .map(([, v]) => v);
        secrets.push(...submitted);
        for (const s of submitted) assert.ok(!res.body.includes(s), `${method} echoed a secret`);
        if (ok) {
          const token = (res.json() as { registry_token: string }).registry_token;
          secrets.push(token);
          // A request that carries the token (a failed publish) must not log it either.
          await api.request('POST', '/v0/publish', { token, body: { name: 'x' } });
          await api.request('GET', '/v0/verify-domain', { token });
        } else responses.push(res.body);
      }
      await api.request('GET', '/v0/admin/builds', { token: 'eyJhbGciOiJub25lIn0.e30.forgedsecret' });
      secrets.push('forgedsecret');
    } finally {
      await api.app.close();
    }
    assert.ok(lines.length > 20, `only ${lines.length} log lines were captured`);
    const log = lines.join('');
    for (const secret of secrets) {
      assert.ok(secret.length >= 12, 'a secret long enough to grep for');
      assert.ok(!log.includes(secret), `a secret appears in the log: ${secret.slice(0, 6)}…`);
      for (const body of responses) assert.ok(!body.includes(secret), 'a secret appears in a response');
    }
  });
});
