import { badRequest } from '../../core/errors.js';
import { isValidServerName } from '../../core/names.js';
import { isAddressableVersion } from '../../core/versions.js';

/**
 * Path parameters arrive URL-decoded (`io.github.alice%2Fweather` → `io.github.alice/weather`).
 * Refuse anything that is not a well-formed name or version before it reaches a query: `..`,
 * control characters, a second `/`.
 */
export function parseServerName(raw: string): string {
  if (!isValidServerName(raw)) {
    throw badRequest('Invalid server name', [
      `'${printable(raw)}' is not a server name: expected reverse-DNS namespace/name, e.g. io.github.alice%2Fweather (URL-encode the /)`,
    ]);
  }
  return raw;
}

export function parseVersion(raw: string): string {
  if (!isAddressableVersion(raw)) {
    throw badRequest('Invalid version', [`'${printable(raw)}' is not a version`]);
  }
  return raw;
}

const printable = (s: string): string =>
  s
    .slice(0, 260)
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

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
