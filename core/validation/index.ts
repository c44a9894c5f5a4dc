/**
 * server.json validation, compatible with the official MCP Registry's POST /validate: JSON-Schema issues
 * (against the dated schema named by `$schema`) plus the registry's semantic rules, each issue with a
 * stable `reference` id. Also the normalisation applied before a document is stored.
 */
export type {
  Argument,
  Icon,
  Input,
  KeyValueInput,
  LocalTransport,
  Package,
  RemoteTransport,
  Repository,
  ServerJson,
} from '../server-json.js';
export { PUBLISHER_PROVIDED_MAX_BYTES, PUBLISHER_PROVIDED_META_KEY } from '../server-json.js';
export { jsonShapeProblem, type ShapeProblem } from './limits.js';
export {
  normalizeServerJson,
  publisherProvidedSize,
  storedSize,
  withoutToolingArtifacts,
} from './normalize.js';
export { unaddressableVersion } from './rules/version.js';
export { CURRENT_SCHEMA_VERSION, SCHEMA_VERSIONS, schemaUrlFor, schemaVersionOf } from './schema-versions.js';
export type { IssueType, Severity, ValidationIssue, ValidationResult } from './types.js';
export { createServerJsonValidator, type ServerJsonValidator } from './validator.js';
