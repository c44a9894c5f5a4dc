import { z } from 'zod';

/**
 * Every setting the registry reads, parsed and validated once at start-up. Nothing else reads
 * process.env: entries call loadConfig(process.env) and pass the result down.
 * .env.example documents each variable.
 */
export interface Config {
  /** PostgreSQL connection string; undefined selects the embedded PGlite database under dataDir. */
  databaseUrl: string | undefined;
  /** Where embedded state lives (PGlite data directory and its lock). */
  dataDir: string;
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Ed25519 seed (32 bytes, hex) for registry tokens; undefined = a key generated once and kept in the database. */
  jwtPrivateKey: Uint8Array | undefined;
  /** POST /auth/none (anonymous namespace). On by default only in the embedded mode. */
  enableAnonymousAuth: boolean;
  /** Namespaces no non-admin token may be issued for (exact namespace or prefix ending in `*`). */
  blockedNamespaces: string[];
  /** Reported by GET /version. */
  version: { version: string; gitCommit: string; buildTime: string };
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const EnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  JWT_PRIVATE_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (a 32-byte Ed25519 seed: `openssl rand -hex 32`)')
    .optional(),
  ENABLE_ANONYMOUS_AUTH: bool.optional(),
  BLOCKED_NAMESPACES: z.string().default(''),
  REGISTRY_VERSION: z.string().default('dev'),
  GIT_COMMIT: z.string().default('unknown'),
  BUILD_TIME: z.string().default('unknown'),
});

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError listing every problem at once. Empty strings count as unset. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    jwtPrivateKey: e.JWT_PRIVATE_KEY ? Uint8Array.from(Buffer.from(e.JWT_PRIVATE_KEY, 'hex')) : undefined,
    enableAnonymousAuth: e.ENABLE_ANONYMOUS_AUTH ?? e.DATABASE_URL === undefined,
    blockedNamespaces: e.BLOCKED_NAMESPACES.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    version: { version: e.REGISTRY_VERSION, gitCommit: e.GIT_COMMIT, buildTime: e.BUILD_TIME },
  };
}
