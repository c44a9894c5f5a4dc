// The `mcp-registry` command's TypeScript loader (Node module hooks, registered by cli/bin.js).
// It does what tsx does for this project's sources, minus the cost of loading tsx on every start:
// `./x.js` imports resolve to `./x.ts`, and each .ts file is transpiled by esbuild (types erased,
// as with `verbatimModuleSyntax`), the result cached by content hash so a later start reads the
// cached JavaScript and never loads esbuild. Files outside the project and node_modules are untouched.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ROOT_URL = pathToFileURL(`${ROOT}/`).href;
const CACHE_DIRS = [
  join(ROOT, 'node_modules', '.cache', 'mcp-registry-cli'),
  join(tmpdir(), 'mcp-registry-cli-cache'),
];
const ESBUILD = {
  loader: 'ts',
  format: 'esm',
  target: 'node20',
  sourcemap: 'inline',
  tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
};

// The project's own files (also when the project itself is installed under someone's node_modules).
const isOurs = (url) => url.startsWith(ROOT_URL) && !url.slice(ROOT_URL.length).includes('node_modules/');

export async function resolve(specifier, context, nextResolve) {
  if (
    specifier.endsWith('.js') &&
    (specifier.startsWith('./') || specifier.startsWith('../')) &&
    context.parentURL &&
    isOurs(context.parentURL)
  ) {
    const ts = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL);
    if (existsSync(fileURLToPath(ts))) return { url: ts.href, format: 'module', shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.endsWith('.ts') || !isOurs(url)) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const source = readFileSync(path, 'utf8');
  const key = `${createHash('sha256').update(path).update('\0').update(source).digest('hex').slice(0, 40)}.js`;
  for (const dir of CACHE_DIRS) {
    try {
      return { format: 'module', source: readFileSync(join(dir, key), 'utf8'), shortCircuit: true };
    } catch {
      // not cached there
    }
  }
  const { transform } = await import('esbuild');
  const { code } = await transform(source, { ...ESBUILD, sourcefile: path });
  for (const dir of CACHE_DIRS) {
    try {
      mkdirSync(dir, { recursive: true });
      const temporary = join(dir, `${key}.${process.pid}.tmp`);
      writeFileSync(temporary, code);
      renameSync(temporary, join(dir, key));
      break;
    } catch {
      // read-only install: try the next directory, or run uncached
    }
  }
  return { format: 'module', source: code, shortCircuit: true };
}
