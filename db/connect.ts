import { mkdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import knexPkg, { type Knex } from 'knex';
import lockfile from 'proper-lockfile';
import { DataDirLockedError } from './errors.js';
import { migrationSource } from './migrations/index.js';

/**
 * One knex setup, two backends: a real PostgreSQL server (DATABASE_URL) or embedded PGlite under a
 * data directory. Both go through knex's own `pg` dialect (PGlite via its node-postgres adapter), so
 * queries and result types are identical in tests, the embedded default and production.
 */
export interface Database {
  readonly knex: Knex;
  readonly kind: 'postgres' | 'pglite';
  /** The embedded instance, for in-process LISTEN; undefined on PostgreSQL. */
  readonly pglite: PGlite | undefined;
  /** The PostgreSQL connection string (for a LISTEN connection of its own); undefined on PGlite. */
  readonly url: string | undefined;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  /** Run pending migrations before returning (the default: migrations run on start). */
  migrate?: boolean;
  /** Connection pool size on PostgreSQL (PGlite has exactly one connection). */
  poolMax?: number;
  /** How long a query may wait for a free connection before failing (ms). */
  acquireTimeoutMs?: number;
  /**
   * Where knex's own messages go (connection errors while the database is unreachable, deprecations):
   * the process's structured log. Without one, knex writes them to the console.
   */
  logger?: DbLogger;
}

/** The part of a pino logger the database layer uses. */
export interface DbLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

function knexLog(logger: DbLogger | undefined): Knex.Config['log'] {
  if (!logger) return undefined;
  const text = (message: unknown) =>
    typeof message === 'string'
      ? message
      : message instanceof Error
        ? message.message
        : JSON.stringify(message);
  const at = { module: 'db' };
  return {
    warn: (message: unknown) => logger.warn(at, text(message)),
    error: (message: unknown) => logger.error(at, text(message)),
    debug: (message: unknown) => logger.debug(at, text(message)),
    deprecate: (method: string, alternative: string) =>
      logger.warn(at, `knex: ${method} is deprecated, use ${alternative}`),
  };
}

const { knex: createKnex } = knexPkg;

export async function openDatabase(options: OpenOptions): Promise<Database> {
  const db = options.databaseUrl
    ? openPostgres(options.databaseUrl, options)
    : await openPGlite(resolve(options.dataDir), options);
  if (options.migrate !== false) {
    try {
      await migrateLatest(db.knex);
    } catch (err) {
      await db.close();
      throw err;
    }
  }
  return db;
}

export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}

function openPostgres(url: string, options: OpenOptions): Database {
  const knex = createKnex({
    client: 'pg',
    connection: { connectionString: url, application_name: 'mcp-registry' },
    pool: {
      min: 0,
      max: options.poolMax ?? 10,
      // UTC so timestamps render the same everywhere. JIT off: these are short OLTP statements, and
      // the publish statement's CTE row estimates would otherwise cost ~8 ms of JIT compilation each.
      afterCreate: (
        conn: { query: (sql: string, cb: (err: Error | null) => void) => void },
        done: (err: Error | null, conn: unknown) => void,
      ) => conn.query("SET TIME ZONE 'UTC'; SET jit = off", (err) => done(err, conn)),
    },
    acquireConnectionTimeout: options.acquireTimeoutMs ?? 10_000,
    log: knexLog(options.logger),
  });
  return { knex, kind: 'postgres', pglite: undefined, url, close: () => knex.destroy() };
}

async function openPGlite(dir: string, options: OpenOptions): Promise<Database> {
  mkdirSync(dir, { recursive: true });
  const release = await lockDataDir(dir);
  let pglite: PGlite | undefined;
  try {
    pglite = new PGlite(join(dir, 'pglite'));
    await pglite.waitReady;
    await pglite.exec("SET TIME ZONE 'UTC'");
  } catch (err) {
    await pglite?.close().catch(() => {});
    await release();
    throw err;
  }
  const instance = pglite;
  const knex = createKnex({
    client: 'pg',
    // The adapter hands node-postgres a connection that talks to this one PGlite instance.
    connection: () => createPgConfig(instance) as unknown as Knex.PgConnectionConfig,
    pool: { min: 0, max: 1 },
    // One connection: a query on the base knex while a transaction is open would wait forever.
    acquireConnectionTimeout: options.acquireTimeoutMs ?? 10_000,
    log: knexLog(options.logger),
  });
  return {
    knex,
    kind: 'pglite',
    url: undefined,
    pglite: instance,
    close: async () => {
      await knex.destroy();
      await instance.close();
      await release();
    },
  };
}

const LOCK_STALE_MS = 15_000;
const LOCK_REFRESH_MS = 5_000;

/**
 * PGlite has no lock of its own: two processes on one directory silently lose writes. The holder
 * refreshes the lock file every 5 s (a timer: never block the event loop for ~15 s). A lock refreshed
 * recently means a live holder: fail at once. An older one may belong to a process that just died:
 * wait until it is stale and take it, so a restart right after a crash succeeds.
 */
async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const lockfilePath = join(dir, 'registry.lock');
  const options = {
    lockfilePath,
    stale: LOCK_STALE_MS,
    update: LOCK_REFRESH_MS,
    onCompromised: (err: Error) => {
      throw err;
    },
  };
  for (let attempt = 0; ; attempt++) {
    try {
      return await lockfile.lock(dir, options);
    } catch (err) {
      if ((err as { code?: string }).code !== 'ELOCKED') throw err;
      const age = await stat(lockfilePath).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (attempt > 0 || age < LOCK_REFRESH_MS + 2_000) throw new DataDirLockedError(dir);
      await new Promise((r) => setTimeout(r, Math.max(0, LOCK_STALE_MS - age) + 500));
    }
  }
}
