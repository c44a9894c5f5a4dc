import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { createTokenService, parseBearer } from '../../api/auth/tokens.js';
import { loadConfig } from '../../core/config.js';
import { ConfigError, type RegistryError } from '../../core/errors.js';
import { hasPermission, isBlockedPattern, matchesPattern } from '../../core/permissions.js';

describe('config', () => {
  test('defaults select the embedded database with anonymous sign-in', () => {
    const c = loadConfig({});
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.dataDir, '.data');
    assert.equal(c.port, 8080);
    assert.equal(c.enableAnonymousAuth, true);
  });
  test('PostgreSQL turns anonymous sign-in off unless asked for', () => {
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://x@h/db' }).enableAnonymousAuth, false);
    assert.equal(
      loadConfig({ DATABASE_URL: 'postgres://x@h/db', ENABLE_ANONYMOUS_AUTH: 'true' }).enableAnonymousAuth,
      true,
    );
  });
  test('every problem is listed at once', () => {
    try {
      loadConfig({ PORT: '99999', JWT_PRIVATE_KEY: 'abc', ENABLE_ANONYMOUS_AUTH: 'maybe' });
      assert.fail('should throw');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 3);
      assert.match(err.message, /PORT/);
      assert.match(err.message, /JWT_PRIVATE_KEY/);
      assert.match(err.message, /ENABLE_ANONYMOUS_AUTH/);
    }
  });
  test('a bad schedule is listed in the same pass as every other problem', () => {
    try {
      loadConfig({
        PORT: 'x',
        BUILD_INCREMENTAL_SCHEDULE: 'every minute',
        BUILD_NIGHTLY_SCHEDULE: '99 99 * * *',
      });
      assert.fail('should throw');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.kind, 'usage');
      assert.deepEqual(err.problems.map((p) => p.split(':')[0]).sort(), [
        'BUILD_INCREMENTAL_SCHEDULE',
        'BUILD_NIGHTLY_SCHEDULE',
        'PORT',
      ]);
      assert.match(
        err.message,
        /BUILD_INCREMENTAL_SCHEDULE: not a cron expression \(or "off"\): "every minute"/,
      );
    }
  });
  test('"off" turns a schedule off; the defaults are on', () => {
    const c = loadConfig({ BUILD_NIGHTLY_SCHEDULE: 'off' });
    assert.equal(c.builder.nightlySchedule, undefined);
    assert.equal(c.builder.incrementalSchedule, '*/5 * * * *');
  });
});

describe('permissions', () => {
  test('official pattern matching', () => {
    assert.ok(matchesPattern('*', 'anything/x'));
    assert.ok(matchesPattern('io.github.alice/*', 'io.github.alice/weather'));
    assert.ok(!matchesPattern('io.github.alice/*', 'io.github.bob/weather'));
    assert.ok(matchesPattern('com.example.*', 'com.example.api/x'));
    assert.ok(!matchesPattern('io.github.alice/weather', 'io.github.alice/Weather'), 'case-sensitive');
    assert.ok(hasPermission([{ action: 'edit', resource: '*' }], 'edit', 'a/b'));
    assert.ok(!hasPermission([{ action: 'edit', resource: '*' }], 'publish', 'a/b'));
  });
  test('blocked namespaces cover their subdomains', () => {
    assert.ok(isBlockedPattern('com.evil/*', ['com.evil']));
    assert.ok(isBlockedPattern('com.evil.*', ['com.evil']));
    assert.ok(isBlockedPattern('com.evil.api/*', ['com.evil']));
    assert.ok(!isBlockedPattern('com.evilcorp/*', ['com.evil']));
  });
});

describe('registry tokens', () => {
  const tokens = createTokenService(randomBytes(32));
  const principal = {
    authMethod: 'none' as const,
    authMethodSub: 'anonymous',
    permissions: [{ action: 'publish' as const, resource: 'a/*' }],
  };

  test('round-trip and five-minute lifetime', async () => {
    const now = new Date('2026-11-24T12:00:00Z');
    const t = await tokens.issue(principal, now);
    assert.equal(t.expires_at, Math.floor(now.getTime() / 1000) + 300);
    assert.deepEqual(await tokens.verify(t.registry_token, new Date(now.getTime() + 299_000)), principal);
    await assert.rejects(
      tokens.verify(t.registry_token, new Date(now.getTime() + 301_000)),
      (e: RegistryError) => e.status === 401,
    );
  });
  test('a token signed with another key is refused', async () => {
    const other = createTokenService(randomBytes(32));
    const t = await other.issue(principal);
    await assert.rejects(tokens.verify(t.registry_token), (e: RegistryError) => e.status === 401);
  });
  test('bearer parsing', () => {
    assert.equal(parseBearer('Bearer abc'), 'abc');
    assert.equal(parseBearer('bearer abc'), 'abc');
    assert.throws(
      () => parseBearer('Basic abc'),
      (e: RegistryError) => e.status === 401,
    );
    assert.throws(
      () => parseBearer(undefined),
      (e: RegistryError) => e.status === 401,
    );
  });
});
