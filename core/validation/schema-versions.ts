/** The dated server.json schemas a document may name in `$schema` (the official registry's embedded set). */

export const CURRENT_SCHEMA_VERSION = '2025-12-11';

export const SCHEMA_VERSIONS: readonly string[] = Object.freeze([
  '2025-07-09',
  '2025-09-16',
  '2025-09-29',
  '2025-10-11',
  '2025-10-17',
  CURRENT_SCHEMA_VERSION,
]);

// Unanchored, like the official check: any host may serve the schema, the path names the version.
const SCHEMA_URL_VERSION = /\/schemas\/([A-Za-z0-9_~.-]+)\/server\.schema\.json/;

/** The version segment of a `$schema` URL, e.g. `2025-12-11`, whether or not it is a known version. */
export function schemaVersionOf(schemaUrl: string): string | undefined {
  return SCHEMA_URL_VERSION.exec(schemaUrl)?.[1];
}

export function schemaUrlFor(version: string): string {
  return `https://static.modelcontextprotocol.io/schemas/${version}/server.schema.json`;
}
