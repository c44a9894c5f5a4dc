import type { Permission } from './permissions.js';

/**
 * What a sign-in proves, mapped to the namespaces it may publish into (the official rules): a
 * domain `example.com` gives `com.example/*`, and with subdomains (DNS proof, verified domains)
 * also `com.example.*`; a GitHub login or organisation `octo` gives `io.github.octo/*`. Pure.
 */

const DOMAIN_PATTERN = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/;
const GITHUB_NAME_PATTERN = /^[a-zA-Z0-9-]+$/;
/** A namespace an operator may block: reverse-DNS labels, e.g. `com.example` or `io.github.octo`. */
const NAMESPACE_PATTERN =
  /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/;

export function isValidDomain(domain: string): boolean {
  return domain.length > 0 && domain.length <= 253 && DOMAIN_PATTERN.test(domain);
}

/** `example.com` → `com.example` (labels reversed, case kept as given). */
export function reverseDomain(domain: string): string {
  return domain.split('.').reverse().join('.');
}

export function domainPermissions(domain: string, options: { subdomains: boolean }): Permission[] {
  const reversed = reverseDomain(domain);
  const permissions: Permission[] = [{ action: 'publish', resource: `${reversed}/*` }];
  if (options.subdomains) permissions.push({ action: 'publish', resource: `${reversed}.*` });
  return permissions;
}

export function isValidGitHubName(name: string): boolean {
  return GITHUB_NAME_PATTERN.test(name);
}

/** `io.github.<owner>/*` for each user or organisation; undefined if any name is malformed. */
export function githubPermissions(owners: readonly string[]): Permission[] | undefined {
  if (!owners.every(isValidGitHubName)) return undefined;
  return [...new Set(owners)].map((owner) => ({ action: 'publish', resource: `io.github.${owner}/*` }));
}

export function isValidNamespace(namespace: string): boolean {
  return namespace.length <= 200 && NAMESPACE_PATTERN.test(namespace);
}
