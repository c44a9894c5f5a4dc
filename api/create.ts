import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Config } from '../core/config.js';
import { createServerJsonValidator } from '../core/validation/index.js';
import type { Database } from '../db/connect.js';
import { getOrCreateSigningSeed } from '../db/repositories/auth.js';
import { createDnsResolver } from '../net/dns.js';
import { buildApp } from './app.js';
import { createProviders } from './auth/providers/index.js';
import { createTokenService } from './auth/tokens.js';
import { ownershipFromConfig } from './ownership/index.js';

/** Wires the write API from config and an open database: signing key, validator, sign-in methods. */
export async function createWriteApi(
  config: Config,
  db: Database,
  logger: FastifyBaseLogger,
): Promise<FastifyInstance> {
  const seed = config.jwtPrivateKey ?? (await getOrCreateSigningSeed(db.knex));
  const resolver = createDnsResolver(config.auth.dnsServers);
  const providers = createProviders(config.auth, { resolver, anonymous: config.enableAnonymousAuth });
  return buildApp({
    config,
    db,
    logger,
    validator: createServerJsonValidator(),
    tokens: createTokenService(seed),
    providers,
    resolver,
    ownership: ownershipFromConfig(config),
  });
}
