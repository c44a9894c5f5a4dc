import { badRequest } from '../../core/errors.js';
import { isValidServerName } from '../../core/names.js';
import { unaddressableVersion } from '../../core/validation/index.js';
import { quoteSafely } from '../problem.js';

/**
 * Path parameters arrive URL-decoded (`io.github.alice%2Fweather` → `io.github.alice/weather`).
 * Refuse anything that is not a well-formed name or version before it reaches a query: `..`,
 * control characters, a second `/`.
 */
export function parseServerName(raw: string): string {
  if (!isValidServerName(raw)) {
    throw badRequest('Invalid server name', [
      `'${quoteSafely(raw, 80)}' is not a server name: expected reverse-DNS namespace/name, e.g. io.github.alice%2Fweather (URL-encode the /)`,
    ]);
  }
  return raw;
}

export function parseVersion(raw: string): string {
  // The same rule publish applies: whatever publish accepted, this accepts.
  const refused = unaddressableVersion(raw);
  if (refused !== undefined) throw badRequest('Invalid version', [refused.message]);
  return raw;
}

export const nameVersionParams = {
  type: 'object',
  required: ['serverName', 'version'],
  properties: { serverName: { type: 'string' }, version: { type: 'string' } },
} as const;

export const nameParams = {
  type: 'object',
  required: ['serverName'],
  properties: { serverName: { type: 'string' } },
} as const;
