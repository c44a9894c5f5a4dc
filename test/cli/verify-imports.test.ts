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

const loadedBy = (file: string) => [...runtimeImports(join(ROOT, file))].map((f) => relative(ROOT, f));

test('the aggregator-facing verify loads core and the client layer only, not the database layer', () => {
  const loaded = loadedBy('cli/commands/verify.ts');
  assert.ok(loaded.includes('core/crypto.ts'), loaded.join(', '));
  assert.ok(loaded.includes('client/site.ts'), loaded.join(', '));
  const outside = loaded.filter((f) => !/^(core|client)\//.test(f) && f !== 'cli/commands/verify.ts');
  assert.deepEqual(outside, [], `verify loads ${outside.join(', ')}`);
});

test('the client layer imports only core (and itself)', () => {
  for (const file of ['client/registry.ts', 'client/site.ts', 'client/sign-in.ts', 'client/credentials.ts']) {
    const outside = loadedBy(file).filter((f) => !/^(core|client)\//.test(f));
    assert.deepEqual(outside, [], `${file} loads ${outside.join(', ')}`);
  }
});
