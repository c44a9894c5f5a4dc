import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_ISSUES, MAX_VERSION_BYTES } from '../../core/limits.js';
import type { ServerJson } from '../../core/server-json.js';
import { jsonShapeProblem, storedSize } from '../../core/validation/index.js';
import { templateVariables } from '../../core/validation/rules/urls.js';
import { allSpecs, baseDocuments, buildCase, leafPaths } from '../helpers/adversarial.js';
import { sharedValidator } from '../helpers/app.js';

/**
 * Property tests over issue 10's adversarial corpus (test/helpers/adversarial.ts): whatever is
 * drawn, validation answers (never throws), reports at most MAX_ISSUES issues, and what it accepts
 * fits the stored-size cap. CPU cost is measured by `npm run bench -- adversarial`, not here.
 */
const validator = sharedValidator();
const specs = allSpecs();

function check(body: string): void {
  if (jsonShapeProblem(body) !== undefined) return; // refused before parsing (test/api)
  const doc: unknown = JSON.parse(body);
  const result = validator.validate(doc);
  assert.equal(typeof result.valid, 'boolean');
  assert.ok(result.issues.length <= MAX_ISSUES, `${result.issues.length} issues`);
  for (const issue of result.issues) assert.equal(typeof issue.message, 'string');
  if (result.valid) assert.ok(storedSize(validator.normalize(doc as ServerJson)) <= MAX_VERSION_BYTES);
}

describe('validation over the adversarial corpus', () => {
  it('answers every drawn case with a bounded, well-formed result', () => {
    fc.assert(
      fc.property(fc.constantFrom(...specs), (spec) => check(buildCase(spec).body)),
      { numRuns: 150 },
    );
  });

  it('answers every finding of issue 10', () => {
    for (const spec of specs.filter((s) => s.kind === 'finding' || s.kind === 'deep' || s.kind === 'keys')) {
      check(buildCase(spec).body);
    }
  });

  it('survives any JSON value put in place of any field of a real document', () => {
    const docs = baseDocuments();
    const places = docs.flatMap((doc, i) => {
      const { strings, arrays } = leafPaths(doc);
      return [...strings, ...arrays].map((path) => ({ doc: i, path }));
    });
    fc.assert(
      fc.property(fc.constantFrom(...places), fc.jsonValue({ maxDepth: 6 }), ({ doc, path }, value) => {
        const copy = JSON.parse(JSON.stringify(docs[doc])) as Record<string | number, unknown>;
        let node = copy;
        for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
        node[path[path.length - 1] as string | number] = value;
        check(JSON.stringify(copy));
      }),
      { numRuns: 300 },
    );
  });
});

describe('URL template scan', () => {
  it('finds what the regex it replaced found, on any string of template characters', () => {
    const reference = (url: string) => [...url.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');
    const text = fc.string({ unit: fc.constantFrom('{', '}', 'a', ':', '/', 'b'), maxLength: 40 });
    fc.assert(
      fc.property(text, (url) => {
        assert.deepEqual(templateVariables(url), reference(url));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('nesting scan', () => {
  it('measures the depth JSON.parse would build, whatever the strings contain', () => {
    const depthOf = (v: unknown): number =>
      v !== null && typeof v === 'object'
        ? 1 + Math.max(0, ...Object.values(v as Record<string, unknown>).map(depthOf))
        : 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 8 }), (value, max) => {
        const problem = jsonShapeProblem(JSON.stringify(value), { depth: max, containers: Infinity });
        assert.equal(problem !== undefined, depthOf(value) > max);
      }),
      { numRuns: 1_000 },
    );
  });

  it('refuses a container with more members than the cap before parsing, whatever the strings contain', () => {
    const widest = (v: unknown): number =>
      v !== null && typeof v === 'object'
        ? Math.max(Object.keys(v).length, ...Object.values(v as Record<string, unknown>).map(widest))
        : 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.integer({ min: 1, max: 6 }), (value, items) => {
        const problem = jsonShapeProblem(JSON.stringify(value), { depth: 100, containers: Infinity, items });
        assert.equal(problem !== undefined, widest(value) > items);
        if (problem) assert.equal(problem.reference, 'limit-items');
      }),
      { numRuns: 1_000 },
    );
    // An object of 60,000 keys cost ~70 ms to parse and enumerate before this check.
    const wide = JSON.stringify(Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`k${i}`, i])));
    assert.equal(jsonShapeProblem(wide)?.reference, 'limit-items');
  });
});
