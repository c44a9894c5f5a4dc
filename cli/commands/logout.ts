import { removeLogin } from '../../client/credentials.js';
import type { CommandContext } from '../io.js';
import { openSession } from '../session.js';

/** `mcp-registry logout [--all]`: forgets saved logins (the tokens expire on their own within 5 minutes). */
export async function run(context: CommandContext): Promise<number> {
  const { out, options } = context;
  const { config, registry } = openSession(context);
  const forgotten = removeLogin(config.configDir, options.all ? 'all' : registry.url);
  out.result({ loggedOut: forgotten });
  if (forgotten.length === 0) out.info(`not logged in to ${options.all ? 'any registry' : registry.url}`);
  for (const url of forgotten) out.success(`logged out of ${url}`);
  return 0;
}
