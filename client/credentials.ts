import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ClientConfig, LOCAL_REGISTRY_URL } from '../core/client-config.js';
import { ClientError } from './errors.js';
import { normalizeRegistryUrl } from './registry.js';

/**
 * The credential store: one file, `<config dir>/credentials.json`, mode 0600 in a 0700 directory,
 * holding the last login per registry URL (its 5-minute registry token, and what is needed to sign
 * in again unattended: the method, and for DNS/HTTP the domain and key file path — never a GitHub
 * token or a key itself). Writes are atomic (a temporary file renamed over the old one), so a
 * crash never leaves half a file.
 */

export type LoginMethod = 'github' | 'github-oidc' | 'dns' | 'http' | 'oidc' | 'none';

export interface SavedLogin {
  method: LoginMethod;
  token: string;
  /** Unix seconds, as the registry answered. */
  expiresAt: number;
  /** Who the token speaks for (`auth_method_sub`), for display. */
  subject?: string;
  /** DNS/HTTP: what an unattended re-login needs. */
  domain?: string;
  keyFile?: string;
  /** The read side's URL, when it was given at login. */
  readUrl?: string;
}

interface CredentialsFile {
  version: 1;
  /** The registry of the last login: the default for later commands. */
  default?: string;
  registries: Record<string, SavedLogin>;
}

export const credentialsPath = (configDir: string) => join(configDir, 'credentials.json');

export function readCredentials(configDir: string): CredentialsFile {
  const path = credentialsPath(configDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, registries: {} };
    throw new ClientError(`cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as CredentialsFile;
    if (parsed?.version === 1 && parsed.registries && typeof parsed.registries === 'object') return parsed;
  } catch {
    // reported below
  }
  throw new ClientError(`${path} is damaged; remove it and log in again`);
}

function writeCredentials(configDir: string, file: CredentialsFile): void {
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  const path = credentialsPath(configDir);
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: 'w' });
    chmodSync(temporary, 0o600); // in case it existed with other permissions
    renameSync(temporary, path);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw new ClientError(`cannot save the login in ${path}: ${(err as Error).message}`);
  }
}

export function saveLogin(configDir: string, registryUrl: string, login: SavedLogin): void {
  const file = readCredentials(configDir);
  const key = normalizeRegistryUrl(registryUrl);
  file.registries[key] = login;
  file.default = key;
  writeCredentials(configDir, file);
}

export function findLogin(configDir: string, registryUrl: string): SavedLogin | undefined {
  return readCredentials(configDir).registries[normalizeRegistryUrl(registryUrl)];
}

/** Forgets one registry's login (or every one); answers which registries were forgotten. */
export function removeLogin(configDir: string, registryUrl: string | 'all'): string[] {
  const file = readCredentials(configDir);
  const removed = registryUrl === 'all' ? Object.keys(file.registries) : [normalizeRegistryUrl(registryUrl)];
  const forgotten = removed.filter((key) => key in file.registries);
  if (forgotten.length === 0) return [];
  for (const key of forgotten) delete file.registries[key];
  if (file.default && !(file.default in file.registries)) delete file.default;
  writeCredentials(configDir, file);
  return forgotten;
}

/** The registry a command talks to: `--registry`, else the last login's, else `MCP_REGISTRY_URL`, else the local one. */
export function resolveRegistryUrl(flag: string | undefined, config: ClientConfig): string {
  if (flag) return normalizeRegistryUrl(flag);
  const saved = readCredentials(config.configDir).default;
  return normalizeRegistryUrl(saved ?? config.registryUrl ?? LOCAL_REGISTRY_URL);
}
