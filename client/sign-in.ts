import { readFileSync } from 'node:fs';
import type { ClientConfig } from '../core/client-config.js';
import type { LoginMethod, SavedLogin } from './credentials.js';
import { ClientError } from './errors.js';
import { actionsIdToken, type DeviceCode, githubDeviceFlow } from './github.js';
import { type KeyAlgorithm, parseSigningKey, proofRecord, signInTimestamp, signTimestamp } from './keys.js';
import type { RegistryClient, RegistryToken, SignInMethod } from './registry.js';

/**
 * Signing in, by method: what proof each needs, how it is obtained, and which official body carries
 * it to `POST /v0/auth/{method}`. `login` runs it with the user present; `publish` runs it again,
 * unattended, when the saved 5-minute token has expired and the method allows that.
 */

export interface SignInInput {
  method: LoginMethod;
  /** `github`: a GitHub token (`--token`, `MCP_GITHUB_TOKEN`); without one the device flow runs. */
  githubToken?: string | undefined;
  /** `oidc`: the identity token (admins). */
  oidcToken?: string | undefined;
  /** `dns` / `http`. */
  domain?: string | undefined;
  keyFile?: string | undefined;
  algorithm?: KeyAlgorithm | undefined;
  /** Shows the device code; absent = no one is there to type it (unattended). */
  onDeviceCode?: ((code: DeviceCode) => void) | undefined;
  /** Called with the proof record of a DNS/HTTP key, so the user sees what the registry looks for. */
  onProofRecord?: ((record: string) => void) | undefined;
  now?: () => Date;
}

const ENDPOINT: Record<LoginMethod, SignInMethod> = {
  github: 'github-at',
  'github-oidc': 'github-oidc',
  dns: 'dns',
  http: 'http',
  oidc: 'oidc',
  none: 'none',
};

export async function signIn(
  registry: RegistryClient,
  config: ClientConfig,
  input: SignInInput,
): Promise<{ token: RegistryToken; login: SavedLogin }> {
  const endpoint = ENDPOINT[input.method];
  let token: RegistryToken;
  const extra: Partial<SavedLogin> = {};
  switch (input.method) {
    case 'none':
      token = await registry.signIn(endpoint);
      break;
    case 'github': {
      const githubToken =
        input.githubToken ?? config.githubToken ?? (await deviceFlow(registry, config, input));
      token = await registry.signIn(endpoint, { github_token: githubToken });
      break;
    }
    case 'github-oidc': {
      if (!config.actionsIdToken) {
        throw new ClientError(
          'login github-oidc runs inside GitHub Actions with `permissions: id-token: write` ' +
            '(ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set)',
          'usage',
        );
      }
      token = await registry.signIn(endpoint, { oidc_token: await actionsIdToken(config.actionsIdToken) });
      break;
    }
    case 'oidc': {
      if (!input.oidcToken) throw new ClientError('login oidc needs --token <OIDC ID token>', 'usage');
      token = await registry.signIn(endpoint, { oidc_token: input.oidcToken });
      break;
    }
    case 'dns':
    case 'http': {
      const { domain, keyFile } = input;
      if (!domain) throw new ClientError(`login ${input.method} needs the domain`, 'usage');
      if (!keyFile) throw new ClientError(`login ${input.method} needs --key <private key file>`, 'usage');
      const key = readSigningKey(keyFile);
      if (input.algorithm && input.algorithm !== key.algorithm) {
        throw new ClientError(`${keyFile} is an ${key.algorithm} key, not ${input.algorithm}`, 'usage');
      }
      input.onProofRecord?.(proofRecord(key));
      const timestamp = signInTimestamp(input.now?.() ?? new Date());
      token = await registry.signIn(endpoint, {
        domain,
        timestamp,
        signed_timestamp: signTimestamp(key, timestamp),
      });
      extra.domain = domain;
      extra.keyFile = keyFile;
      break;
    }
  }
  const subject = tokenClaims(token.registry_token).auth_method_sub;
  return {
    token,
    login: {
      method: input.method,
      token: token.registry_token,
      expiresAt: token.expires_at,
      ...(subject ? { subject } : {}),
      ...extra,
    },
  };
}

function readSigningKey(file: string) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ClientError(
      `cannot read the key file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      'usage',
    );
  }
  return parseSigningKey(text, file);
}

async function deviceFlow(
  registry: RegistryClient,
  config: ClientConfig,
  input: SignInInput,
): Promise<string> {
  if (!input.onDeviceCode) {
    throw new ClientError(
      'the GitHub login needs a person to authorize it: run `mcp-registry login github`, or set MCP_GITHUB_TOKEN',
      'unauthorized',
    );
  }
  const clientId = (await registry.health()).github_client_id;
  if (typeof clientId !== 'string' || clientId === '') {
    throw new ClientError(
      `${registry.url} offers no GitHub sign-in (its /v0/health has no github_client_id); use --token`,
    );
  }
  return githubDeviceFlow({
    clientId,
    deviceCodeUrl: config.github.deviceCodeUrl,
    accessTokenUrl: config.github.accessTokenUrl,
    onCode: input.onDeviceCode,
  });
}

/** Whether `publish` can sign in again with nobody at the keyboard. */
export function canRenewUnattended(login: SavedLogin, config: ClientConfig): boolean {
  switch (login.method) {
    case 'none':
      return true;
    case 'github':
      return config.githubToken !== undefined;
    case 'github-oidc':
      return config.actionsIdToken !== undefined;
    case 'dns':
    case 'http':
      return login.domain !== undefined && login.keyFile !== undefined;
    case 'oidc':
      return false;
  }
}

/** The claims of a registry token (not verified: only for showing who signed in and until when). */
export function tokenClaims(token: string): {
  auth_method?: string;
  auth_method_sub?: string;
  permissions?: { action: string; resource: string }[];
  exp?: number;
} {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    return {};
  }
}
