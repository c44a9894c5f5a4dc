import {
  MAX_BODY_BYTES,
  MAX_ITEMS,
  MAX_OTHER_ITEMS,
  MAX_STRING_LENGTH,
  MAX_URL_LENGTH,
} from '../../core/limits.js';
import { PUBLISHER_PROVIDED_META_KEY, type ServerJson } from '../../core/server-json.js';
import { ANON, intoAnonymous, loadExamples } from './app.js';

/**
 * The adversarial corpus of issue 10, shared by the property tests (test/core, test/api) and the
 * benchmark (`npm run bench -- adversarial`): the findings' inputs, plus, for a few rich official
 * examples, a long run of each special character in every string field (just under its cap, and
 * filling a 1 MiB body), wide arrays of every kind (at their cap and filling 1 MiB, valid and
 * invalid items), deep nesting and wide objects. Cases are described by small specs and built on
 * demand, so a property test can draw specs without building thousands of 1 MiB bodies.
 */

/** Characters a parser or a regex treats specially, plus plain ones for contrast. */
export const SPECIAL_CHARACTERS = [
  '{',
  '}',
  '[',
  ']',
  '/',
  '\\',
  ':',
  '.',
  '-',
  '_',
  '%',
  '@',
  '?',
  '#',
  '*',
  '+',
  '~',
  '$',
  '<',
  '>',
  ' ',
  '\t',
  '"',
  "'",
  ',',
  '=',
  '&',
  '|',
  '^',
  'a',
  '0',
  '9',
  'x',
  'é',
  '😀',
  '\u2028',
  '\u0001',
] as const;

/** A body "of up to 1 MiB": a little under the body limit, so it is read and parsed in full. */
const FILL_BYTES = MAX_BODY_BYTES - 4_096;

export type Spec =
  | { kind: 'finding'; index: number }
  | { kind: 'run'; base: number; path: readonly (string | number)[]; char: string; fill: boolean }
  | { kind: 'wide'; base: number; path: readonly (string | number)[]; valid: boolean; fill: boolean }
  | { kind: 'deep'; levels: number; array: boolean }
  | { kind: 'keys'; count: number };

export interface AdversarialCase {
  label: string;
  body: string;
}

const BASE_FILES = [
  '09-complex-docker-server-with-multiple-arguments.json',
  '10-server-with-remote-and-package-options.json',
  '14-remote-server-with-url-templating-1.json',
];

let bases: ServerJson[] | undefined;
/** The rich official examples the runs and wide arrays start from (anonymous namespace). */
export function baseDocuments(): ServerJson[] {
  bases ??= loadExamples()
    .filter((e) => BASE_FILES.includes(e.file))
    .map((e) => intoAnonymous(e.doc));
  return bases;
}

type Path = (string | number)[];

/** Paths of every string leaf and every array in a document. */
export function leafPaths(doc: unknown): { strings: Path[]; arrays: Path[] } {
  const strings: Path[] = [];
  const arrays: Path[] = [];
  const walk = (value: unknown, path: Path) => {
    if (typeof value === 'string') strings.push(path);
    else if (Array.isArray(value)) {
      arrays.push(path);
      for (const [i, v] of value.entries()) walk(v, [...path, i]);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
    }
  };
  walk(doc, []);
  return { strings, arrays };
}

/** Every spec of the corpus, in a fixed order (the benchmark runs them all). */
export function allSpecs(): Spec[] {
  const specs: Spec[] = FINDINGS.map((_, index) => ({ kind: 'finding', index }));
  // One case per field, not per occurrence: `packages[1].version` is `packages[0].version` again.
  const seen = new Set<string>();
  const firstOfItsField = (path: Path) => {
    const field = path.map((k) => (typeof k === 'number' ? '[]' : k)).join('.');
    if (seen.has(field)) return false;
    seen.add(field);
    return true;
  };
  baseDocuments().forEach((doc, base) => {
    const { strings: allStrings, arrays: allArrays } = leafPaths(doc);
    const strings = allStrings.filter(firstOfItsField);
    const arrays = allArrays.filter(firstOfItsField);
    for (const path of strings) {
      for (const char of SPECIAL_CHARACTERS) {
        for (const fill of [false, true]) specs.push({ kind: 'run', base, path, char, fill });
      }
    }
    for (const path of arrays) {
      for (const valid of [true, false]) {
        for (const fill of [false, true]) specs.push({ kind: 'wide', base, path, valid, fill });
      }
    }
  });
  // The deepest of each fills a 1 MiB body (`[` is one byte a level, `{"a":` five).
  for (const levels of [31, 33, 2_300, 100_000]) {
    for (const array of [true, false]) specs.push({ kind: 'deep', levels, array });
  }
  specs.push({ kind: 'deep', levels: 520_000, array: true }, { kind: 'deep', levels: 170_000, array: false });
  for (const count of [MAX_OTHER_ITEMS, MAX_OTHER_ITEMS + 1, 60_000]) specs.push({ kind: 'keys', count });
  return specs;
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function setAt(doc: unknown, path: readonly (string | number)[], value: unknown): void {
  let node = doc as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = value;
}

const isUrlField = (path: readonly (string | number)[]) =>
  ['url', 'src', 'websiteUrl', 'registryBaseUrl'].includes(String(path[path.length - 1]));

/** How many copies of `unit` (as JSON) fit in what is left of a 1 MiB body after `doc`. */
const copiesToFill = (doc: unknown, unit: string) =>
  Math.max(1, Math.floor((FILL_BYTES - JSON.stringify(doc).length) / Buffer.byteLength(unit)));

export function buildCase(spec: Spec): AdversarialCase {
  switch (spec.kind) {
    case 'finding':
      return (FINDINGS[spec.index] as () => AdversarialCase)();
    case 'run': {
      const doc = clone(baseDocuments()[spec.base]);
      const prefix = isUrlField(spec.path) ? 'https://a.example/' : '';
      const cap = (isUrlField(spec.path) ? MAX_URL_LENGTH : MAX_STRING_LENGTH) - prefix.length;
      const unit = JSON.stringify(spec.char).slice(1, -1);
      const n = spec.fill ? copiesToFill(doc, unit) : Math.floor(cap / spec.char.length);
      setAt(doc, spec.path, prefix + spec.char.repeat(n));
      const size = spec.fill ? '1MiB' : 'cap';
      return {
        label: `run ${JSON.stringify(spec.char)} ×${size} at ${spec.path.join('.')}`,
        body: JSON.stringify(doc),
      };
    }
    case 'wide': {
      const doc = clone(baseDocuments()[spec.base]);
      const field = String(spec.path[spec.path.length - 1]);
      const original = readAt(doc, spec.path) as unknown[];
      const item = spec.valid ? (original[0] ?? 'x') : {};
      const unit = `${JSON.stringify(item)},`;
      const n = spec.fill ? copiesToFill(doc, unit) : (MAX_ITEMS[field] ?? MAX_OTHER_ITEMS);
      setAt(doc, spec.path, new Array(n).fill(item));
      const label = `wide ${spec.valid ? 'valid' : 'invalid'} ×${spec.fill ? '1MiB' : 'cap'} at ${spec.path.join('.')}`;
      return { label, body: JSON.stringify(doc) };
    }
    case 'deep': {
      const open = spec.array ? '['.repeat(spec.levels) : '{"a":'.repeat(spec.levels);
      const close = spec.array ? ']'.repeat(spec.levels) : '}'.repeat(spec.levels);
      const head = JSON.stringify(minimal({ _meta: { [PUBLISHER_PROVIDED_META_KEY]: { x: 0 } } }));
      return {
        label: `deep ${spec.array ? 'arrays' : 'objects'} ×${spec.levels}`,
        body: head.replace('"x":0', `"x":${open}0${close}`),
      };
    }
    case 'keys': {
      const wide = Object.fromEntries(Array.from({ length: spec.count }, (_, i) => [`k${i}`, i]));
      return { label: `object with ${spec.count} keys`, body: JSON.stringify(minimal({ extra: wide })) };
    }
  }
}

function readAt(doc: unknown, path: readonly (string | number)[]): unknown {
  let node = doc as Record<string | number, unknown> | undefined;
  for (const key of path) node = node?.[key] as Record<string | number, unknown> | undefined;
  return node;
}

const minimal = (extra: Record<string, unknown> = {}) => ({
  $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
  name: `${ANON}/adversarial`,
  description: 'adversarial input',
  version: '1.0.0',
  ...extra,
});

/** The inputs of issue 10's findings, as they were sent. */
const FINDINGS: (() => AdversarialCase)[] = [
  () => ({
    label: 'finding 2: remote URL of 200,000 "{"',
    body: JSON.stringify(
      minimal({ remotes: [{ type: 'streamable-http', url: `https://a.com/${'{'.repeat(200_000)}` }] }),
    ),
  }),
  () => ({
    label: 'finding 3: packages [0 × 300,000]',
    body: JSON.stringify(minimal({ packages: new Array(300_000).fill(0) })),
  }),
  () => ({
    label: 'finding 1: unknown top-level field padding to 1 MiB',
    body: JSON.stringify(minimal({ padding: 'x'.repeat(FILL_BYTES - 300) })),
  }),
  () => ({
    label: 'finding 7: NUL in the description',
    body: JSON.stringify(minimal({ description: 'a\u0000b' })),
  }),
  () => ({
    label: 'finding 7: unpaired surrogate',
    body: JSON.stringify(minimal({ title: 'x' })).replace('"x"', '"\\ud800"'),
  }),
  () => ({
    label: 'finding 6: version with CR LF',
    body: JSON.stringify(minimal({ version: '1.0.0\r\nX: 1' })),
  }),
];
