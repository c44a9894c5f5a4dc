// test-tier: slow
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { fakeRegistryToken, type Recorder, runCli, startRecorder } from './subprocess.js';

/**
 * Publisher commands start cheaply because the command table loads a command's module only when it
 * runs: `--help`, `validate` and `login` must never load Fastify, knex, PGlite, pg, the AWS SDK, or
 * the server's configuration (zod, node-cron). Asserted on the modules Node actually loads (a
 * module-resolution hook records every package module resolved), not on a reading of the source.
 */
const SERVER_SIDE =
  /node_modules\/(fastify|knex|pg|@electric-sql\/pglite|@aws-sdk\/[^/]+|zod|node-cron|pino)\//;

describe('what publisher commands load', () => {
  let scratch: string;
  let peer: Recorder;
  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'mcpreg-cli-modules-'));
    writeFileSync(
      join(scratch, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.LOADED_MODULES_FILE, resolved.url + '\\n');
  return resolved;
}`,
    );
    writeFileSync(
      join(scratch, 'register.mjs'),
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(scratch, 'hooks.mjs')).href)});\n`,
    );
    writeFileSync(
      join(scratch, 'server.json'),
      readFileSync(
        join(
          import.meta.dirname,
          '..',
          '..',
          '..',
          'shared',
          'spec',
          'examples',
          '01-basic-server-with-npm-package.json',
        ),
      ),
    );
    peer = await startRecorder(() => ({ body: fakeRegistryToken({ auth_method_sub: 'anonymous' }) }));
  });
  after(async () => {
    await peer?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function loadedBy(name: string, args: string[]): Promise<string[]> {
    const file = join(scratch, `${name}.txt`);
    writeFileSync(file, '');
    const run = await runCli(args, {
      cwd: scratch,
      nodeArgs: ['--import', join(scratch, 'register.mjs')],
      env: { HOME: scratch, XDG_CONFIG_HOME: join(scratch, 'config'), LOADED_MODULES_FILE: file },
    });
    assert.equal(run.code, 0, run.stderr);
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  }

  for (const name of ['help', 'validate', 'login'] as const) {
    it(`${name} loads no server-side module`, async () => {
      const argv =
        name === 'help'
          ? ['--help']
          : name === 'validate'
            ? ['validate', 'server.json']
            : ['login', 'none', '--registry', peer.url];
      const loaded = await loadedBy(name, argv);
      assert.ok(
        loaded.some((u) => u.endsWith('/cli/main.ts')),
        'the hook saw the CLI load',
      );
      if (name === 'validate')
        assert.ok(
          loaded.some((u) => u.includes('/node_modules/ajv/')),
          'the hook sees packages',
        );
      const serverSide = loaded.filter((u) => SERVER_SIDE.test(u));
      assert.deepEqual(serverSide, [], `${name} loaded ${serverSide.join(', ')}`);
    });
  }
});
