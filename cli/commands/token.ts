import { loadConfig } from '../../core/config.js';
import { UsageError } from '../errors.js';
import type { CommandContext } from '../io.js';
import { mintToken } from '../token.js';

/** `mcp-registry token --admin | --namespace X`: an operator token, printed on stdout (for `$(…)`). */
export async function run({ io, out, options }: CommandContext): Promise<number> {
  const namespace = options.namespace as string | undefined;
  if (!options.admin === !namespace) {
    throw new UsageError('usage: mcp-registry token --admin | --namespace <namespace> [--json]');
  }
  const token = await mintToken(loadConfig(io.env), { admin: options.admin === true, namespace });
  out.result(token);
  out.data(token.registry_token);
  return 0;
}
