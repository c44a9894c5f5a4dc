import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  domainPermissions,
  githubPermissions,
  isValidDomain,
  isValidNamespace,
  reverseDomain,
} from '../../core/namespaces.js';

describe('namespaces from proofs', () => {
  it('a domain maps to its reversed namespace, with subdomains only when asked', () => {
    assert.equal(reverseDomain('api.example.com'), 'com.example.api');
    assert.deepEqual(domainPermissions('example.com', { subdomains: true }), [
      { action: 'publish', resource: 'com.example/*' },
      { action: 'publish', resource: 'com.example.*' },
    ]);
    assert.deepEqual(domainPermissions('example.com', { subdomains: false }), [
      { action: 'publish', resource: 'com.example/*' },
    ]);
  });

  it('GitHub owners map to io.github.<owner>/*; one malformed name refuses all', () => {
    assert.deepEqual(githubPermissions(['alice', 'octo-org', 'alice']), [
      { action: 'publish', resource: 'io.github.alice/*' },
      { action: 'publish', resource: 'io.github.octo-org/*' },
    ]);
    assert.equal(githubPermissions(['alice', 'evil/x']), undefined);
    assert.equal(githubPermissions(['a.b']), undefined);
  });

  it('validates domains and namespaces the official way', () => {
    for (const ok of ['example.com', 'a.b-c.example', 'x1.io']) assert.ok(isValidDomain(ok), ok);
    for (const bad of ['', '-a.com', 'a-.com', 'a..com', 'exa mple.com', 'a.com/', `${'a'.repeat(254)}`]) {
      assert.ok(!isValidDomain(bad), bad);
    }
    assert.ok(isValidNamespace('io.github.octo'), 'io.github.octo');
    assert.ok(!isValidNamespace('com.example/*'), 'com.example/*');
  });
});
