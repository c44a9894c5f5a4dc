import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Io, run } from '../../cli/main.js';
import { SHARED } from '../helpers/app.js';

/** `validate` in-process: the official issues list, and one plain line for input that is not a document. */
describe('validate', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcpreg-cli-validate-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function validate(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { env: {}, stdout: (l) => out.push(l), stderr: (l) => err.push(l) };
    const code = await run(['validate', ...args], io);
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('prints each issue with path, severity and reference, and the same list as JSON; exit 1 on errors', async () => {
    const example = join(SHARED, 'spec', 'examples', '01-basic-server-with-npm-package.json');
    const good = await validate(example, '--json');
    assert.equal(good.code, 0, good.err);
    assert.deepEqual(JSON.parse(good.out), { valid: true, issues: [] });

    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(example, 'utf8')), version: '^1.0.0' }));
    const bad = await validate(file, '--json');
    assert.equal(bad.code, 1);
    const result = JSON.parse(bad.out) as {
      valid: boolean;
      issues: { path: string; reference: string; severity: string }[];
    };
    assert.equal(result.valid, false);
    const range = result.issues.find((i) => i.path === 'version');
    assert.equal(range?.severity, 'error');
    assert.match(bad.err, new RegExp(`error +version: .*\\[${range?.reference}\\]`));
  });

  it('missing, not UTF-8, with a byte-order mark, not JSON: one line, exit 2, no stack trace', async () => {
    const cases: [string, Buffer | undefined, RegExp][] = [
      ['absent.json', undefined, /absent\.json not found \(mcp-registry init writes one\)/],
      ['latin1.json', Buffer.from([0x7b, 0x22, 0x6e, 0xe9, 0x22, 0x7d]), /latin1\.json is not UTF-8 text/],
      ['bom.json', Buffer.from('\ufeff{}'), /bom\.json starts with a byte-order mark/],
      ['broken.json', Buffer.from('{"name":'), /broken\.json is not valid JSON/],
    ];
    for (const [name, bytes, message] of cases) {
      if (bytes) writeFileSync(join(dir, name), bytes);
      const result = await validate(join(dir, name));
      assert.equal(result.code, 2, name);
      assert.match(result.err, message);
      assert.equal(result.err.split('\n').length, 1, result.err);
    }
  });
});
