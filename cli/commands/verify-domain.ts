import { ClientError } from '../../client/errors.js';
import type { CommandContext } from '../io.js';
import { currentToken, openSession } from '../session.js';

/**
 * `mcp-registry verify-domain <domain>` prints the `mcp-verify=` TXT record to add; `--check
 * <domain>` asks the registry to look for it now; `--list` shows your domains. Signed in.
 */
export async function run(context: CommandContext): Promise<number> {
  const { out, args, options } = context;
  const [domain] = args;
  if (options.check && options.list) throw new ClientError('use --check or --list, not both', 'usage');
  if (!options.list && !domain) throw new ClientError('verify-domain needs the domain (or --list)', 'usage');
  const session = openSession(context);
  const token = await currentToken(session, out);
  const { registry } = session;
  if (options.list) {
    const answer = await registry.listDomains(token);
    out.result(answer);
    const domains = Array.isArray(answer)
      ? answer
      : ((answer as { domains?: unknown[] } | undefined)?.domains ?? []);
    if (domains.length === 0) out.info('no domains yet');
    for (const d of domains as Record<string, unknown>[]) {
      out.data(`${String(d.domain)}\t${String(d.status ?? (d.verified ? 'verified' : 'pending'))}`);
    }
    return 0;
  }
  if (options.check) {
    const answer = await registry.checkDomain(domain as string, token);
    out.result(answer);
    out.success(
      `${domain}: ${String(answer.status ?? (answer.verified === false ? 'not verified yet' : 'verified'))}`,
    );
    return answer.verified === false ? 1 : 0;
  }
  const challenge = await registry.requestDomain(domain as string, token);
  out.result(challenge);
  out.info(
    `Add this TXT record to ${challenge.domain}, then run: mcp-registry verify-domain --check ${challenge.domain}`,
  );
  out.data(`${challenge.domain}. IN TXT "${challenge.txt_record}"`);
  out.info(`(the challenge expires at ${String(challenge.expires_at)})`);
  return 0;
}
