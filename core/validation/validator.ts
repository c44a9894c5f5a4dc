import { MAX_ISSUES, MAX_VERSION_BYTES } from '../limits.js';
import type { ServerJson } from '../server-json.js';
import { isRecord } from './guards.js';
import { capIssues, checkLimits } from './limits.js';
import { dropUnknownTopLevelFields, normalizeServerJson, storedSize } from './normalize.js';
import { runSemanticRules } from './rules/index.js';
import { checkSchemaField } from './rules/schema-field.js';
import { collectSchemaIssues } from './schema-errors.js';
import { loadSchemas } from './schema-loader.js';
import { type RuleIssue, semanticError, type ValidationIssue, type ValidationResult } from './types.js';

export interface ServerJsonValidator {
  /** Full JSON-Schema validation against the schema named by `$schema`, plus every semantic rule. */
  validate(doc: unknown): ValidationResult;
  /**
   * The document as stored: top-level fields its `$schema` does not define dropped, then
   * normalizeServerJson. Call only on a document `validate` accepted.
   */
  normalize(doc: ServerJson): ServerJson;
}

/**
 * Compiles every dated schema once (reading the vendored files); reuse the instance. `validate` never
 * throws, whatever it is given.
 */
export function createServerJsonValidator(): ServerJsonValidator {
  const schemas = loadSchemas();
  const normalize = (doc: ServerJson): ServerJson => {
    const known = schemas.topLevelFields.get(checkSchemaField(doc).version);
    return normalizeServerJson(known ? dropUnknownTopLevelFields(doc, known) : doc);
  };
  return {
    normalize,
    validate(doc: unknown): ValidationResult {
      if (!isRecord(doc)) {
        const issue: ValidationIssue = {
          type: 'json',
          path: '',
          message: `server.json must be a JSON object, got ${describeJsonType(doc)}`,
          severity: 'error',
          reference: 'json-object',
        };
        return { valid: false, issues: [issue] };
      }
      // Bounded input first: past this point every pass is linear in a document of bounded size.
      const limitIssues = checkLimits(doc);
      if (limitIssues.length > 0) return finish(limitIssues);
      const schemaField = checkSchemaField(doc);
      const validate = schemas.byVersion.get(schemaField.version);
      const schemaIssues = validate ? collectSchemaIssues(validate, doc, schemas) : [];
      const flagged = new Set(schemaIssues.map((i) => i.path));
      const ruleIssues = runSemanticRules(doc).filter((i) => !(i.mirrorsSchema && flagged.has(i.path)));
      const sizeIssues = schemaIssues.length === 0 ? checkStoredSize(normalize(doc as ServerJson)) : [];
      return finish([...schemaField.issues, ...schemaIssues, ...ruleIssues, ...sizeIssues]);
    },
  };
}

function finish(all: readonly RuleIssue[]): ValidationResult {
  const issues = capIssues(
    dedupe(all.map(stripInternal)),
    (omitted): ValidationIssue => ({
      type: 'semantic',
      path: '',
      message: `${omitted} more issues not listed (at most ${MAX_ISSUES} are reported)`,
      severity: 'error',
      reference: 'limit-issues',
    }),
  );
  return { valid: !issues.some((i) => i.severity === 'error'), issues };
}

function checkStoredSize(stored: ServerJson): RuleIssue[] {
  const bytes = storedSize(stored);
  if (bytes <= MAX_VERSION_BYTES) return [];
  return [
    semanticError(
      '',
      'limit-size',
      `the stored document would be ${bytes} bytes; at most ${MAX_VERSION_BYTES} are accepted`,
    ),
  ];
}

function stripInternal({ type, path, message, severity, reference }: RuleIssue): ValidationIssue {
  return { type, path, message, severity, reference };
}

function dedupe(issues: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.reference}\u0000${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? `a ${typeof value}`
    : typeof value;
}
