import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createTokenService } from '../../api/auth/tokens.js';
import { mintToken } from '../../cli/token.js';
import { loadConfig } from '../../core/config.js';

describe('mcp-registry token', () => {
  it('mints operator tokens that say so (not posing as an OIDC sign-in)', async () => {
    const seed = randomBytes(32);
    const config = loadConfig({ JWT_PRIVATE_KEY: seed.toString('hex') });
    const tokens = createTokenService(seed);
    const admin = await tokens.verify((await mintToken(config, { admin: true })).registry_token);
    assert.deepEqual([admin.authMethod, admin.authMethodSub], ['operator', 'operator']);
    assert.deepEqual(admin.permissions, [
      { action: 'publish', resource: '*' },
      { action: 'edit', resource: '*' },
    ]);
    const scoped = await tokens.verify(
      (await mintToken(config, { admin: false, namespace: 'com.example' })).registry_token,
    );
    assert.deepEqual([scoped.authMethod, scoped.authMethodSub], ['operator', 'operator:com.example']);
  });
});
