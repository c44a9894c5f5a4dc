import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexPkg from 'knex';
import { type Database, type DbLogger, openDatabase } from '../../db/connect.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/**
 * Test databases: embedded PGlite always, a real PostgreSQL server when TEST_DATABASE_URL (or
 * DATABASE_URL) is set. scripts/test.ts migrates one template of each before the run; every test
 * file copies the PGlite template directory (≈0.4 s instead of a 3 s initdb) and creates its own
 * PostgreSQL database from the template database, so files can run in parallel.
 */
export interface TestBackend {
  name: 'pglite' | 'postgres';
  open(): Promise<Database>;
}

let counter = 0;

export function testBackends(): TestBackend[] {
  const backends: TestBackend[] = [{ name: 'pglite', open: openTestPGlite }];
  const url = postgresTestUrl();
  if (url) backends.push({ name: 'postgres', open: () => openTestPostgres(url) });
  return backends;
}

export function postgresTestUrl(env: Record<string, string | undefined> = process.env): string | undefined {
  return env.TEST_DATABASE_URL || env.DATABASE_URL || undefined;
}

export async function openTestPGlite(): Promise<Database> {
  const dir = mkdtempSync(join(tmpdir(), 'mcpreg-test-'));
  const template = process.env.PGLITE_TEMPLATE_DIR;
  if (template) cpSync(template, dir, { recursive: true });
  const db = await openDatabase({ databaseUrl: undefined, dataDir: dir, acquireTimeoutMs: 5_000 });
  return {
    ...db,
    close: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function openTestPostgres(url: string, options: { poolMax?: number } = {}): Promise<Database> {
  const name = `mcpreg_t_${process.pid}_${++counter}_${Date.now() % 100000}`;
  const template = process.env.PG_TEMPLATE_DB;
  const admin = knexPkg.knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`create database ${name}${template ? ` template ${template}` : ''}`);
  } finally {
    await admin.destroy();
  }
  const dbUrl = withDatabase(url, name);
  const db = await openDatabase({
    databaseUrl: dbUrl,
    dataDir: '',
    poolMax: options.poolMax ?? 10,
    acquireTimeoutMs: 5_000,
  });
  return {
    ...db,
    close: async () => {
      await db.close();
      const cleanup = knexPkg.knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
      try {
        await cleanup.raw(`drop database if exists ${name} with (force)`);
      } finally {
        await cleanup.destroy();
      }
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

const DATA_TABLES = [
  'version_remotes',
  'server_versions',
  'servers',
  'journal',
  'users',
  'build_runs',
  'tree_state',
  'tree_objects',
  'tree_seen',
  'cdn_invalidations',
  'mirror_state',
  'mirror_staging',
  'search_docs',
  'search_terms',
  'search_pending',
  'mirror_runs',
  'mirror_issues',
  'quarantined_servers',
  'domain_challenges',
  'domain_verifications',
  'blocked_namespaces',
];

/** Empties every data table and rewinds the journal, keeping the schema (and the signing key). */
export async function resetDatabase(db: Database): Promise<void> {
  await db.knex.raw(`truncate ${DATA_TABLES.join(', ')} restart identity cascade`);
  await db.knex.raw("update journal_head set seq = 0, at = '2000-01-01T00:00:00Z'");
}

/**
 * A second connection pool to `direct`'s database through a TCP proxy the test can cut and restore
 * (a database outage), failing fast (2 s to acquire a connection) while it is cut.
 */
export async function openThroughProxy(
  direct: Database,
  logger: DbLogger = { warn: () => {}, error: () => {}, debug: () => {} },
): Promise<{ proxy: TcpProxy; db: Database }> {
  const real = new URL(direct.url as string);
  const proxy = await startTcpProxy({ host: real.hostname, port: Number(real.port || 5432) });
  const through = new URL(real);
  through.host = `127.0.0.1:${proxy.port}`;
  const db = await openDatabase({
    databaseUrl: through.toString(),
    dataDir: '',
    migrate: false,
    acquireTimeoutMs: 2_000,
    logger,
  });
  return { proxy, db };
}
