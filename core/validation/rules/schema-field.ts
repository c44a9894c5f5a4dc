import type { JsonObject } from '../guards.js';
import { CURRENT_SCHEMA_VERSION, SCHEMA_VERSIONS, schemaVersionOf } from '../schema-versions.js';
import { type RuleIssue, semanticError, semanticWarning } from '../types.js';

/**
 * Rule for `$schema`: required by the API (optional in the schema itself), must name one of the embedded
 * versions; an older one is accepted with a warning. Also returns the version whose schema the body is
 * checked against: the named one when known, else the current one so the user still sees schema issues.
 */
export function checkSchemaField(doc: JsonObject): { version: string; issues: RuleIssue[] } {
  const value = doc.$schema;
  if (typeof value !== 'string' || value.trim() === '') {
    return {
      version: CURRENT_SCHEMA_VERSION,
      issues: [semanticError('$schema', 'schema-required', '$schema field is required')],
    };
  }
  const version = schemaVersionOf(value);
  if (version === undefined || !SCHEMA_VERSIONS.includes(version)) {
    const named =
      version === undefined
        ? `$schema ${JSON.stringify(value)} does not name a server.json schema version`
        : `unsupported schema version ${version}`;
    return {
      version: CURRENT_SCHEMA_VERSION,
      issues: [
        semanticError(
          '$schema',
          'schema-version-unknown',
          `${named}; expected https://static.modelcontextprotocol.io/schemas/<version>/server.schema.json ` +
            `with one of the versions ${SCHEMA_VERSIONS.join(', ')}`,
        ),
      ],
    };
  }
  if (version !== CURRENT_SCHEMA_VERSION) {
    return {
      version,
      issues: [
        semanticWarning(
          '$schema',
          'schema-version-outdated',
          `schema version ${version} is not the current version (${CURRENT_SCHEMA_VERSION})`,
        ),
      ],
    };
  }
  return { version, issues: [] };
}
