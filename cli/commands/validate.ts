import type { CommandContext } from '../io.js';
import { DEFAULT_SERVER_FILE, printIssues, readServerFile, validateLocally } from '../server-file.js';

/** `mcp-registry validate [file]`: the registry's validation, offline; exit 1 when any issue is an error. */
export async function run({ out, args }: CommandContext): Promise<number> {
  const file = args[0] ?? DEFAULT_SERVER_FILE;
  const result = await validateLocally(readServerFile(file));
  out.result(result);
  printIssues(out, file, result);
  return result.valid ? 0 : 1;
}
