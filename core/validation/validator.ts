import { isRecord } from './guards.js';
import { runSemanticRules } from './rules/index.js';
import { checkSchemaField } from './rules/schema-field.js';
import { collectSchemaIssues } from './schema-errors.js';
import { loadSchemas } from './schema-loader.js';
import type { RuleIssue, ValidationIssue, ValidationResult } from './types.js';

export interface ServerJsonValidator {
  /** Full JSON-Schema validation against the schema named by `$schema`, plus every semantic rule. */
  validate(doc: unknown): ValidationResult;
}

/**
 * Compiles every dated schema once (reading the vendored files); reuse the instance. `validate` never
 * throws, whatever it is given.
 */
export function createServerJsonValidator(): ServerJsonValidator {
  const schemas = loadSchemas();
  return {
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
      const schemaField = checkSchemaField(doc);
      const validate = schemas.byVersion.get(schemaField.version);
      const schemaIssues = validate ? collectSchemaIssues(validate, doc, schemas) : [];
      const flagged = new Set(schemaIssues.map((i) => i.path));
      const ruleIssues = runSemanticRules(doc).filter((i) => !(i.mirrorsSchema && flagged.has(i.path)));
      const issues = dedupe([...schemaField.issues, ...schemaIssues, ...ruleIssues].map(stripInternal));
      return { valid: !issues.some((i) => i.severity === 'error'), issues };
    },
  };
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
