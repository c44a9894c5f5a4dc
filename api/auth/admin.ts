import { forbidden } from '../../core/errors.js';
import type { Permission } from '../../core/permissions.js';

/**
 * Admin endpoints (builds, blocked namespaces, every domain verification) act on the whole registry,
 * so they need `edit` on every name (`*`): what admin OIDC (OIDC_PERMISSIONS' default) and
 * `mcp-registry token --admin` grant.
 */
export function requireAdmin(actor: { permissions: readonly Permission[] }): void {
  if (!actor.permissions.some((p) => p.action === 'edit' && p.resource === '*')) {
    throw forbidden('Admin permission required: this endpoint needs a token with edit rights on every name');
  }
}
