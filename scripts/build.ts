import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

/**
 * `npm run build`: compiles the production sources (core, db, store, api, builder, cdn, cli) to
 * JavaScript under `dist/` with tsc (tsconfig.build.json), and copies the files they read at run
 * time beside them (the official schemas, the edge function). Production runs `node
 * dist/cli/main.js <command>`: no TypeScript loader. `--out-dir <dir>` writes elsewhere (tests).
 */
export const ROOT = resolve(import.meta.dirname, '..');
export const SOURCE_DIRS = ['core', 'db', 'store', 'net', 'api', 'builder', 'cdn', 'cli'] as const;
/** Source files that are not run in production: the tsx launcher is replaced by dist/cli/main.js. */
const NOT_SHIPPED = new Set(['cli/bin.js']);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every file the compiled code reads beside itself: anything under the sources that tsc does not emit. */
export function runtimeAssets(root: string = ROOT): string[] {
  return SOURCE_DIRS.flatMap((dir) => filesUnder(join(root, dir)))
    .map((path) => relative(root, path))
    .filter((path) => !path.endsWith('.ts') && !path.endsWith('.md') && !NOT_SHIPPED.has(path))
    .sort();
}

export interface BuildResult {
  outDir: string;
  assets: string[];
}

export function build(outDir: string = join(ROOT, 'dist')): BuildResult {
  const out = resolve(outDir);
  rmSync(out, { recursive: true, force: true });
  const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
  const result = spawnSync(tsc, ['-p', join(ROOT, 'tsconfig.build.json'), '--outDir', out], {
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`tsc failed (exit ${result.status ?? result.signal})`);
  const assets = runtimeAssets();
  for (const asset of assets) {
    cpSync(join(ROOT, asset), join(out, asset));
  }
  return { outDir: out, assets };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const { values } = parseArgs({ options: { 'out-dir': { type: 'string' } } });
  const { outDir, assets } = build(values['out-dir']);
  process.stderr.write(
    `built ${relative(process.cwd(), outDir) || '.'}: compiled ${SOURCE_DIRS.join(', ')}; ` +
      `copied ${assets.length} runtime files; start with node ${relative(process.cwd(), join(outDir, 'cli', 'main.js'))} <command>\n`,
  );
}
