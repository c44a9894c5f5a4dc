import cron from 'node-cron';
import { z } from 'zod';
import {
  AUTH_ENV,
  type AuthConfig,
  authProblems,
  authSettings,
  type RateLimitConfig,
} from './config-auth.js';
import { ConfigError } from './errors.js';
import { HTTP_DEFAULTS } from './limits.js';

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
  /** Where the builder writes: the filesystem (default) or an S3 bucket. */
  target:
    | { kind: 'filesystem'; dir: string }
    | {
        kind: 's3';
        bucket: string;
        prefix: string;
        region: string;
        endpoint: string | undefined;
        forcePathStyle: boolean;
      };
  /** CloudFront distribution to invalidate after builds; undefined = no CDN invalidation. */
  cloudfront: { distributionId: string; endpoint: string | undefined; region: string } | undefined;
  /** Ed25519 seed (hex) for the site signing key; undefined = generated once and kept in the database. */
  siteSigningKey: Uint8Array | undefined;
  builder: {
    /** Cron expressions (UTC); undefined = that schedule is off. */
    incrementalSchedule: string | undefined;
    nightlySchedule: string | undefined;
    debounceMs: number;
    pollMs: number;
    orphanGraceSeconds: number;
    snapshotRetentionDays: number;
  };
  /** The local CDN server (serves the filesystem target at the official read URLs). */
  cdn: { host: string; port: number };
  /** Sign-in methods and their settings (core/config-auth.ts). */
  auth: AuthConfig;
  /** Per-client-address limits on the auth and write endpoints. */
  rateLimit: RateLimitConfig;
  /** Whether X-Forwarded-For is believed (Fastify's trustProxy). */
  trustProxy: boolean | string[];
  /**
   * Mirror mode (MIRROR_UPSTREAM): this registry replicates an upstream registry on a schedule and
   * refuses writes except in its own local namespaces. Undefined = an ordinary registry.
   */
  mirror:
    | {
        upstream: string;
        schedule: string;
        localNamespaces: string[];
        ratePerMinute: number;
        timeoutMs: number;
        marginSeconds: number;
      }
    | undefined;
  /**
   * Package ownership proofs on publish and edit (api/ownership/): where each package registry is
   * asked. Undefined = off (the embedded default, which has no internet); on by default with DATABASE_URL.
   */
  packageValidation:
    | {
        npm: string;
        pypi: string;
        nuget: string;
        cargo: string;
        /** Registry or download host → base URL answering for it (tests, private mirrors). */
        hostOverrides: Record<string, string>;
      }
    | undefined;
  /** The write API's connection bounds (core/limits.ts HTTP_DEFAULTS); 0 caps nothing. */
  http: {
    requestTimeoutMs: number;
    headersTimeoutMs: number;
    connectionTimeoutMs: number;
    keepAliveTimeoutMs: number;
    maxConnectionsPerAddress: number;
  };
  /** GET /metrics: a bearer token it requires; undefined = answered to loopback clients only. */
  metricsToken: string | undefined;
}

/**
 * The builder's tunables that library callers (tests, benchmarks) may omit; loadConfig's defaults
 * are these, and the builder takes them from here rather than repeating the numbers.
 */
export const BUILDER_DEFAULTS = { orphanGraceSeconds: 86_400, snapshotRetentionDays: 30 } as const;

/**
 * A cron expression (UTC), or `off`. Checked inside the schema, so a bad schedule is
 * listed with every other problem, and a typo fails at start-up, not at 3 am.
 */
const schedule = () =>
  z.string().refine((value) => value === 'off' || cron.validate(value), {
    error: (issue) => `not a cron expression (or "off"): ${JSON.stringify(issue.input)}`,
  });
const scheduleOrOff = (value: string): string | undefined => (value === 'off' ? undefined : value);

const httpUrl = () => z.string().regex(/^https?:\/\/[^\s/]+/, 'must be an http(s) URL');

/** A JSON object in one variable, e.g. `{"docker.io":"http://127.0.0.1:5000"}`. */
const jsonObjectOf = (value: z.ZodType<string>) =>
  z
    .string()
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string(), value));

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
  SITE_DIR: z.string().min(1).default('site-output'),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')
    .optional(),
  S3_PREFIX: z.string().default(''),
  S3_REGION: z.string().default('us-east-1'),
  S3_ENDPOINT: z.string().url().optional(),
  S3_FORCE_PATH_STYLE: bool.optional(),
  CLOUDFRONT_DISTRIBUTION_ID: z
    .string()
    .regex(/^[A-Z0-9]+$/, 'must be a CloudFront distribution id')
    .optional(),
  CLOUDFRONT_ENDPOINT: z.string().url().optional(),
  SITE_SIGNING_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (a 32-byte Ed25519 seed: `openssl rand -hex 32`)')
    .optional(),
  BUILD_INCREMENTAL_SCHEDULE: schedule().default('*/5 * * * *'),
  BUILD_NIGHTLY_SCHEDULE: schedule().default('17 3 * * *'),
  BUILD_DEBOUNCE_MS: z.coerce.number().int().min(0).max(60_000).default(200),
  BUILD_POLL_MS: z.coerce.number().int().min(100).max(3_600_000).default(2_000),
  ORPHAN_GRACE_SECONDS: z.coerce.number().int().min(0).default(BUILDER_DEFAULTS.orphanGraceSeconds),
  SNAPSHOT_RETENTION_DAYS: z.coerce.number().int().min(1).default(BUILDER_DEFAULTS.snapshotRetentionDays),
  CDN_HOST: z.string().min(1).optional(),
  CDN_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  ...AUTH_ENV,
  MIRROR_UPSTREAM: httpUrl().optional(),
  MIRROR_SCHEDULE: schedule().default('*/5 * * * *'),
  MIRROR_LOCAL_NAMESPACES: z.string().default(''),
  MIRROR_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(6_000).default(120),
  MIRROR_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  MIRROR_MARGIN_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  PACKAGE_VALIDATION: z.enum(['on', 'off'], { message: 'must be on or off' }).optional(),
  PACKAGE_REGISTRY_NPM_URL: httpUrl().default('https://registry.npmjs.org'),
  PACKAGE_REGISTRY_PYPI_URL: httpUrl().default('https://pypi.org'),
  PACKAGE_REGISTRY_NUGET_URL: httpUrl().default('https://api.nuget.org/v3/index.json'),
  PACKAGE_REGISTRY_CARGO_URL: httpUrl().default('https://crates.io'),
  PACKAGE_REGISTRY_HOST_OVERRIDES: jsonObjectOf(httpUrl()).default({}),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(HTTP_DEFAULTS.requestTimeoutMs),
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(HTTP_DEFAULTS.headersTimeoutMs),
  HTTP_CONNECTION_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(HTTP_DEFAULTS.connectionTimeoutMs),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).default(HTTP_DEFAULTS.keepAliveTimeoutMs),
  HTTP_MAX_CONNECTIONS_PER_ADDRESS: z.coerce
    .number()
    .int()
    .min(0)
    .default(HTTP_DEFAULTS.maxConnectionsPerAddress),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
});

const splitList = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Parses the environment; throws ConfigError listing every problem at once. Empty strings count as unset. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const problems = authProblems(e);
  if (problems.length) throw new ConfigError(problems);
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    jwtPrivateKey: e.JWT_PRIVATE_KEY ? Uint8Array.from(Buffer.from(e.JWT_PRIVATE_KEY, 'hex')) : undefined,
    enableAnonymousAuth: e.ENABLE_ANONYMOUS_AUTH ?? e.DATABASE_URL === undefined,
    blockedNamespaces: splitList(e.BLOCKED_NAMESPACES),
    version: { version: e.REGISTRY_VERSION, gitCommit: e.GIT_COMMIT, buildTime: e.BUILD_TIME },
    target: e.S3_BUCKET
      ? {
          kind: 's3',
          bucket: e.S3_BUCKET,
          prefix: e.S3_PREFIX,
          region: e.S3_REGION,
          endpoint: e.S3_ENDPOINT,
          forcePathStyle: e.S3_FORCE_PATH_STYLE ?? e.S3_ENDPOINT !== undefined,
        }
      : { kind: 'filesystem', dir: e.SITE_DIR },
    cloudfront: e.CLOUDFRONT_DISTRIBUTION_ID
      ? { distributionId: e.CLOUDFRONT_DISTRIBUTION_ID, endpoint: e.CLOUDFRONT_ENDPOINT, region: 'us-east-1' }
      : undefined,
    siteSigningKey: e.SITE_SIGNING_KEY ? Uint8Array.from(Buffer.from(e.SITE_SIGNING_KEY, 'hex')) : undefined,
    builder: {
      incrementalSchedule: scheduleOrOff(e.BUILD_INCREMENTAL_SCHEDULE),
      nightlySchedule: scheduleOrOff(e.BUILD_NIGHTLY_SCHEDULE),
      debounceMs: e.BUILD_DEBOUNCE_MS,
      pollMs: e.BUILD_POLL_MS,
      orphanGraceSeconds: e.ORPHAN_GRACE_SECONDS,
      snapshotRetentionDays: e.SNAPSHOT_RETENTION_DAYS,
    },
    cdn: { host: e.CDN_HOST ?? e.HOST, port: e.CDN_PORT },
    ...authSettings(e, e.DATABASE_URL === undefined),
    mirror: e.MIRROR_UPSTREAM
      ? {
          upstream: e.MIRROR_UPSTREAM,
          schedule: e.MIRROR_SCHEDULE,
          localNamespaces: splitList(e.MIRROR_LOCAL_NAMESPACES),
          ratePerMinute: e.MIRROR_RATE_PER_MINUTE,
          timeoutMs: e.MIRROR_TIMEOUT_MS,
          marginSeconds: e.MIRROR_MARGIN_SECONDS,
        }
      : undefined,
    packageValidation:
      (e.PACKAGE_VALIDATION ?? (e.DATABASE_URL === undefined ? 'off' : 'on')) === 'on'
        ? {
            npm: e.PACKAGE_REGISTRY_NPM_URL,
            pypi: e.PACKAGE_REGISTRY_PYPI_URL,
            nuget: e.PACKAGE_REGISTRY_NUGET_URL,
            cargo: e.PACKAGE_REGISTRY_CARGO_URL,
            hostOverrides: e.PACKAGE_REGISTRY_HOST_OVERRIDES,
          }
        : undefined,
    http: {
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: Math.min(e.HTTP_HEADERS_TIMEOUT_MS, e.HTTP_REQUEST_TIMEOUT_MS),
      connectionTimeoutMs: e.HTTP_CONNECTION_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnectionsPerAddress: e.HTTP_MAX_CONNECTIONS_PER_ADDRESS,
    },
    metricsToken: e.METRICS_TOKEN,
  };
}
