import type { Output } from './output.js';

/**
 * What a command may touch of the outside world, passed in so tests run commands in-process:
 * the environment (read only through loadConfig / loadClientConfig), two line sinks (human prose on
 * stderr, machine output on stdout), and, only when there is a person at a terminal, the terminal
 * itself (spinners, colours) and a way to ask a question.
 */
export interface Io {
  env: Record<string, string | undefined>;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** The real stderr when it is a terminal; absent in tests, pipes and CI logs. */
  terminal?: NodeJS.WriteStream | undefined;
  /** Asks one question and answers the line typed; absent when stdin is not a terminal. */
  prompt?: ((question: string) => Promise<string>) | undefined;
}

/** Documented exit codes: 0 success, 1 the operation failed, 2 usage error (fix the command line or input). */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** What a command module receives: its parsed arguments and options, and the shared output. */
export interface CommandContext {
  /** The command's name as typed (`api`, `builder`… share one module). */
  name: string;
  io: Io;
  out: Output;
  /** Positional arguments, in the order the table declares them (missing optional ones undefined). */
  args: (string | undefined)[];
  /** Parsed options, the global ones (`--debug`) included; flags use camelCase (`allVersions`). */
  options: Record<string, unknown>;
}

export interface CommandModule {
  run(context: CommandContext): Promise<number>;
}
