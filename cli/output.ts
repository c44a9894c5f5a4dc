import { isAppError } from '../core/errors.js';
import { EXIT_FAILED, EXIT_USAGE, type Io } from './io.js';

/**
 * The CLI's one output layer (no command module is imported here, so none can import it back in a
 * cycle). Human prose goes to stderr, machine output to stdout: `--json` prints exactly one JSON
 * document on stdout. Colours and the spinner exist only on a terminal; elsewhere (pipes, CI logs,
 * tests) every line is plain text without escape codes.
 */
export interface Spinner {
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
}

export interface Output {
  readonly json: boolean;
  readonly debug: boolean;
  /** A line of prose on stderr. */
  info(line: string): void;
  success(line: string): void;
  warn(line: string): void;
  /** A result line on stdout for people and scripts alike (e.g. a URL); suppressed under --json. */
  data(line: string): void;
  /** The command's machine-readable result: printed (as one JSON line on stdout) only under --json. */
  result(value: unknown): void;
  /** A spinner on a terminal; elsewhere one line now and one when it ends. */
  spinner(text: string): Promise<Spinner>;
  /** Bold/dim emphasis on a terminal. */
  em(text: string): string;
}

const ANSI = { green: [32, 39], yellow: [33, 39], red: [31, 39], bold: [1, 22], dim: [2, 22] } as const;

export function createOutput(
  io: Io,
  options: { json?: boolean; debug?: boolean; color?: 'auto' | 'never' | 'always' } = {},
): Output {
  const color = options.color === 'always' || (options.color !== 'never' && io.terminal !== undefined);
  const paint = (style: keyof typeof ANSI, text: string) =>
    color ? `\u001b[${ANSI[style][0]}m${text}\u001b[${ANSI[style][1]}m` : text;
  const json = options.json === true;
  return {
    json,
    debug: options.debug === true,
    info: (line) => io.stderr(line),
    success: (line) => io.stderr(`${paint('green', '✓')} ${line}`),
    warn: (line) => io.stderr(`${paint('yellow', 'warning:')} ${line}`),
    data: (line) => {
      if (!json) io.stdout(line);
    },
    result: (value) => {
      if (json) io.stdout(JSON.stringify(value));
    },
    em: (text) => paint('bold', text),
    async spinner(text) {
      if (!io.terminal) {
        io.stderr(`${text} …`);
        return {
          update: () => {},
          succeed: (line) => io.stderr(`✓ ${line}`),
          fail: (line) => io.stderr(`✗ ${line}`),
        };
      }
      const { default: yoctoSpinner } = await import('yocto-spinner');
      const spinner = yoctoSpinner({ text, stream: io.terminal }).start();
      return {
        update: (next) => {
          spinner.text = next;
        },
        succeed: (line) => void spinner.success(line),
        fail: (line) => void spinner.error(line),
      };
    },
  };
}

/** One error as the user sees it: a plain line (and the details, each on its own line); stack only with --debug. */
export function describeError(err: unknown, debug: boolean): string[] {
  const error = err instanceof Error ? err : new Error(String(err));
  const lines = [`error: ${error.message}`];
  const details = (error as { details?: unknown }).details;
  if (Array.isArray(details)) for (const d of details) lines.push(`  - ${String(d)}`);
  if (debug && error.stack) lines.push(error.stack);
  return lines;
}

/**
 * 2 when the user must change what they run (a usage error, or the embedded data directory held by
 * another process: stop it first), 1 for everything else that failed.
 */
export function exitCodeOf(err: unknown): number {
  if (isAppError(err) && (err.kind === 'usage' || err.name === 'DataDirLockedError')) return EXIT_USAGE;
  return EXIT_FAILED;
}
