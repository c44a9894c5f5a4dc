import assert from 'node:assert/strict';
import { CURRENT_SCHEMA_VERSION, schemaUrlFor, type ValidationIssue } from '../../core/validation/index.js';
import { sharedValidator } from './app.js';

export type Doc = Record<string, unknown>;

/** A minimal valid document under the current schema; override any field. */
export const doc = (extra: Doc = {}): Doc => ({
  $schema: schemaUrlFor(CURRENT_SCHEMA_VERSION),
  name: 'io.github.example/weather',
  description: 'Weather forecasts',
  version: '1.0.0',
  ...extra,
});

/** Asserts an error-level issue with this rule id at this path, and returns it. */
export function assertError(d: Doc, reference: string, path: string): ValidationIssue {
  const result = sharedValidator().validate(d);
  const issue = result.issues.find((i) => i.reference === reference && i.path === path);
  assert.ok(issue, `expected ${reference} at "${path}", got ${JSON.stringify(result.issues, null, 1)}`);
  assert.equal(issue.severity, 'error');
  assert.equal(result.valid, false);
  return issue;
}
