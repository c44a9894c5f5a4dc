import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './errors.js';

/**
 * The publisher CLI's settings (the `mcp-registry` commands that talk to a registry over HTTP),
 * parsed once from the environment like the server's `loadConfig`, and documented in .env.example.
 * It is a separate, hand-checked parser on purpose: publisher commands must start in little more
 * than Node's own time, and loading zod (and node-cron, through the server's schema) costs about
 * 200 ms, more than Node itself. Nothing here is the server's configuration.
 */
export interface ClientConfig {
  /** `MCP_REGISTRY_URL`: the registry when no `--registry` is given and no login chose one. */
  registryUrl: string | undefined;
  /** `MCP_REGISTRY_READ_URL`: where the registry's read side (the static site) answers. */
  readUrl: string | undefined;
  /** Where logins are saved: `$XDG_CONFIG_HOME/mcp-registry`, else `~/.config/mcp-registry`. */
  configDir: string;
  /** `MCP_GITHUB_TOKEN`: a GitHub token for `login github` (and unattended re-login before publish). */
  githubToken: string | undefined;
  /** GitHub's device-flow endpoints (overridable to point tests at a loopback peer). */
  github: { deviceCodeUrl: string; accessTokenUrl: string };
  /** GitHub Actions' ID-token endpoint (`permissions: id-token: write`); undefined outside Actions. */
  actionsIdToken: { url: string; token: string } | undefined;
  /** Colours on a terminal unless `NO_COLOR` is set; `FORCE_COLOR` turns them on anywhere. */
  color: 'auto' | 'never' | 'always';
}

/** What `npm start` listens on: the default registry when nothing else names one. */
export const LOCAL_REGISTRY_URL = 'http://127.0.0.1:8080';
/** The local CDN `npm start` serves the static tree on. */
export const LOCAL_READ_URL = 'http://127.0.0.1:8081';

export const GITHUB_DEVICE_CODE_URL = 'https://github.com/login/device/code';
export const GITHUB_ACCESS_TOKEN_URL = 'https://github.com/login/oauth/access_token';

/** Parses the publisher settings; throws ConfigError listing every problem at once. Empty = unset. */
export function loadClientConfig(env: Record<string, string | undefined>): ClientConfig {
  const get = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const problems: string[] = [];
  const url = (name: string, fallback?: string): string | undefined => {
    const value = get(name) ?? fallback;
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return value;
    } catch {
      // reported below
    }
    problems.push(`${name}: must be an http:// or https:// URL`);
    return undefined;
  };

  const registryUrl = url('MCP_REGISTRY_URL');
  const readUrl = url('MCP_REGISTRY_READ_URL');
  const deviceCodeUrl = url('MCP_REGISTRY_GITHUB_DEVICE_CODE_URL', GITHUB_DEVICE_CODE_URL);
  const accessTokenUrl = url('MCP_REGISTRY_GITHUB_ACCESS_TOKEN_URL', GITHUB_ACCESS_TOKEN_URL);
  const actionsUrl = url('ACTIONS_ID_TOKEN_REQUEST_URL');
  const actionsToken = get('ACTIONS_ID_TOKEN_REQUEST_TOKEN');
  if (problems.length > 0) throw new ConfigError(problems);

  const home = get('HOME') ?? homedir();
  const base = get('XDG_CONFIG_HOME') ?? join(home, '.config');
  const force = get('FORCE_COLOR');
  return {
    registryUrl,
    readUrl,
    configDir: join(base, 'mcp-registry'),
    githubToken: get('MCP_GITHUB_TOKEN'),
    github: { deviceCodeUrl: deviceCodeUrl as string, accessTokenUrl: accessTokenUrl as string },
    actionsIdToken: actionsUrl && actionsToken ? { url: actionsUrl, token: actionsToken } : undefined,
    color: force !== undefined && force !== '0' ? 'always' : get('NO_COLOR') !== undefined ? 'never' : 'auto',
  };
}
