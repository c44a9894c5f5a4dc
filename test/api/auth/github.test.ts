import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import type { Database } from '../../../db/connect.js';
import type { TestApi } from '../../helpers/app.js';
import { serverJson } from '../../helpers/app.js';
import { openTestPGlite } from '../../helpers/db.js';
import { type AuthPeers, claimsOf, startAuthApi, startAuthPeers } from '../../helpers/peers/index.js';

/**
 * GitHub sign-in against the loopback GitHub REST API and OIDC issuer: what each method grants,
 * that the token publishes into exactly those namespaces, and every way a forged, misdirected or
 * stale OIDC token is refused (each with its own reason, so removing one check fails its test).
 */
describe('GitHub sign-in (access token, Actions OIDC)', () => {
  let peers: AuthPeers;
  let db: Database;
  let api: TestApi;

  before(async () => {
    peers = await startAuthPeers();
    db = await openTestPGlite();
    api = await startAuthApi(db, peers);
    peers.github.users.set('gho_alice', { id: 1001, login: 'alice', orgs: ['octo-org'] });
    peers.github.users.set('gho_bob', { id: 1002, login: 'bob', orgs: [] });
  });
  after(async () => {
    await api.app.close();
    await db.close();
    await peers.close();
  });

  const signIn = (path: string, body: unknown) => api.request('POST', `/v0/auth/${path}`, { body });
  const publish = (token: string, name: string) =>
    api.request('POST', '/v0/publish', {
      token,
      body: serverJson({ name, version: `1.0.${Date.now() % 100000}` }),
    });
  const reason = (res: { json(): unknown }) =>
    (res.json() as { errors?: { message: string }[] }).errors?.[0]?.message;

  it('github-at grants io.github.<login>/* and each public organisation, records the user, publishes into exactly those', async () => {
    const res = await signIn('github-at', { github_token: 'gho_alice' });
    assert.equal(res.statusCode, 200, res.body);
    const { registry_token, expires_at } = res.json() as { registry_token: string; expires_at: number };
    assert.ok(expires_at > Date.now() / 1000, String(expires_at));
    const claims = claimsOf(registry_token);
    assert.deepEqual(
      [claims.auth_method, claims.auth_method_sub, claims.identity],
      ['github-at', 'alice', 'github:1001'],
    );
    assert.deepEqual(claims.permissions, [
      { action: 'publish', resource: 'io.github.alice/*' },
      { action: 'publish', resource: 'io.github.octo-org/*' },
    ]);
    const user = await db.knex('users').where({ auth_method: 'github-at' }).first();
    assert.deepEqual([user.subject, user.login], ['1001', 'alice']);
    const call = peers.github.requests.find((r) => r.path === '/user');
    assert.match(String(call?.headers.authorization), /^(token|bearer) gho_alice$/i);
    assert.equal(call?.headers['x-github-api-version'], '2022-11-28');
    assert.ok(
      peers.github.requests.some((r) => r.path === '/users/alice/orgs'),
      'organisations read',
    );

    assert.equal((await publish(registry_token, 'io.github.alice/weather')).statusCode, 200);
    assert.equal((await publish(registry_token, 'io.github.octo-org/tool')).statusCode, 200);
    for (const name of ['io.github.bob/weather', 'io.github.alice-evil/weather', 'com.example/weather']) {
      const refused = await publish(registry_token, name);
      assert.equal(refused.statusCode, 403, name);
      assert.match(refused.body, /You do not have permission to publish this server/);
    }
  });

  it("github-at: GitHub's 401 and its rate limit are 401 problem+json with the cause", async () => {
    const bad = await signIn('github-at', { github_token: 'gho_unknown' });
    assert.equal(bad.statusCode, 401);
    assert.match(String(bad.headers['content-type']), /^application\/problem\+json/);
    assert.equal((bad.json() as { detail: string }).detail, 'Token exchange failed');
    assert.equal(reason(bad), 'failed to get GitHub user: GitHub API error (status 401): Bad credentials');

    peers.github.users.set('gho_spent', { id: 1003, login: 'carol', orgs: [] });
    peers.github.exhausted.add('gho_spent');
    const limited = await signIn('github-at', { github_token: 'gho_spent' });
    assert.equal(limited.statusCode, 401);
    assert.match(String(reason(limited)), /GitHub API rate limit exceeded until \d{4}-/);

    const empty = await signIn('github-at', {});
    assert.equal(empty.statusCode, 422);
  });

  it('GET /health names the OAuth app for the device flow', async () => {
    const res = await api.request('GET', '/v0/health');
    assert.equal((res.json() as { github_client_id?: string }).github_client_id, 'Iv1.registrytest');
  });

  const actionsClaims = {
    repository: 'octo-org/monorepo',
    repository_owner: 'octo-org',
    repository_owner_id: '4242',
    sub: 'repo:octo-org/monorepo:ref:refs/heads/main',
  };

  it('github-oidc grants io.github.<repository_owner>/* and publishes into it only; the JWKS is fetched once', async () => {
    const before = peers.actions.jwksFetches();
    const token = await peers.actions.sign(actionsClaims, { audience: 'mcp-registry' });
    const res = await signIn('github-oidc', { oidc_token: token });
    assert.equal(res.statusCode, 200, res.body);
    const registry = (res.json() as { registry_token: string }).registry_token;
    const claims = claimsOf(registry);
    assert.deepEqual(
      [claims.auth_method, claims.auth_method_sub, claims.identity],
      ['github-oidc', actionsClaims.sub, 'github:4242'],
    );
    assert.deepEqual(claims.permissions, [{ action: 'publish', resource: 'io.github.octo-org/*' }]);
    assert.equal((await publish(registry, 'io.github.octo-org/from-ci')).statusCode, 200);
    assert.equal((await publish(registry, 'io.github.alice/from-ci')).statusCode, 403);
    // An audience list that includes mcp-registry is accepted too; the key set is cached.
    const listed = await peers.actions.sign(actionsClaims, { audience: ['other', 'mcp-registry'] });
    assert.equal((await signIn('github-oidc', { oidc_token: listed })).statusCode, 200);
    assert.equal(peers.actions.jwksFetches() - before, before === 0 ? 1 : 0);
  });

  it('github-oidc refuses forged, misdirected and stale tokens, each for its reason', async () => {
    const sign = (
      options: Parameters<AuthPeers['actions']['sign']>[1],
      claims: Record<string, unknown> = actionsClaims,
    ) => peers.actions.sign(claims, { audience: 'mcp-registry', ...options });
    const header = (h: object) => Buffer.from(JSON.stringify(h)).toString('base64url');
    const body = header({
      ...actionsClaims,
      iss: peers.actions.issuer,
      aud: 'mcp-registry',
      exp: Math.floor(Date.now() / 1000) + 300,
    });
    const cases: [string, string, RegExp][] = [
      ['alg none', `${header({ alg: 'none', typ: 'JWT' })}.${body}.`, /signing algorithm is not allowed/],
      [
        'HS256 signed with the RSA public key',
        await new SignJWT({ ...actionsClaims })
          .setProtectedHeader({ alg: 'HS256', kid: 'key-1' })
          .setIssuer(peers.actions.issuer)
          .setAudience('mcp-registry')
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(peers.actions.publicKeyPem)),
        /signing algorithm is not allowed/,
      ],
      ['wrong issuer', await sign({ issuer: 'https://token.actions.example' }), /issued by another issuer/],
      ['wrong audience', await sign({ audience: 'someone-else' }), /for another audience/],
      ['expired', await sign({ expiresIn: -120 }), /token has expired/],
      ['without exp', await sign({ expiresIn: null }), /claim "exp" is invalid|missing required "exp"/],
      ['not yet valid', await sign({ notBefore: 600 }), /not yet valid/],
      [
        'signed by a key not in the JWKS (same kid)',
        await sign({ foreignKey: true }),
        /signature verification failed/,
      ],
      [
        'signed by a key not in the JWKS (unknown kid)',
        await sign({ foreignKey: true, kid: 'key-2' }),
        /not signed by a key in the issuer's JWKS/,
      ],
      ['no repository_owner', await sign({}, { sub: 'repo:x/y' }), /no repository_owner claim/],
      ['malformed', 'not.a.jwt', /token is invalid/],
    ];
    for (const [what, token, expected] of cases) {
      const res = await signIn('github-oidc', { oidc_token: token });
      assert.equal(res.statusCode, 401, `${what}: ${res.body}`);
      assert.equal((res.json() as { detail: string }).detail, 'Token exchange failed');
      assert.match(String(reason(res)), expected, what);
    }
  });
});
