// test-tier: slow
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { COMMANDS } from '../../cli/commands.js';
import { freePort, startServe } from '../../scripts/bench/util.js';
import { ESCAPE, runCli } from './subprocess.js';

/**
 * The publisher workflow end to end: the real CLI (a subprocess, stdin and stderr not terminals)
 * against `mcp-registry serve` (write API, builder, local CDN) on loopback ports:
 * init → validate → login none → publish (visible on the local CDN) → status → logout.
 */
describe('publisher workflow against the real registry', () => {
  let scratch: string;
  let work: string;
  let serve: Awaited<ReturnType<typeof startServe>>;
  let env: Record<string, string>;
  const NAME = 'io.modelcontextprotocol.anonymous/weather';
  const cli = (...args: string[]) => runCli(args, { env, cwd: work });
  const credentials = () => join(scratch, 'config', 'mcp-registry', 'credentials.json');

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'mcpreg-cli-e2e-'));
    work = join(scratch, 'project');
    mkdirSync(join(work, '.git'), { recursive: true });
    writeFileSync(
      join(work, 'package.json'),
      JSON.stringify({
        name: '@acme/weather-mcp',
        version: '1.0.0',
        description: 'Weather forecasts for tests',
        mcpName: NAME,
      }),
    );
    writeFileSync(
      join(work, '.git', 'config'),
      '[remote "origin"]\n\turl = git@github.com:acme/weather-mcp.git\n',
    );
    serve = await startServe({ dataDir: join(scratch, 'data'), siteDir: join(scratch, 'site') });
    env = {
      HOME: scratch,
      XDG_CONFIG_HOME: join(scratch, 'config'),
      MCP_REGISTRY_URL: serve.api,
      MCP_REGISTRY_READ_URL: serve.cdn,
    };
  });
  after(async () => {
    await serve?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('init writes a valid server.json from package.json and the git remote, and never overwrites it', async () => {
    const init = await cli('init', '--yes', '--json');
    assert.equal(init.code, 0, init.stderr);
    const written = JSON.parse(readFileSync(join(work, 'server.json'), 'utf8'));
    assert.deepEqual(JSON.parse(init.stdout), written);
    assert.equal(written.name, NAME);
    assert.equal(written.version, '1.0.0');
    assert.match(written.$schema, /\/schemas\/\d{4}-\d{2}-\d{2}\/server\.schema\.json$/);
    assert.deepEqual(written.repository, { url: 'https://github.com/acme/weather-mcp', source: 'github' });
    assert.deepEqual(written.packages, [
      {
        registryType: 'npm',
        identifier: '@acme/weather-mcp',
        version: '1.0.0',
        transport: { type: 'stdio' },
      },
    ]);
    const again = await cli('init', '--yes');
    assert.equal(again.code, 2);
    assert.match(again.stderr, /server\.json exists; pass --force/);

    const validate = await cli('validate', '--json');
    assert.equal(validate.code, 0, validate.stderr);
    assert.equal(JSON.parse(validate.stdout).valid, true);
  });

  it('refuses to publish before login, with one plain line', async () => {
    const publish = await cli('publish');
    assert.equal(publish.code, 1);
    assert.match(publish.stderr, /^error: not logged in to http:\/\/127\.0\.0\.1:\d+/m);
    assert.doesNotMatch(publish.stderr, /\n\s+at /);
  });

  it('logs in with none, publishes, waits until the version is on the CDN, changes its status, logs out', async () => {
    const login = await cli('login', 'none', '--json');
    assert.equal(login.code, 0, login.stderr);
    const who = JSON.parse(login.stdout);
    assert.equal(who.method, 'none');
    assert.equal(who.subject, 'anonymous');
    assert.equal(who.registry, serve.api);
    assert.ok(
      who.permissions.some((p: { resource: string }) => p.resource === 'io.modelcontextprotocol.anonymous/*'),
    );
    assert.equal(statSync(credentials()).mode & 0o777, 0o600);
    assert.equal(statSync(join(scratch, 'config', 'mcp-registry')).mode & 0o777, 0o700);
    const saved = JSON.parse(readFileSync(credentials(), 'utf8'));
    const token: string = saved.registries[serve.api].token;
    assert.ok(token.length > 20);
    assert.ok(!login.stdout.includes(token) && !login.stderr.includes(token), 'the token is never printed');

    const published = await cli('publish', '--json');
    assert.equal(published.code, 0, published.stderr);
    const result = JSON.parse(published.stdout);
    assert.equal(result.visible, true);
    assert.equal(result.version, '1.0.0');
    assert.equal(result.url, `${serve.cdn}/v0.1/servers/${encodeURIComponent(NAME)}/versions/1.0.0`);
    assert.equal((await fetch(result.url)).status, 200);
    assert.doesNotMatch(published.stderr + published.stdout, ESCAPE);

    // Human mode: the URL alone on stdout, prose (no escape codes off a terminal) on stderr.
    const file = join(work, 'server.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(
      file,
      JSON.stringify({ ...doc, version: '1.0.1', packages: [{ ...doc.packages[0], version: '1.0.1' }] }),
    );
    const human = await cli('publish');
    assert.equal(human.code, 0, human.stderr);
    assert.equal(human.stdout, `${serve.cdn}/v0.1/servers/${encodeURIComponent(NAME)}/versions/1.0.1\n`);
    assert.match(human.stderr, /published io\.modelcontextprotocol\.anonymous\/weather@1\.0\.1/);
    assert.doesNotMatch(human.stderr, ESCAPE);
    assert.ok(!human.stderr.includes(token));

    // The API's 4xx: its detail, one line, exit 1.
    const duplicate = await cli('publish');
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.stderr, /^error: POST .*\/v0\/publish: HTTP 400: /m);
    assert.doesNotMatch(duplicate.stderr, /\n\s+at /);

    const status = await cli(
      'status',
      NAME,
      '1.0.0',
      '--status',
      'deprecated',
      '--message',
      'use 1.0.1',
      '--json',
    );
    assert.equal(status.code, 0, status.stderr);
    assert.deepEqual(JSON.parse(status.stdout), {
      name: NAME,
      version: '1.0.0',
      from: 'active',
      to: 'deprecated',
    });
    assert.match(status.stderr, /1\.0\.0: active → deprecated/);

    const unconfirmed = await cli('status', NAME, '--all-versions', '--status', 'deleted');
    assert.equal(unconfirmed.code, 2);
    assert.match(unconfirmed.stderr, /needs --yes/);

    const all = await cli('status', NAME, '--all-versions', '--status', 'active', '--yes', '--json');
    assert.equal(all.code, 0, all.stderr);
    assert.equal(JSON.parse(all.stdout).updatedCount, 1, 'only the version whose status differs is changed');
    assert.match(all.stderr, /1\.0\.0: deprecated → active/);
    assert.match(all.stderr, /1\.0\.1: active → active/);

    const logout = await cli('logout', '--json');
    assert.equal(logout.code, 0, logout.stderr);
    assert.deepEqual(JSON.parse(logout.stdout), { loggedOut: [serve.api] });
    assert.equal(JSON.parse(readFileSync(credentials(), 'utf8')).registries[serve.api], undefined);
    assert.equal((await cli('publish')).code, 1);
  });

  it('signs in again unattended when the saved token expired (none can)', async () => {
    assert.equal((await cli('login', 'none')).code, 0);
    const saved = JSON.parse(readFileSync(credentials(), 'utf8'));
    saved.registries[serve.api].expiresAt = Math.floor(Date.now() / 1000) - 10;
    writeFileSync(credentials(), JSON.stringify(saved));
    const file = join(work, 'server.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(
      file,
      JSON.stringify({ ...doc, version: '1.0.2', packages: [{ ...doc.packages[0], version: '1.0.2' }] }),
    );
    const publish = await cli('publish', '--no-wait');
    assert.equal(publish.code, 0, publish.stderr);
    assert.match(publish.stderr, /the saved token expired; signing in again with none/);
    const renewed = JSON.parse(readFileSync(credentials(), 'utf8')).registries[serve.api];
    assert.ok(renewed.expiresAt > Date.now() / 1000);
  });

  it('--help lists every command, --version the version; usage errors exit 2, failures 1, stack only with --debug', async () => {
    const help = await cli('--help');
    assert.equal(help.code, 0);
    for (const c of COMMANDS) assert.match(help.stdout, new RegExp(`\\n  ${c.name} `), c.name);
    const version = await cli('--version');
    assert.equal(
      version.stdout.trim(),
      JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')).version,
    );
    assert.equal((await cli('publish', '--bogus')).code, 2);
    assert.equal((await cli('login', 'carrier-pigeon')).code, 2);

    const nobody = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await cli('login', 'none', '--registry', nobody);
    assert.equal(unreachable.code, 1);
    assert.equal(unreachable.stderr, `error: cannot reach ${nobody}/v0/auth/none: ECONNREFUSED\n`);
    const debug = await cli('login', 'none', '--registry', nobody, '--debug');
    assert.match(debug.stderr, /\n\s+at /);
  });
});
