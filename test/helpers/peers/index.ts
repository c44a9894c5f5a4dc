import type { FastifyBaseLogger } from 'fastify';
import { createProviders } from '../../../api/auth/providers/index.js';
import { loadConfig } from '../../../core/config.js';
import type { Database } from '../../../db/connect.js';
import { createDnsResolver } from '../../../net/dns.js';
import { startTestApi, type TestApi } from '../app.js';
import { type DnsPeer, startDnsPeer } from './dns.js';
import { type GitHubPeer, startGitHubPeer } from './github.js';
import { type HttpsPeer, startHttpsPeer } from './https.js';
import { type OidcIssuer, startOidcIssuer } from './oidc-issuer.js';

/**
 * Every sign-in peer at once, and the settings that point the registry at them: GitHub's REST API,
 * the GitHub Actions OIDC issuer, an admin OIDC issuer (audience `registry-admin`, `hd` required),
 * a DNS server, and an HTTPS server for the well-known proof file (the names in HTTPS_NAMES are
 * allowed hosts on its port and resolve to 127.0.0.1 in the DNS peer).
 */
export interface AuthPeers {
  github: GitHubPeer;
  actions: OidcIssuer;
  admin: OidcIssuer;
  dns: DnsPeer;
  https: HttpsPeer;
  env: Record<string, string>;
  close(): Promise<void>;
}

export const HTTPS_NAMES = ['http-proof.test', 'redirect-proof.test', 'e2e-http.test'];
export const ADMIN_AUDIENCE = 'registry-admin';
export const ADMIN_DOMAIN = 'example.org';

export async function startAuthPeers(): Promise<AuthPeers> {
  const [github, actions, admin, dns, https] = await Promise.all([
    startGitHubPeer(),
    startOidcIssuer(),
    startOidcIssuer(),
    startDnsPeer(),
    startHttpsPeer(HTTPS_NAMES),
  ]);
  for (const name of HTTPS_NAMES) dns.a.set(name, ['127.0.0.1']);
  return {
    github,
    actions,
    admin,
    dns,
    https,
    env: {
      GITHUB_API_URL: github.url,
      GITHUB_CLIENT_ID: 'Iv1.registrytest',
      GITHUB_OIDC_ISSUER: actions.issuer,
      OIDC_ISSUER: admin.issuer,
      OIDC_AUDIENCE: ADMIN_AUDIENCE,
      OIDC_EXTRA_CLAIMS: JSON.stringify({ hd: ADMIN_DOMAIN }),
      DNS_SERVERS: dns.server,
      HTTP_AUTH_ALLOW_HOSTS: HTTPS_NAMES.map((n) => `${n}:${https.port}`).join(','),
    },
    close: async () => {
      await Promise.all([github.close(), actions.close(), admin.close(), dns.close(), https.close()]);
    },
  };
}

/** The write API in process, every sign-in method on and pointed at the peers. */
export async function startAuthApi(
  db: Database,
  peers: AuthPeers,
  options: { env?: Record<string, string>; logger?: FastifyBaseLogger } = {},
): Promise<TestApi> {
  const env = { ENABLE_ANONYMOUS_AUTH: 'true', ...peers.env, ...options.env };
  const config = loadConfig(env);
  const resolver = createDnsResolver(config.auth.dnsServers, 2_000);
  const providers = createProviders(config.auth, { resolver, anonymous: true, ca: peers.https.caPem });
  return startTestApi(db, { env, providers, ...(options.logger ? { logger: options.logger } : {}) });
}

/** The claims of a registry token (no verification: the tests read what was issued). */
export function claimsOf(token: string): {
  auth_method: string;
  auth_method_sub: string;
  permissions: { action: string; resource: string }[];
  identity?: string;
} {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
}
