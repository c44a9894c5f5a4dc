import { type LoginMethod, saveLogin } from '../../client/credentials.js';
import { ClientError } from '../../client/errors.js';
import type { KeyAlgorithm } from '../../client/keys.js';
import { normalizeRegistryUrl } from '../../client/registry.js';
import { signIn, tokenClaims } from '../../client/sign-in.js';
import type { CommandContext } from '../io.js';
import { openSession } from '../session.js';

const METHODS: readonly LoginMethod[] = ['github', 'github-oidc', 'dns', 'http', 'oidc', 'none'];
const isMethod = (m: string | undefined): m is LoginMethod => METHODS.includes(m as LoginMethod);

/**
 * `mcp-registry login <method> [domain]`: signs in (client/sign-in.ts) and saves the registry token
 * for this registry URL. The token is never printed; `--json` reports who signed in and until when.
 */
export async function run(context: CommandContext): Promise<number> {
  const { out, args, options } = context;
  const [method, domain] = args;
  if (!isMethod(method)) {
    throw new ClientError(
      `unknown sign-in method ${JSON.stringify(method)}; use one of ${METHODS.join(', ')}`,
      'usage',
    );
  }
  if (domain !== undefined && method !== 'dns' && method !== 'http') {
    throw new ClientError(`login ${method} takes no domain`, 'usage');
  }
  const session = openSession(context);
  const { config, registry } = session;
  const token = options.token as string | undefined;
  const { login } = await signIn(registry, config, {
    method,
    githubToken: method === 'github' ? token : undefined,
    oidcToken: method === 'oidc' ? token : undefined,
    domain,
    keyFile: options.key as string | undefined,
    algorithm: options.algorithm as KeyAlgorithm | undefined,
    onDeviceCode: (code) => {
      out.info(
        `To sign in, open ${out.em(code.verificationUri)} and enter the code ${out.em(code.userCode)}`,
      );
      out.info(`(the code expires in ${Math.round(code.expiresInSeconds / 60)} minutes; waiting for you …)`);
    },
    onProofRecord: (record) => out.info(`signing with the key whose record is: ${record}`),
  });
  const readUrl = options.readUrl as string | undefined;
  saveLogin(config.configDir, registry.url, {
    ...login,
    ...(readUrl ? { readUrl: normalizeRegistryUrl(readUrl) } : {}),
  });
  const claims = tokenClaims(login.token);
  const expiresAt = new Date(login.expiresAt * 1000).toISOString();
  const permissions = claims.permissions ?? [];
  out.result({ registry: registry.url, method, subject: login.subject ?? null, permissions, expiresAt });
  out.success(
    `logged in to ${registry.url} with ${method}${login.subject ? ` as ${login.subject}` : ''}; ` +
      `the token is valid until ${expiresAt}`,
  );
  for (const p of permissions) out.info(`  may ${p.action} ${p.resource}`);
  return 0;
}
