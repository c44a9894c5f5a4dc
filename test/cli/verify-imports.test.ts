import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');

/** The project modules a file loads at run time (type-only imports are erased), transitively. */
function runtimeImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  for (const m of source.matchAll(/^(?:import|export)\s+(type\s+)?[^'"]*?from\s+'(\.{1,2}\/[^']+)'/gm)) {
    if (m[1]) continue;
    runtimeImports(resolve(dirname(file), (m[2] as string).replace(/\.js$/, '.ts')), seen);
  }
  return seen;
}

test('the aggregator-facing verify loads core and its own CLI modules only, not the database layer', () => {
  const loaded = [...runtimeImports(join(ROOT, 'cli', 'verify.ts'))].map((f) => relative(ROOT, f));
  assert.ok(loaded.includes('core/crypto.ts'), loaded.join(', '));
  const outside = loaded.filter(
    (f) => !f.startsWith('core/') && f !== 'cli/verify.ts' && f !== 'cli/errors.ts',
  );
  assert.deepEqual(outside, [], `verify loads ${outside.join(', ')}`);
});
