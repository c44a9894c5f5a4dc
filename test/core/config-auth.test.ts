import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';

describe('sign-in settings', () => {
  it('the embedded default: GitHub, DNS and HTTP on against public services, no admin OIDC, no limits', () => {
    const c = loadConfig({});
    assert.deepEqual([...c.auth.methods], ['github-at', 'github-oidc', 'dns', 'http']);
    assert.equal(c.auth.github.apiUrl, 'https://api.github.com');
    assert.equal(c.auth.githubOidc.jwksUrl, 'https://token.actions.githubusercontent.com/.well-known/jwks');
    assert.equal(c.auth.oidc, undefined);
    assert.equal(c.auth.dnsServers, undefined);
    assert.deepEqual(c.rateLimit, { authPerMinute: 0, writePerMinute: 0 });
    assert.equal(c.trustProxy, false);
    const production = loadConfig({ DATABASE_URL: 'postgres://db/registry' });
    assert.deepEqual(production.rateLimit, { authPerMinute: 30, writePerMinute: 300 });
  });

  it('admin OIDC, DNS servers, allowed hosts, methods and proxies parse; mistakes are listed', () => {
    const c = loadConfig({
      OIDC_ISSUER: 'https://accounts.google.com',
      OIDC_AUDIENCE: 'registry',
      OIDC_EXTRA_CLAIMS: '[{"hd":"example.org"}]',
      OIDC_PERMISSIONS: 'edit:*,publish:com.example/*',
      DNS_SERVERS: '127.0.0.1:5353,[::1]:53',
      HTTP_AUTH_ALLOW_HOSTS: 'Proof.test:8443,other.test',
      AUTH_METHODS: 'dns',
      TRUST_PROXY: '10.0.0.0/8, 127.0.0.1',
    });
    assert.deepEqual(c.auth.oidc, {
      issuer: 'https://accounts.google.com',
      audience: 'registry',
      jwksUrl: undefined,
      extraClaims: { hd: 'example.org' },
      permissions: [
        { action: 'edit', resource: '*' },
        { action: 'publish', resource: 'com.example/*' },
      ],
    });
    assert.deepEqual(c.auth.dnsServers, ['127.0.0.1:5353', '[::1]:53']);
    assert.deepEqual(
      [...c.auth.httpAllowHosts],
      [
        ['proof.test', 8443],
        ['other.test', undefined],
      ],
    );
    assert.deepEqual([...c.auth.methods], ['dns']);
    assert.deepEqual([...loadConfig({ AUTH_METHODS: 'none' }).auth.methods], []);
    assert.deepEqual(c.trustProxy, ['10.0.0.0/8', '127.0.0.1']);
    assert.throws(
      () => loadConfig({ OIDC_ISSUER: 'https://idp.example' }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.match(e.message, /OIDC_AUDIENCE: required when OIDC_ISSUER is set/);
        return true;
      },
    );
    assert.throws(
      () =>
        loadConfig({
          OIDC_PERMISSIONS: 'admin:*',
          OIDC_EXTRA_CLAIMS: 'hd=x',
          DNS_SERVERS: 'x',
          AUTH_METHODS: 'ldap',
        }),
      (e: unknown) => {
        const message = String((e as Error).message);
        for (const name of ['OIDC_PERMISSIONS', 'OIDC_EXTRA_CLAIMS', 'DNS_SERVERS', 'AUTH_METHODS']) {
          assert.match(message, new RegExp(name));
        }
        return true;
      },
    );
  });
});
