import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type Io, run } from '../../cli/main.js';
import { ESCAPE } from './subprocess.js';

/** `init` in-process (a fake terminal answers its questions): pyproject.toml, prompts, refusals. */
describe('init', () => {
  let dir: string;
  const home = process.cwd();
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcpreg-cli-init-'));
    process.chdir(dir);
  });
  after(() => {
    process.chdir(home);
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    for (const f of ['server.json', 'package.json', 'pyproject.toml']) rmSync(join(dir, f), { force: true });
  });

  function io(answers: string[] = []) {
    const err: string[] = [];
    const out: string[] = [];
    const asked: string[] = [];
    const withTerminal: Io & { err: string[]; out: string[]; asked: string[] } = {
      env: { HOME: dir },
      stdout: (l) => out.push(l),
      stderr: (l) => err.push(l),
      err,
      out,
      asked,
    };
    if (answers.length) {
      withTerminal.prompt = async (question) => {
        asked.push(question);
        return answers.shift() ?? '';
      };
    }
    return withTerminal;
  }

  it('reads pyproject.toml and asks only for what is missing, on a terminal', async () => {
    writeFileSync(
      join(dir, 'pyproject.toml'),
      '[project]\nname = "weather-mcp"\nversion = "0.3.0"\n\n[project.urls]\nRepository = "https://github.com/acme/weather-mcp"\n',
    );
    const terminal = io(['A weather server']);
    assert.equal(await run(['init'], terminal), 0, terminal.err.join('\n'));
    assert.deepEqual(terminal.asked, ['one-line description: ']);
    const doc = JSON.parse(readFileSync(join(dir, 'server.json'), 'utf8'));
    assert.equal(doc.name, 'io.github.acme/weather-mcp');
    assert.equal(doc.description, 'A weather server');
    assert.deepEqual(doc.packages, [
      { registryType: 'pypi', identifier: 'weather-mcp', version: '0.3.0', transport: { type: 'stdio' } },
    ]);
    assert.match(terminal.err.join('\n'), /mcp-name: io\.github\.acme\/weather-mcp/);
    assert.doesNotMatch(terminal.err.join('\n'), ESCAPE, 'no terminal stream given: no colours');
  });

  it('without a terminal it asks nothing: a missing answer is a usage error naming the flag', async () => {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x-mcp', version: '1.0.0' }));
    const pipe = io();
    assert.equal(await run(['init'], pipe), 2);
    assert.match(pipe.err.join('\n'), /could not work out the name; pass --name/);
    assert.equal(existsSync(join(dir, 'server.json')), false);

    const flags = io();
    const code = await run(
      ['init', '--name', 'com.example/xy-server', '--description', 'X', '--package', 'none', '--json'],
      flags,
    );
    assert.equal(code, 0, flags.err.join('\n'));
    const doc = JSON.parse(flags.out.join(''));
    assert.equal(doc.packages, undefined);
    assert.equal(doc.version, '1.0.0');
  });

  it('writes nothing when the answers do not validate, and keeps an existing file unless --force', async () => {
    const bad = io();
    assert.equal(
      await run(['init', '--name', 'no-slash', '--description', 'd', '--version', '1.0.0'], bad),
      2,
    );
    assert.match(bad.err.join('\n'), /server name must be in format/);
    assert.equal(existsSync(join(dir, 'server.json')), false);

    writeFileSync(join(dir, 'server.json'), '{"keep":true}');
    const args = ['init', '--name', 'com.example/xy-server', '--description', 'd', '--version', '1.0.0'];
    assert.equal(await run(args, io()), 2);
    assert.equal(readFileSync(join(dir, 'server.json'), 'utf8'), '{"keep":true}');
    assert.equal(await run([...args, '--force'], io()), 0);
    assert.equal(JSON.parse(readFileSync(join(dir, 'server.json'), 'utf8')).name, 'com.example/xy-server');
  });
});
