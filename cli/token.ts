import { createTokenService, type TokenResponse } from '../api/auth/tokens.js';
import type { Config } from '../core/config.js';
import type { Permission } from '../core/permissions.js';
import { openDatabase } from '../db/connect.js';
import { getOrCreateSigningSeed } from '../db/repositories/auth.js';

/**
 * Mints a registry token with the registry's own signing key, for operators (who can read that key
 * anyway): `--admin` grants publish and edit on every name, `--namespace X` publish and edit on X/*.
 */
export async function mintToken(
  config: Config,
  grant: { admin: boolean; namespace?: string | undefined },
): Promise<TokenResponse> {
  const seed = config.jwtPrivateKey ?? (await withSeedFromDatabase(config));
  const resource = grant.admin ? '*' : `${grant.namespace}/*`;
  const permissions: Permission[] = [
    { action: 'publish', resource },
    { action: 'edit', resource },
  ];
  return createTokenService(seed).issue({
    authMethod: 'operator',
    authMethodSub: grant.admin ? 'operator' : `operator:${grant.namespace}`,
    permissions,
  });
}

async function withSeedFromDatabase(config: Config): Promise<Uint8Array> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await getOrCreateSigningSeed(db.knex);
  } finally {
    await db.close();
  }
}
