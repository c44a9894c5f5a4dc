import type { ErrorObject, ValidateFunction } from 'ajv';
import { pointerToPath } from './paths.js';
import type { CompiledSchemas } from './schema-loader.js';
import type { ValidationIssue } from './types.js';

/**
 * Turns ajv errors into readable `schema` issues.
 *
 * The hard part is `anyOf` (transports, arguments, remotes): with allErrors, ajv reports every failing
 * alternative, e.g. a streamable-http transport without `url` also yields "type must be stdio" and "type
 * must be sse". For each failed anyOf we re-check the data against each alternative on its own, keep only
 * the alternative the document evidently meant (the one whose `type` matched, else the one with the
 * fewest errors), and drop the noise ajv emitted for the others.
 */

interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  /** The keyword's schema value (ajv `verbose`), e.g. the anyOf array or the `not` subschema. */
  schema?: unknown;
  /** The data at instancePath (ajv `verbose`). */
  data?: unknown;
  message?: string;
}

/** Validates `doc` with `validate` and returns its schema issues (none when valid). */
export function collectSchemaIssues(
  validate: ValidateFunction,
  doc: unknown,
  schemas: CompiledSchemas,
): ValidationIssue[] {
  if (validate(doc)) return [];
  const raw = (validate.errors ?? []).map(fromAjv);
  return simplify(raw, '', schemas).map((e) => toIssue(e, doc));
}

function fromAjv(e: ErrorObject): SchemaError {
  return {
    instancePath: e.instancePath,
    keyword: e.keyword,
    params: e.params,
    schema: e.schema,
    data: e.data,
    ...(e.message !== undefined ? { message: e.message } : {}),
  };
}

/** A run of simplified errors standing for `raw` consecutive errors of ajv's original list. */
interface Group {
  raw: number;
  errors: SchemaError[];
}

function simplify(errors: readonly SchemaError[], prefix: string, schemas: CompiledSchemas): SchemaError[] {
  const groups: Group[] = [];
  for (const original of errors) {
    const e = prefix === '' ? original : { ...original, instancePath: prefix + original.instancePath };
    const explained = e.keyword === 'anyOf' ? explainAnyOf(e, schemas) : undefined;
    if (explained === undefined) {
      groups.push({ raw: 1, errors: [e] });
      continue;
    }
    // ajv emits all branch errors of an anyOf right before the anyOf error itself: exactly
    // `explained.raw` of them. Replace them; if the bookkeeping does not add up, keep everything.
    const start = groupsCoveringLast(groups, explained.raw);
    if (start === undefined) {
      groups.push({ raw: 1, errors: [e] });
      continue;
    }
    groups.splice(start);
    groups.push({ raw: explained.raw + 1, errors: explained.errors });
  }
  return groups.flatMap((g) => g.errors);
}

/** Index from which the trailing groups account for exactly `count` raw errors. */
function groupsCoveringLast(groups: readonly Group[], count: number): number | undefined {
  let sum = 0;
  for (let i = groups.length; i > 0; i--) {
    if (sum === count) return i;
    sum += groups[i - 1]?.raw ?? 0;
    if (sum > count) return undefined;
  }
  return sum === count ? 0 : undefined;
}

function explainAnyOf(
  e: SchemaError,
  schemas: CompiledSchemas,
): { raw: number; errors: SchemaError[] } | undefined {
  const ref = schemas.locate(e.schema);
  if (ref === undefined || !Array.isArray(e.schema)) return undefined;
  let raw = 0;
  const branches: SchemaError[][] = [];
  for (let i = 0; i < e.schema.length; i++) {
    let check: ValidateFunction | undefined;
    try {
      check = schemas.ajv.getSchema(`${ref}/${i}`);
    } catch {
      return undefined;
    }
    if (check === undefined || check(e.data)) return undefined;
    const branchErrors = (check.errors ?? []).map(fromAjv);
    raw += branchErrors.length;
    branches.push(simplify(branchErrors, e.instancePath, schemas));
  }
  return { raw, errors: chooseBranch(branches, e) };
}

function chooseBranch(branches: readonly SchemaError[][], anyOf: SchemaError): SchemaError[] {
  const typePath = `${anyOf.instancePath}/type`;
  const rejectsType = (x: SchemaError) =>
    (x.keyword === 'enum' || x.keyword === 'const') && x.instancePath === typePath;
  const candidates = branches.filter((b) => !b.some(rejectsType));

  if (candidates.length === 0) {
    // No alternative accepts this `type`: say which values would be accepted.
    const allowed = [...new Set(branches.flatMap((b) => b.filter(rejectsType).flatMap(allowedValues)))];
    return [{ instancePath: typePath, keyword: 'enum', params: { allowedValues: allowed } }];
  }
  const onlyMissing = (b: readonly SchemaError[]) =>
    b.length === 1 && b[0]?.keyword === 'required' && b[0].instancePath === anyOf.instancePath;
  if (candidates.length > 1 && candidates.every(onlyMissing)) {
    // e.g. a positional argument needs `valueHint` or `value`.
    const names = candidates.map((b) => String(b[0]?.params.missingProperty));
    return [{ instancePath: anyOf.instancePath, keyword: 'required', params: { anyOfMissing: names } }];
  }
  let best = candidates[0] ?? [];
  for (const b of candidates) if (b.length < best.length) best = b;
  return best.length > 0 ? best : [anyOf];
}

function allowedValues(e: SchemaError): unknown[] {
  if (e.keyword === 'const') return [e.params.allowedValue];
  return Array.isArray(e.params.allowedValues) ? e.params.allowedValues : [];
}

function toIssue(e: SchemaError, doc: unknown): ValidationIssue {
  const { child, message } = describe(e);
  const pointer = child === undefined ? e.instancePath : `${e.instancePath}/${escapePointer(child)}`;
  return {
    type: 'schema',
    path: pointerToPath(pointer, doc),
    message,
    severity: 'error',
    reference: `schema:${e.keyword}`,
  };
}

const ARTICLES: Record<string, string> = {
  string: 'a string',
  object: 'an object',
  array: 'an array',
  boolean: 'a boolean',
  number: 'a number',
  integer: 'an integer',
  null: 'null',
};

/** The message, and for errors about one property (required, unknown) that property's name. */
function describe(e: SchemaError): { child?: string; message: string } {
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      if (Array.isArray(p.anyOfMissing)) {
        return { message: `one of ${p.anyOfMissing.map((n) => JSON.stringify(n)).join(', ')} is required` };
      }
      return {
        child: String(p.missingProperty),
        message: `${JSON.stringify(String(p.missingProperty))} is required`,
      };
    case 'additionalProperties':
      return {
        child: String(p.additionalProperty),
        message: `unknown field ${JSON.stringify(String(p.additionalProperty))} is not allowed`,
      };
    case 'type':
      return {
        message: `must be ${String(p.type)
          .split(',')
          .map((t) => ARTICLES[t] ?? t)
          .join(' or ')}`,
      };
    case 'maxLength':
      return { message: `must be at most ${String(p.limit)} characters` };
    case 'minLength':
      return {
        message: p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters`,
      };
    case 'pattern':
      return { message: `must match pattern ${String(p.pattern)}` };
    case 'format':
      return { message: `must be a valid ${p.format === 'uri' ? 'URI' : String(p.format)}` };
    case 'enum':
      return {
        message: `must be one of: ${allowedValues(e)
          .map((v) => JSON.stringify(v))
          .join(', ')}`,
      };
    case 'const':
      return { message: `must be ${JSON.stringify(p.allowedValue)}` };
    case 'not': {
      const excluded =
        typeof e.schema === 'object' && e.schema !== null ? (e.schema as { const?: unknown }) : {};
      return {
        message:
          'const' in excluded
            ? `must not be ${JSON.stringify(excluded.const)}`
            : 'must not match the excluded form',
      };
    }
    case 'anyOf':
      return { message: 'does not match any of the allowed forms' };
    default:
      return { message: e.message ?? `fails the "${e.keyword}" constraint` };
  }
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
