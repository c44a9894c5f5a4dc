// test-tier: slow
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startServe } from '../../../scripts/bench/util.js';
import { ADMIN_AUDIENCE, ADMIN_DOMAIN, startAuthPeers } from '../../helpers/peers/index.js';
import { proofKey, rfc3339 } from '../../helpers/peers/proof-keys.js';

/**
 * `npm start` with every sign-in method pointed at its loopback peer (the HTTPS peer's test CA
 * trusted through NODE_EXTRA_CA_CERTS): each method signs in, publishes into its namespace, and the
 * document is read back from the local CDN. The process's output holds none of the secrets.
 */
describe('sign-in end to end (npm start)', () => {
  it('every method signs in, publishes, and the document is on the local CDN', async () => {
    const peers = await startAuthPeers();
    const base = mkdtempSync(join(tmpdir(), 'mcpreg-signin-'));
    const registry = await startServe(
      { dataDir: join(base, 'data'), siteDir: join(base, 'site') },
      { ...peers.env, NODE_EXTRA_CA_CERTS: peers.https.caFile, LOG_LEVEL: 'info' },
    );
    const secrets: string[] = [];
    try {
      const post = async (path: string, body: unknown, token?: string) => {
        const res = await fetch(`${registry.api}/v0${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify(body),
        });
        const text = await res.text();
        assert.equal(res.status, 200, `${path}: ${text}`);
        return JSON.parse(text);
      };
      const signIn = async (method: string, body: Record<string, string>) => {
        secrets.push(
          ...Object.entries(body)
            .filter(([k]) => k !== 'domain' && k !== 'timestamp')
            .map(([, v]) => v),
        );
        const { registry_token } = await post(`/auth/${method}`, body);
        secrets.push(registry_token);
        return registry_token as string;
      };
      peers.github.users.set('gho_e2ealice00001', { id: 501, login: 'alice', orgs: [] });
      const dnsKey = proofKey('ecdsap384');
      const httpKey = proofKey('ed25519');
      peers.dns.txt.set('e2e-dns.test', [dnsKey.record]);
      peers.https.routes.set('/.well-known/mcp-registry-auth', { status: 200, body: httpKey.record });
      const ts = rfc3339();

      const alice = await signIn('github-at', { github_token: 'gho_e2ealice00001' });
      const challenge = await post('/verify-domain', { domain: 'e2e-verified.test' }, alice);
      peers.dns.txt.set('e2e-verified.test', [challenge.txt_record]);
      await post('/verify-domain/check', { domain: 'e2e-verified.test' }, alice);

      const published: [string, string][] = [
        ['io.github.alice/e2e', alice],
        ['test.e2e-verified/e2e', await signIn('github-at', { github_token: 'gho_e2ealice00001' })],
        [
          'io.github.octo-org/e2e',
          await signIn('github-oidc', {
            oidc_token: await peers.actions.sign(
              { repository_owner: 'octo-org', repository_owner_id: '77' },
              { audience: 'mcp-registry' },
            ),
          }),
        ],
        [
          'test.e2e-dns.api/e2e',
          await signIn('dns', { domain: 'e2e-dns.test', timestamp: ts, signed_timestamp: dnsKey.sign(ts) }),
        ],
        [
          'test.e2e-http/e2e',
          await signIn('http', {
            domain: 'e2e-http.test',
            timestamp: ts,
            signed_timestamp: httpKey.sign(ts),
          }),
        ],
        [
          'org.example.ops/e2e',
          await signIn('oidc', {
            oidc_token: await peers.admin.sign(
              { sub: 'op-9', hd: ADMIN_DOMAIN },
              { audience: ADMIN_AUDIENCE },
            ),
          }),
        ],
        ['io.modelcontextprotocol.anonymous/e2e-signin', await registry.anonymousToken()],
      ];
      for (const [name, token] of published) {
        const res = await registry.publish(token, {
          name,
          description: 'Sign-in end to end',
          version: '1.0.0',
        });
        assert.equal(res.status, 200, `${name}: ${await res.text()}`);
      }
      for (const [name] of published) {
        const url = `${registry.cdn}/v0.1/servers/${encodeURIComponent(name)}/versions/1.0.0`;
        const deadline = Date.now() + 120_000;
        let res = await fetch(url);
        while (res.status !== 200 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100));
          res = await fetch(url);
        }
        assert.equal(res.status, 200, `${name} on the CDN`);
        assert.equal(((await res.json()) as { server: { name: string } }).server.name, name);
      }
    } finally {
      assert.equal(await registry.stop(), 0, registry.output());
      await peers.close();
      rmSync(base, { recursive: true, force: true });
    }
    const output = registry.output();
    for (const secret of secrets)
      assert.ok(!output.includes(secret), `a secret in the output: ${secret.slice(0, 6)}…`);
  });
});
