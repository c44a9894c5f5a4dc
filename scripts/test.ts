import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import knexPkg from 'knex';
import { openDatabase } from '../db/connect.js';
import { postgresTestUrl, withDatabase } from '../test/helpers/db.js';

/**
 * `npm test`: prepares the migrated database templates once, then runs every test/**\/*.test.ts file
 * with node's test runner (files in parallel, one process each). Extra arguments select files by
 * substring: `npm test -- publish`. `--fast` (`npm run test:fast`) leaves out the slow tier: files
 * that say `// test-tier: slow` in their first lines (end-to-end subprocess tests, long property runs).
 */
const root = join(import.meta.dirname, '..');

function findTests(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return findTests(path);
    return entry.endsWith('.test.ts') ? [path] : [];
  });
}

const SLOW_MARK = '// test-tier: slow';

function isSlowTier(file: string): boolean {
  return readFileSync(file, 'utf8').slice(0, 2_000).includes(SLOW_MARK);
}

async function preparePGliteTemplate(): Promise<string> {
  const dir = join(tmpdir(), `mcpreg-template-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const db = await openDatabase({ databaseUrl: undefined, dataDir: dir });
  await db.close();
  rmSync(join(dir, 'registry.lock'), { recursive: true, force: true });
  writeFileSync(join(dir, 'TEMPLATE'), 'migrated template for tests\n');
  return dir;
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function preparePostgresTemplate(url: string): Promise<string> {
  const name = `mcpreg_tpl_${process.pid}`;
  const admin = knexPkg.knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    // Leftovers of runs that were killed before they could clean up.
    const stale = await admin.raw(
      "select datname from pg_database where datname like 'mcpreg\\_t\\_%' or datname like 'mcpreg\\_tpl\\_%'",
    );
    for (const { datname } of stale.rows as { datname: string }[]) {
      // Only runs whose process is gone: another `npm test` may be running beside this one.
      const pid = Number(/^mcpreg_(?:t|tpl)_(\d+)/.exec(datname)?.[1]);
      if (isAlive(pid)) continue;
      await admin.raw(`drop database if exists ${datname} with (force)`);
    }
    await admin.raw(`create database ${name}`);
  } finally {
    await admin.destroy();
  }
  const db = await openDatabase({ databaseUrl: withDatabase(url, name), dataDir: '' });
  await db.close();
  return name;
}

async function dropPostgresTemplate(url: string, name: string): Promise<void> {
  const admin = knexPkg.knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.destroy();
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const fast = args.includes('--fast');
  const filters = args.filter((a) => a !== '--fast');
  const files = findTests(join(root, 'test'))
    .map((f) => relative(root, f))
    .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
    .filter((f) => !fast || !isSlowTier(join(root, f)))
    .sort();
  if (files.length === 0) {
    process.stderr.write(`no test files match ${filters.join(' ')}\n`);
    return 1;
  }
  const pgUrl = postgresTestUrl();
  const pgliteTemplate = await preparePGliteTemplate();
  const pgTemplate = pgUrl ? await preparePostgresTemplate(pgUrl) : undefined;
  process.stderr.write(
    `running ${files.length} test files on PGlite${pgUrl ? ' and PostgreSQL' : ' (set TEST_DATABASE_URL to also run on PostgreSQL)'}\n`,
  );
  try {
    return await new Promise<number>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=600000', ...files],
        {
          cwd: root,
          stdio: 'inherit',
          env: {
            ...process.env,
            PGLITE_TEMPLATE_DIR: pgliteTemplate,
            ...(pgTemplate ? { PG_TEMPLATE_DB: pgTemplate } : {}),
            NODE_OPTIONS: [process.env.NODE_OPTIONS, '--openssl-legacy-provider'].filter(Boolean).join(' '),
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          },
        },
      );
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    if (existsSync(pgliteTemplate)) rmSync(pgliteTemplate, { recursive: true, force: true });
    if (pgUrl && pgTemplate) await dropPostgresTemplate(pgUrl, pgTemplate);
  }
}

process.exitCode = await main();
