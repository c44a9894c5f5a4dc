import { compareText } from './pages.js';

/**
 * The official field order of a served server.json. The official registry decodes a publish into its
 * Go structs and serves them re-encoded, so every object comes out in struct field order, whatever
 * order the publisher sent (the JSON schemas list properties alphabetically, which is not what is
 * served). ../shared/fixtures/official-api-sample.json, served by the official registry, is the
 * reference: test/core/field-order.test.ts renders every entry and compares key order at every depth.
 *
 * Known fields come first in the official order; fields the official structs do not have (extensions,
 * fields of newer schemas) follow in the publisher's order, so nothing is lost and bytes stay a pure
 * function of the stored document. Maps (`variables`, `_meta`'s content) have sorted keys, as Go
 * encodes maps.
 */

type Shape = { keys: readonly string[]; children?: Readonly<Record<string, Child>> };
/**
 * A nested object, an array of objects, a map of objects (each of one shape), or free-form JSON
 * (`sorted`). Maps and free-form objects are Go maps in the official structs, which Go encodes with
 * their keys sorted (byte order), at every depth.
 */
type Child = { object: Shape } | { array: Shape } | { map: Shape } | { sorted: true };

const INPUT_KEYS = [
  'description',
  'isRequired',
  'format',
  'value',
  'isSecret',
  'default',
  'placeholder',
  'choices',
] as const;
const INPUT: Shape = { keys: INPUT_KEYS };
const VARIABLES: Record<string, Child> = { variables: { map: INPUT } };
const KEY_VALUE_INPUT: Shape = { keys: [...INPUT_KEYS, 'variables', 'name'], children: VARIABLES };
const ARGUMENT: Shape = {
  keys: [...INPUT_KEYS, 'variables', 'type', 'name', 'isRepeated', 'valueHint'],
  children: VARIABLES,
};
const TRANSPORT: Shape = {
  keys: ['type', 'url', 'headers', 'variables'],
  children: { headers: { array: KEY_VALUE_INPUT }, ...VARIABLES },
};
const PACKAGE: Shape = {
  keys: [
    'registryType',
    'registryBaseUrl',
    'identifier',
    'version',
    'fileSha256',
    'runtimeHint',
    'transport',
    'runtimeArguments',
    'packageArguments',
    'environmentVariables',
  ],
  children: {
    transport: { object: TRANSPORT },
    runtimeArguments: { array: ARGUMENT },
    packageArguments: { array: ARGUMENT },
    environmentVariables: { array: KEY_VALUE_INPUT },
  },
};

/** `server` of a ServerResponse: `$schema, name, description, title, repository, version, websiteUrl, icons, packages, remotes, _meta`. */
export const SERVER_SHAPE: Shape = {
  keys: [
    '$schema',
    'name',
    'description',
    'title',
    'repository',
    'version',
    'websiteUrl',
    'icons',
    'packages',
    'remotes',
    '_meta',
  ],
  children: {
    repository: { object: { keys: ['url', 'source', 'id', 'subfolder'] } },
    icons: { array: { keys: ['src', 'mimeType', 'sizes', 'theme'] } },
    packages: { array: PACKAGE },
    remotes: { array: TRANSPORT },
    _meta: { sorted: true },
  },
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Defines rather than assigns, so a publisher's `__proto__` key stays data. */
function put(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Free-form JSON as Go encodes a map[string]any: keys sorted in byte order at every depth. */
function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compareText)) put(out, key, sortDeep(value[key]));
  return out;
}

function orderChild(value: unknown, child: Child): unknown {
  if ('sorted' in child) return sortDeep(value);
  if ('object' in child) return orderObject(value, child.object);
  if ('array' in child) return Array.isArray(value) ? value.map((v) => orderObject(v, child.array)) : value;
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compareText)) put(out, key, orderObject(value[key], child.map));
  return out;
}

/**
 * A copy of `value` with its keys (and its known children's keys) in the official order; anything that
 * is not an object of the expected kind is returned as it is.
 *
 * @example Object.keys(orderObject({ version: '1', name: 'a/b' }, SERVER_SHAPE) as object) // ['name', 'version']
 */
export function orderObject(value: unknown, shape: Shape): unknown {
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of shape.keys) {
    if (!Object.hasOwn(value, key)) continue;
    const child = shape.children?.[key];
    put(out, key, child ? orderChild(value[key], child) : value[key]);
  }
  for (const [key, v] of Object.entries(value)) if (!Object.hasOwn(out, key)) put(out, key, v);
  return out;
}
