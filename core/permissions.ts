import { isSubNamespace } from './names.js';

/**
 * Registry token permissions, matched the official way: a pattern `*` grants everything, a pattern
 * ending in `*` is a string prefix, anything else must equal the resource. Case-sensitive.
 */
export type PermissionAction = 'publish' | 'edit';

export interface Permission {
  action: PermissionAction;
  resource: string;
}

export const ANONYMOUS_NAMESPACE = 'io.modelcontextprotocol.anonymous';

export function matchesPattern(pattern: string, resource: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return resource.startsWith(pattern.slice(0, -1));
  return pattern === resource;
}

export function hasPermission(
  permissions: readonly Permission[],
  action: PermissionAction,
  resource: string,
): boolean {
  return permissions.some((p) => p.action === action && matchesPattern(p.resource, resource));
}

export function patternsFor(permissions: readonly Permission[], action: PermissionAction): string[] {
  return permissions.filter((p) => p.action === action).map((p) => p.resource);
}

/**
 * True when a granted pattern reaches into a blocked namespace: `com.evil/*`, `com.evil.*` and
 * `com.evil.api/*` are all blocked by `com.evil`.
 */
export function isBlockedPattern(pattern: string, blocked: readonly string[]): boolean {
  // split with a limit: a refused 1 MiB name of `/` would otherwise become a million-item array.
  const root = pattern.replace(/(\/\*|\.\*|\*)$/, '').split('/', 1)[0] ?? '';
  return blocked.some((b) => isSubNamespace(b, root));
}
