import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  createServerJsonValidator,
  normalizeServerJson,
  PUBLISHER_PROVIDED_META_KEY,
  type ServerJson,
  type ValidationResult,
} from '../../core/validation/index.js';

const SPEC = process.env.MCP_SPEC_DIR ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'spec');
const example = (file: string): unknown => JSON.parse(readFileSync(join(SPEC, 'examples', file), 'utf8'));
const validator = createServerJsonValidator();

const JUNK: unknown[] = [
  null,
  true,
  0,
  -1.5,
  1e308,
  '',
  ' ',
  'latest',
  '{x}',
  'constructor',
  '__proto__',
  [],
  [null],
  [1, 'a', {}],
  {},
  { type: 'named' },
  JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1}'),
];

function assertWellFormed(result: ValidationResult, context: string): void {
  assert.equal(typeof result.valid, 'boolean', context);
  assert.ok(Array.isArray(result.issues), context);
  for (const issue of result.issues) {
    assert.ok(['json', 'schema', 'semantic', 'linter'].includes(issue.type), context);
    assert.ok(['error', 'warning', 'info'].includes(issue.severity), context);
    for (const key of ['path', 'message', 'reference'] as const)
      assert.equal(typeof issue[key], 'string', context);
  }
  assert.equal(result.valid, !result.issues.some((i) => i.severity === 'error'), context);
}

/** Every [path, parent, key] of a JSON value, depth first. */
function* slots(
  value: unknown,
  path = '',
): Generator<[string, Record<string, unknown> | unknown[], string | number]> {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      yield [`${path}[${i}]`, value, i];
      yield* slots(value[i], `${path}[${i}]`);
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) {
      yield [`${path}.${key}`, value as Record<string, unknown>, key];
      yield* slots((value as Record<string, unknown>)[key], `${path}.${key}`);
    }
  }
}

/** Small deterministic PRNG so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomValue(rand: () => number, depth: number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const keys = [
    'type',
    'url',
    'name',
    'value',
    'version',
    'registryType',
    'identifier',
    'transport',
    'variables',
    'src',
    'sizes',
    'x',
  ];
  if (depth <= 0 || rand() < 0.4) return pick(JUNK);
  if (rand() < 0.5) return Array.from({ length: Math.floor(rand() * 3) }, () => randomValue(rand, depth - 1));
  return Object.fromEntries(
    Array.from({ length: Math.floor(rand() * 4) }, () => [pick(keys), randomValue(rand, depth - 1)]),
  );
}

describe('robustness', () => {
  it('never throws when any field of an example is replaced by junk', () => {
    for (const file of [
      '04-filesystem-server-with-multiple-packages-1.json',
      '09-complex-docker-server-with-multiple-arguments.json',
      '10-server-with-remote-and-package-options.json',
      '11-mcp-bundle-mcpb-package-example.json',
      '14-remote-server-with-url-templating-1.json',
      '16-local-server-with-url-templating.json',
    ]) {
      const base = example(file);
      const paths = [...slots(base)].map(([path]) => path);
      paths.forEach((path, n) => {
        for (const junk of JUNK) {
          const doc = structuredClone(base);
          const slot = [...slots(doc)][n];
          assert.ok(slot);
          const [, parent, key] = slot;
          (parent as Record<string | number, unknown>)[key] = structuredClone(junk);
          assertWellFormed(validator.validate(doc), `${file} ${path} = ${JSON.stringify(junk)}`);
        }
      });
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('never throws on random documents', () => {
    const rand = prng(20260425);
    const fields = [
      '$schema',
      'name',
      'description',
      'version',
      'title',
      'websiteUrl',
      'repository',
      'icons',
      'packages',
      'remotes',
      '_meta',
    ];
    for (let n = 0; n < 1500; n++) {
      const doc: Record<string, unknown> = {};
      for (const field of fields) if (rand() < 0.6) doc[field] = randomValue(rand, 4);
      assertWellFormed(validator.validate(doc), `#${n} ${JSON.stringify(doc)}`);
    }
  });

  it('never throws on values JSON cannot produce', () => {
    const cyclic: Record<string, unknown> = {
      name: 'io.github.example/x',
      description: 'd',
      version: '1.0.0',
    };
    cyclic._meta = { [PUBLISHER_PROVIDED_META_KEY]: cyclic };
    const odd: unknown[] = [
      Object.create(null),
      { version: 1n },
      cyclic,
      { packages: [undefined] },
      new Date(),
      () => 1,
    ];
    odd.forEach((value, i) => {
      assertWellFormed(validator.validate(value), `odd value #${i}`);
    });
  });
});

describe('normalizeServerJson', () => {
  const base = (): ServerJson => ({
    $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
    name: 'io.github.example/weather',
    description: 'Weather forecasts',
    version: '1.0.0',
    packages: [
      { registryType: 'npm', identifier: 'weather', version: '1.0.0', transport: { type: 'stdio' } },
    ],
  });

  it('keeps only the publisher-provided _meta key and does not mutate its input', () => {
    const input: ServerJson = {
      ...base(),
      _meta: {
        [PUBLISHER_PROVIDED_META_KEY]: { tool: 'ci', nested: { a: [1, 2] } },
        'io.modelcontextprotocol.registry/official': { isLatest: true },
        'com.example/custom': 1,
      },
    };
    const before = structuredClone(input);
    const out = normalizeServerJson(input);
    assert.deepEqual(input, before);
    assert.deepEqual(out, {
      ...base(),
      _meta: { [PUBLISHER_PROVIDED_META_KEY]: { tool: 'ci', nested: { a: [1, 2] } } },
    });
    // Nothing is shared: changing the result leaves the input alone.
    (out.packages?.[0] as { identifier: string }).identifier = 'changed';
    assert.equal(input.packages?.[0]?.identifier, 'weather');
  });

  it('removes _meta when nothing is left', () => {
    assert.deepEqual(normalizeServerJson({ ...base(), _meta: { 'com.example/custom': 1 } }), base());
    assert.deepEqual(normalizeServerJson({ ...base(), _meta: {} }), base());
    assert.deepEqual(normalizeServerJson(base()), base());
    assert.equal('_meta' in normalizeServerJson({ ...base(), _meta: {} }), false);
  });

  it('keeps unknown top-level fields', () => {
    assert.deepEqual(normalizeServerJson({ ...base(), 'x-extra': { a: 1 } }), {
      ...base(),
      'x-extra': { a: 1 },
    });
  });
});
