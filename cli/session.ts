import { findLogin, resolveRegistryUrl, type SavedLogin, saveLogin } from '../client/credentials.js';
import { ClientError } from '../client/errors.js';
import { createRegistryClient, normalizeRegistryUrl, type RegistryClient } from '../client/registry.js';
import { canRenewUnattended, signIn } from '../client/sign-in.js';
import { getRaw } from '../client/site.js';
import {
  type ClientConfig,
  LOCAL_READ_URL,
  LOCAL_REGISTRY_URL,
  loadClientConfig,
} from '../core/client-config.js';
import type { CommandContext } from './io.js';
import type { Output } from './output.js';

/**
 * What the publisher commands share: the client settings, the registry they talk to, the saved
 * login (renewed unattended when it expired and its method allows), and where the read side is.
 */
export interface Session {
  config: ClientConfig;
  registry: RegistryClient;
}

export function openSession(context: CommandContext): Session {
  const config = loadClientConfig(context.io.env);
  const url = resolveRegistryUrl(context.options.registry as string | undefined, config);
  return { config, registry: createRegistryClient(url) };
}

/** A token leaves this much before its expiry counts as expired (clock skew, a slow publish). */
const EXPIRY_MARGIN_MS = 30_000;

export function isExpired(login: SavedLogin, now = Date.now()): boolean {
  return login.expiresAt * 1000 - EXPIRY_MARGIN_MS <= now;
}

/** A registry token that is valid now: the saved one, or a new one when the method can sign in again alone. */
export async function currentToken(session: Session, out: Output): Promise<string> {
  const { config, registry } = session;
  const login = findLogin(config.configDir, registry.url);
  if (!login) {
    throw new ClientError(
      `not logged in to ${registry.url}: run mcp-registry login <method> --registry ${registry.url}`,
      'unauthorized',
    );
  }
  if (!isExpired(login)) return login.token;
  if (!canRenewUnattended(login, config)) {
    throw new ClientError(
      `the ${login.method} login to ${registry.url} has expired (registry tokens last 5 minutes): ` +
        `run mcp-registry login ${login.method} again`,
      'unauthorized',
    );
  }
  out.info(`the saved token expired; signing in again with ${login.method}`);
  const renewed = await signIn(registry, config, {
    method: login.method,
    domain: login.domain,
    keyFile: login.keyFile,
  });
  saveLogin(config.configDir, registry.url, {
    ...renewed.login,
    ...(login.readUrl ? { readUrl: login.readUrl } : {}),
  });
  return renewed.token.registry_token;
}

/**
 * Where the registry's read side (its static site) answers, in one place so it is easy to change
 * once the registry serves both on one URL: `--read-url`, `MCP_REGISTRY_READ_URL`, the URL saved
 * with the login, the registry URL itself when it serves the site's `/index.json`, and for the
 * local default registry the local CDN `npm start` runs. Undefined when none of these is known.
 */
export async function resolveReadUrl(session: Session, flag: unknown): Promise<string | undefined> {
  if (typeof flag === 'string' && flag) return normalizeRegistryUrl(flag);
  const { config, registry } = session;
  if (config.readUrl) return normalizeRegistryUrl(config.readUrl);
  const saved = findLogin(config.configDir, registry.url)?.readUrl;
  if (saved) return saved;
  try {
    const root = JSON.parse((await getRaw(new URL(`${registry.url}/index.json`))).toString('utf8')) as {
      registry?: string;
    };
    if (root.registry === 'mcp-static-registry') return registry.url;
  } catch {
    // not served here: try the next source
  }
  return registry.url === LOCAL_REGISTRY_URL ? LOCAL_READ_URL : undefined;
}
