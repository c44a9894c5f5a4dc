/**
 * Type guards for reading a document that has not been validated yet. Semantic rules run even when the
 * schema failed, so they read every field through these and skip what has the wrong type (the schema
 * issues already report it) instead of throwing.
 */

export type JsonObject = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The field when it is a string, else undefined. */
export function stringField(obj: JsonObject, key: string): string | undefined {
  const value = obj[key];
  return typeof value === 'string' ? value : undefined;
}

/** The field when it is a non-empty string (the official Go structs treat "" as absent). */
export function presentString(obj: JsonObject, key: string): string | undefined {
  const value = stringField(obj, key);
  return value === undefined || value === '' ? undefined : value;
}

export function recordField(obj: JsonObject, key: string): JsonObject | undefined {
  const value = obj[key];
  return isRecord(value) ? value : undefined;
}

/** The field when it is an array, else an empty one. */
export function arrayField(obj: JsonObject, key: string): readonly unknown[] {
  const value = obj[key];
  return Array.isArray(value) ? value : [];
}

/** Length in Unicode code points, the unit JSON Schema's minLength/maxLength count. */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
