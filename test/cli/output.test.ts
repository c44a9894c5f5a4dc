import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import type { Io } from '../../cli/io.js';
import { createOutput } from '../../cli/output.js';
import { ESCAPE } from './subprocess.js';

/** The output layer: colours and the spinner only on a terminal; --json alone on stdout. */
function capture(terminal?: NodeJS.WriteStream) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { env: {}, stdout: (l) => out.push(l), stderr: (l) => err.push(l), terminal };
  return { io, out, err };
}

/** A stand-in for a terminal: records what is written, says it is a TTY. */
function fakeTerminal(): NodeJS.WriteStream & { written: string } {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      (stream as unknown as { written: string }).written += String(chunk);
      done();
    },
  }) as unknown as NodeJS.WriteStream & { written: string };
  stream.written = '';
  Object.assign(stream, {
    isTTY: true,
    columns: 80,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  });
  return stream;
}

describe('output', () => {
  it('off a terminal: plain lines, no escape codes, the spinner as two plain lines', async () => {
    const { io, err } = capture();
    const out = createOutput(io, {});
    out.success('done');
    out.warn('careful');
    const spinner = await out.spinner('waiting');
    spinner.succeed('there');
    assert.deepEqual(err, ['✓ done', 'warning: careful', 'waiting …', '✓ there']);
    assert.doesNotMatch(err.join('\n'), ESCAPE);
  });

  it('on a terminal: colours (unless NO_COLOR), and the spinner draws on the terminal, not as log lines', async () => {
    const terminal = fakeTerminal();
    const { io, err } = capture(terminal);
    createOutput(io, {}).success('done');
    assert.match(err[0] ?? '', ESCAPE);
    createOutput(io, { color: 'never' }).success('plain');
    assert.equal(err[1], '✓ plain');

    const spinner = await createOutput(io, {}).spinner('waiting');
    spinner.succeed('there');
    assert.equal(err.length, 2, 'nothing from the spinner among the log lines');
    assert.match(terminal.written, /there/);
  });

  it('--json: result() prints one JSON line on stdout and data() nothing; without it the reverse', () => {
    const json = capture();
    const o = createOutput(json.io, { json: true });
    o.data('https://example.org/x');
    o.result({ a: 1 });
    assert.deepEqual(json.out, ['{"a":1}']);
    const human = capture();
    const h = createOutput(human.io, {});
    h.data('https://example.org/x');
    h.result({ a: 1 });
    assert.deepEqual(human.out, ['https://example.org/x']);
  });
});
