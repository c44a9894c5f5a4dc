import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import formatsPlugin from 'ajv-formats';
import { isRecord } from './guards.js';
import { SCHEMA_VERSIONS } from './schema-versions.js';

/** Every dated schema, compiled once, plus what schema-errors.ts needs to re-check an `anyOf` branch. */
export interface CompiledSchemas {
  readonly ajv: Ajv;
  readonly byVersion: ReadonlyMap<string, ValidateFunction>;
  /** The top-level properties each dated schema defines (what a stored document keeps). */
  readonly topLevelFields: ReadonlyMap<string, ReadonlySet<string>>;
  /** The absolute ref (`<$id>#/json/pointer`) of a node of a loaded schema, found by identity. */
  locate(node: unknown): string | undefined;
}

// ajv-formats is CommonJS: under NodeNext its default import is `module.exports`, and the plugin sits on
// its `default` property (at run time `module.exports.default` is the same function).
const addFormats = formatsPlugin.default;

/** Reads the vendored schema files (the only I/O in core/, done once per validator) and compiles them. */
export function loadSchemas(): CompiledSchemas {
  // strict:false because the schemas use the non-standard `example` keyword; verbose keeps
  // `schema`/`data` on each error, which the error simplifier needs.
  const ajv = new Ajv({ strict: false, allErrors: true, verbose: true });
  addFormats(ajv);
  const locations = new Map<object, string>();
  const byVersion = new Map<string, ValidateFunction>();
  const topLevelFields = new Map<string, ReadonlySet<string>>();
  for (const version of SCHEMA_VERSIONS) {
    const file = join(import.meta.dirname, 'schemas', `${version}.server.schema.json`);
    const schema: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!isRecord(schema) || typeof schema.$id !== 'string') throw new Error(`${file} has no $id`);
    ajv.addSchema(schema);
    indexNodes(schema, `${schema.$id}#`, locations);
    const validate = ajv.getSchema(schema.$id);
    if (!validate) throw new Error(`schema ${schema.$id} did not compile`);
    byVersion.set(version, validate);
    topLevelFields.set(version, propertiesOf(schema, schema));
  }
  return {
    ajv,
    byVersion,
    topLevelFields,
    locate: (node) => (typeof node === 'object' && node !== null ? locations.get(node) : undefined),
  };
}

function indexNodes(node: unknown, ref: string, into: Map<object, string>): void {
  if (typeof node !== 'object' || node === null) return;
  into.set(node, ref);
  const entries: [string, unknown][] = Array.isArray(node)
    ? node.map((child, i): [string, unknown] => [String(i), child])
    : Object.entries(node);
  for (const [key, child] of entries) {
    const segment = encodeURIComponent(key.replace(/~/g, '~0').replace(/\//g, '~1'));
    indexNodes(child, `${ref}/${segment}`, into);
  }
}

/**
 * Property names a schema node allows at its own level, following local `$ref`s and `allOf` (the
 * older schemas say `ServerDetail = allOf[Server, {packages, remotes, …}]`).
 */
function propertiesOf(node: unknown, root: Record<string, unknown>, seen = new Set<unknown>()): Set<string> {
  const names = new Set<string>();
  if (!isRecord(node) || seen.has(node)) return names;
  seen.add(node);
  if (isRecord(node.properties)) for (const key of Object.keys(node.properties)) names.add(key);
  if (typeof node.$ref === 'string' && node.$ref.startsWith('#/')) {
    let target: unknown = root;
    for (const segment of node.$ref.slice(2).split('/'))
      target = isRecord(target) ? target[segment] : undefined;
    for (const key of propertiesOf(target, root, seen)) names.add(key);
  }
  if (Array.isArray(node.allOf)) {
    for (const part of node.allOf) for (const key of propertiesOf(part, root, seen)) names.add(key);
  }
  return names;
}
