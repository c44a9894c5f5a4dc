import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Database } from '../../../db/connect.js';
import type { TestApi } from '../../helpers/app.js';
import { serverJson } from '../../helpers/app.js';
import { resetDatabase, testBackends } from '../../helpers/db.js';
import {
  ADMIN_AUDIENCE,
  ADMIN_DOMAIN,
  type AuthPeers,
  claimsOf,
  startAuthApi,
  startAuthPeers,
} from '../../helpers/peers/index.js';

/**
 * Admin OIDC, blocked namespaces (at sign-in and again at publish) and the domain-verification
 * challenge (who may check, what a verification grants, revocation and expiry), on each backend.
 */
for (const backend of testBackends()) {
  describe(`admin OIDC, blocked namespaces, domain verification (${backend.name})`, () => {
    let peers: AuthPeers;
    let db: Database;
    let api: TestApi;

    before(async () => {
      peers = await startAuthPeers();
      db = await backend.open();
      api = await startAuthApi(db, peers, { env: { BLOCKED_NAMESPACES: 'com.configured-block' } });
      peers.github.users.set('gho_alice', { id: 1001, login: 'alice', orgs: [] });
      peers.github.users.set('gho_bob', { id: 1002, login: 'bob', orgs: [] });
    });
    after(async () => {
      await api.app.close();
      await db.close();
      await peers.close();
    });
    beforeEach(() => resetDatabase(db));

    const post = async (path: string, body: unknown, token?: string) =>
      api.request('POST', `/v0${path}`, { body, ...(token ? { token } : {}) });
    const tokenOf = (res: { statusCode: number; body: string; json(): unknown }) => {
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { registry_token: string }).registry_token;
    };
    const github = async (token: string) => tokenOf(await post('/auth/github-at', { github_token: token }));
    const adminToken = async () =>
      tokenOf(
        await post('/auth/oidc', {
          oidc_token: await peers.admin.sign(
            { sub: 'op-1', email: 'op@example.org', hd: ADMIN_DOMAIN },
            { audience: ADMIN_AUDIENCE },
          ),
        }),
      );
    const publish = (token: string, name: string) =>
      api.request('POST', '/v0/publish', {
        token,
        body: serverJson({ name, version: `1.0.${Math.floor(Math.random() * 1e6)}` }),
      });

    it('admin OIDC: audience and extra claims from config, the configured permissions; admin endpoints need edit on *', async () => {
      const admin = await adminToken();
      assert.deepEqual(claimsOf(admin).permissions, [
        { action: 'publish', resource: '*' },
        { action: 'edit', resource: '*' },
      ]);
      assert.equal((await api.request('GET', '/v0/admin/builds', { token: admin })).statusCode, 200);
      assert.equal(
        (await api.request('GET', '/v0/admin/blocked-namespaces', { token: admin })).statusCode,
        200,
      );
      const wrongHd = await post('/auth/oidc', {
        oidc_token: await peers.admin.sign({ sub: 'x', hd: 'evil.example' }, { audience: ADMIN_AUDIENCE }),
      });
      assert.equal(wrongHd.statusCode, 401);
      assert.match(wrongHd.body, /token claim \\"hd\\" does not have the required value/);
      const noHd = await post('/auth/oidc', {
        oidc_token: await peers.admin.sign({ sub: 'x' }, { audience: ADMIN_AUDIENCE }),
      });
      assert.equal(noHd.statusCode, 401);
      const wrongAudience = await post('/auth/oidc', {
        oidc_token: await peers.admin.sign({ sub: 'x', hd: ADMIN_DOMAIN }, { audience: 'mcp-registry' }),
      });
      assert.match(wrongAudience.body, /for another audience/);
      const alice = await github('gho_alice');
      for (const [method, url] of [
        ['GET', '/v0/admin/blocked-namespaces'],
        ['PUT', '/v0/admin/blocked-namespaces/com.example'],
        ['GET', '/v0/admin/verifications'],
        ['DELETE', '/v0/admin/verifications/1'],
      ] as const) {
        assert.equal((await api.request(method, url, { token: alice })).statusCode, 403, `${method} ${url}`);
      }
    });

    it('a blocked namespace refuses sign-in, and publishing with a token issued before the block', async () => {
      const admin = await adminToken();
      const early = await github('gho_alice');
      const block = await api.request('PUT', '/v0/admin/blocked-namespaces/io.github.alice', {
        token: admin,
        body: { reason: 'spam' },
      });
      assert.equal(block.statusCode, 200, block.body);
      const listed = (await api.request('GET', '/v0/admin/blocked-namespaces', { token: admin })).json() as {
        blocked_namespaces: { namespace: string; reason: string }[];
        configured: string[];
      };
      assert.deepEqual(
        listed.blocked_namespaces.map((b) => [b.namespace, b.reason]),
        [['io.github.alice', 'spam']],
      );
      assert.deepEqual(listed.configured, ['com.configured-block']);

      const refused = await post('/auth/github-at', { github_token: 'gho_alice' });
      assert.equal(refused.statusCode, 401);
      assert.match(refused.body, /your namespace is blocked/);
      const late = await publish(early, 'io.github.alice/weather');
      assert.equal(late.statusCode, 403);
      assert.match(late.body, /your namespace is blocked/);
      // Bob is not blocked; an admin may still publish into the blocked namespace.
      assert.equal((await publish(await github('gho_bob'), 'io.github.bob/weather')).statusCode, 200);
      assert.equal((await publish(admin, 'io.github.alice/weather')).statusCode, 200);

      assert.equal(
        (await api.request('DELETE', '/v0/admin/blocked-namespaces/io.github.alice', { token: admin }))
          .statusCode,
        204,
      );
      assert.equal(
        (await api.request('DELETE', '/v0/admin/blocked-namespaces/io.github.alice', { token: admin }))
          .statusCode,
        404,
      );
      assert.equal((await publish(await github('gho_alice'), 'io.github.alice/weather2')).statusCode, 200);
      const bad = await api.request('PUT', '/v0/admin/blocked-namespaces/com.example%2F*', { token: admin });
      assert.equal(bad.statusCode, 400);
    });

    it('domain verification: only the asker can check, it grants the domain at the next sign-in, until revoked or expired', async () => {
      const alice = await github('gho_alice');
      const bob = await github('gho_bob');
      const asked = await post('/verify-domain', { domain: 'Verified.test' }, alice);
      assert.equal(asked.statusCode, 200, asked.body);
      const challenge = asked.json() as { domain: string; txt_record: string; expires_at: string };
      assert.equal(challenge.domain, 'verified.test');
      assert.match(challenge.txt_record, /^mcp-verify=[A-Za-z0-9_-]{32}$/);
      assert.ok(Date.parse(challenge.expires_at) > Date.now(), challenge.expires_at);

      const early = await post('/verify-domain/check', { domain: 'verified.test' }, alice);
      assert.equal(early.statusCode, 400);
      assert.match(early.body, /no TXT record at verified.test holds the value/);
      peers.dns.txt.set('verified.test', ['v=spf1 -all', challenge.txt_record]);

      const byBob = await post('/verify-domain/check', { domain: 'verified.test' }, bob);
      assert.equal(byBob.statusCode, 404, 'a user other than the asker checked the challenge');
      const checked = await post('/verify-domain/check', { domain: 'verified.test' }, alice);
      assert.equal(checked.statusCode, 200, checked.body);
      const mine = (await api.request('GET', '/v0/verify-domain', { token: alice })).json() as {
        verifications: { id: number; domain: string }[];
      };
      assert.deepEqual(
        mine.verifications.map((v) => v.domain),
        ['verified.test'],
      );
      assert.deepEqual((await api.request('GET', '/v0/verify-domain', { token: bob })).json(), {
        verifications: [],
      });

      const again = await github('gho_alice');
      assert.deepEqual(
        claimsOf(again).permissions.map((p) => p.resource),
        ['io.github.alice/*', 'test.verified/*', 'test.verified.*'],
      );
      assert.equal((await publish(again, 'test.verified/weather')).statusCode, 200);
      assert.equal((await publish(again, 'test.verified.api/weather')).statusCode, 200);
      assert.equal((await publish(await github('gho_bob'), 'test.verified/weather2')).statusCode, 403);

      // Expired: not granted any more.
      await db.knex('domain_verifications').update({ expires_at: new Date(Date.now() - 1000) });
      const resources = async () => claimsOf(await github('gho_alice')).permissions.map((p) => p.resource);
      assert.deepEqual(await resources(), ['io.github.alice/*']);
      await db.knex('domain_verifications').update({ expires_at: new Date(Date.now() + 86_400_000) });
      assert.deepEqual(await resources(), ['io.github.alice/*', 'test.verified/*', 'test.verified.*']);

      // Revoked by an admin: not granted at the next sign-in.
      const admin = await adminToken();
      const all = (await api.request('GET', '/v0/admin/verifications', { token: admin })).json() as {
        verifications: { id: number; identity: string; domain: string }[];
      };
      assert.deepEqual(
        all.verifications.map((v) => [v.identity, v.domain]),
        [['github:1001', 'verified.test']],
      );
      const id = all.verifications[0]?.id;
      assert.equal(
        (await api.request('DELETE', `/v0/admin/verifications/${id}`, { token: admin })).statusCode,
        204,
      );
      const revoked = await github('gho_alice');
      assert.deepEqual(
        claimsOf(revoked).permissions.map((p) => p.resource),
        ['io.github.alice/*'],
      );
      assert.equal((await publish(revoked, 'test.verified/weather3')).statusCode, 403);
    });

    it('tokens without an account cannot verify domains; a new request replaces the pending one', async () => {
      const anonymous = await api.anonymousToken();
      assert.equal((await post('/verify-domain', { domain: 'x.test' }, anonymous)).statusCode, 403);
      assert.equal((await post('/verify-domain', { domain: 'x.test' })).statusCode, 401);
      const alice = await github('gho_alice');
      assert.equal((await post('/verify-domain', { domain: 'not a domain' }, alice)).statusCode, 400);
      const first = (await post('/verify-domain', { domain: 'replace.test' }, alice)).json() as {
        txt_record: string;
      };
      const second = (await post('/verify-domain', { domain: 'replace.test' }, alice)).json() as {
        txt_record: string;
      };
      assert.notEqual(first.txt_record, second.txt_record);
      peers.dns.txt.set('replace.test', [first.txt_record]);
      assert.equal((await post('/verify-domain/check', { domain: 'replace.test' }, alice)).statusCode, 400);
      peers.dns.txt.set('replace.test', [second.txt_record]);
      assert.equal((await post('/verify-domain/check', { domain: 'replace.test' }, alice)).statusCode, 200);
    });
  });
}
