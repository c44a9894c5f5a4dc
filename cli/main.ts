import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { migrateLatest, openDatabase } from '../db/connect.js';
import { DataDirLockedError } from '../db/errors.js';
import { runBuildCommand, runBuildsCommand } from './build.js';
import { ImportFileError, UsageError } from './errors.js';
import { importFile } from './import.js';
import { serve } from './serve.js';
import { mintToken } from './token.js';
import { runVerifyCommand } from './verify.js';

const USAGE = `usage: mcp-registry <command> [options]

commands:
  serve                 run the write API, the builder daemon and the local CDN server in one
                        process (embedded PGlite unless DATABASE_URL is set); what npm start runs
  api | builder | cdn   run one of them alone (production: separate processes)
  build [--kind incremental|full|snapshot] [--queue] [--allow-mass-deletion] [--json]
                        build the static tree now (or queue the build for the builder daemon)
  builds [<id>] [--limit N] [--json]
                        build history, newest first, or one build
  migrate               apply pending database migrations
  import <file> [--json]  load a JSON array of server.json documents (the official seed format)
  token --admin | --namespace <ns> [--json]
                        mint a registry token with the registry's signing key (operators only)
  verify <url> [--key <pem-file>] [--snapshot] [--json]
                        check a published tree: the root's signature, and with --snapshot the
                        snapshot's signatures, sha256 and count (exit 1 if anything is off)

Configuration comes from the environment; see .env.example.`;

export interface Io {
  env: Record<string, string | undefined>;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

/** Runs one command and returns its exit code; prose goes to stderr, machine output (--json) to stdout. */
export async function run(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(loadConfig(io.env), io, 'all');
      case 'api':
      case 'builder':
      case 'cdn':
        return await serve(loadConfig(io.env), io, command);
      case 'build':
        return await runBuildCommand(loadConfig(io.env), rest, io);
      case 'builds':
        return await runBuildsCommand(loadConfig(io.env), rest, io);
      case 'migrate':
        return await migrate(io);
      case 'import':
        return await runImport(rest, io);
      case 'token':
        return await runToken(rest, io);
      case 'verify':
        return await runVerifyCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stderr(USAGE);
        return command === undefined ? 2 : 0;
      default:
        io.stderr(`unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (
      err instanceof ConfigError ||
      err instanceof DataDirLockedError ||
      err instanceof ImportFileError ||
      err instanceof UsageError ||
      (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      io.stderr(`error: ${(err as Error).message}`);
      return 2;
    }
    io.stderr(`error: ${(err as Error).message}`);
    return 1;
  }
}

async function migrate(io: Io): Promise<number> {
  const config = loadConfig(io.env);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, migrate: false });
  try {
    const applied = await migrateLatest(db.knex);
    io.stderr(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    return 0;
  } finally {
    await db.close();
  }
}

async function runImport(args: string[], io: Io): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' } },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    io.stderr('usage: mcp-registry import <file> [--json]');
    return 2;
  }
  const config = loadConfig(io.env);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const summary = await importFile(db, file, (o) => {
      if (o.result === 'stored') return;
      io.stderr(`#${o.index} ${o.name ?? '(no name)'}@${o.version ?? '(no version)'}: ${o.result}`);
      for (const reason of o.reasons) io.stderr(`    ${reason}`);
    });
    if (values.json) io.stdout(JSON.stringify(summary));
    io.stderr(
      `${summary.file}: ${summary.total} entries, ${summary.stored} stored, ${summary.invalid} invalid, ` +
        `${summary.rejected} rejected, ${summary.failed} failed`,
    );
    return summary.failed > 0 ? 1 : 0;
  } finally {
    await db.close();
  }
}

async function runToken(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { admin: { type: 'boolean' }, namespace: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (!values.admin === !values.namespace) {
    io.stderr('usage: mcp-registry token --admin | --namespace <namespace> [--json]');
    return 2;
  }
  const token = await mintToken(loadConfig(io.env), {
    admin: values.admin === true,
    namespace: values.namespace,
  });
  io.stdout(values.json ? JSON.stringify(token) : token.registry_token);
  return 0;
}

export async function runFromProcess(): Promise<void> {
  const code = await run(process.argv.slice(2), {
    env: process.env,
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  });
  process.exitCode = code;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runFromProcess();
