import type { Io } from '../../cli/io.js';

/** An Io for running CLI commands in process: the lines each stream received, in order. */
export function captureIo(
  env: Record<string, string | undefined> = {},
): Io & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { env, out, err, stdout: (l) => out.push(l), stderr: (l) => err.push(l) };
}
