import type { AuthConfig, PublisherMethod } from '../../../core/config-auth.js';
import type { DnsResolver } from '../../../net/dns.js';
import type { AuthProvider } from '../provider.js';
import { createDnsProvider } from './dns.js';
import { createGitHubAtProvider } from './github-at.js';
import { createGitHubOidcProvider } from './github-oidc.js';
import { createHttpProvider } from './http.js';
import { createNoneProvider } from './none.js';
import { createOidcProvider } from './oidc.js';

/** What providers need besides their settings. `ca`: extra trusted CA (PEM) for tests. */
export interface ProviderDeps {
  resolver: DnsResolver;
  anonymous: boolean;
  ca?: string | undefined;
}

type Factory = (auth: AuthConfig, deps: ProviderDeps) => AuthProvider | undefined;

/** One entry per sign-in method: the provider when its settings turn it on, else undefined. */
const FACTORIES: readonly Factory[] = [
  (_auth, deps) => (deps.anonymous ? createNoneProvider() : undefined),
  ...(
    [
      ['github-at', (auth) => createGitHubAtProvider(auth)],
      ['github-oidc', (auth) => createGitHubOidcProvider(auth)],
      ['dns', (_auth, deps) => createDnsProvider(deps)],
      ['http', (auth, deps) => createHttpProvider(auth, deps)],
    ] as [PublisherMethod, (auth: AuthConfig, deps: ProviderDeps) => AuthProvider][]
  ).map(
    ([method, create]): Factory =>
      (auth, deps) =>
        auth.methods.has(method) ? create(auth, deps) : undefined,
  ),
  (auth) => (auth.oidc ? createOidcProvider(auth.oidc) : undefined),
];

export function createProviders(auth: AuthConfig, deps: ProviderDeps): AuthProvider[] {
  return FACTORIES.map((create) => create(auth, deps)).filter((p): p is AuthProvider => p !== undefined);
}
