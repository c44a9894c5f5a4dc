// test-tier: slow
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, stopProcess } from '../../scripts/bench/util.js';
import { build, ROOT, runtimeAssets, SOURCE_DIRS } from '../../scripts/build.js';

/**
 * The production build, run the way the image runs it: `npm run build` output in an /app-like
 * directory (package.json, production node_modules, dist/), started with plain `node
 * dist/cli/main.js <command>` and no TypeScript loader. No container daemon runs here, so the
 * Dockerfile itself is checked statically against the same facts.
 */
const app = mkdtempSync(join(tmpdir(), 'mcpreg-image-'));
const dataDir = join(app, 'data');
// No loader inherited from the test runner: production runs plain JavaScript.
const env = { ...process.env, NODE_OPTIONS: '', DATABASE_URL: '', DATA_DIR: dataDir, LOG_LEVEL: 'warn' };

function node(args: string[], extraEnv: Record<string, string> = {}) {
  return spawnSync(process.execPath, args, { cwd: app, env: { ...env, ...extraEnv }, encoding: 'utf8' });
}

before(() => {
  build(join(app, 'dist'));
  copyFileSync(join(ROOT, 'package.json'), join(app, 'package.json'));
  mkdirSync(join(app, 'infra', 'docker'), { recursive: true });
  copyFileSync(join(ROOT, 'infra/docker/healthcheck.mjs'), join(app, 'infra/docker/healthcheck.mjs'));
  symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'), 'dir');
});
after(() => rmSync(app, { recursive: true, force: true }));

describe('npm run build: the compiled registry', () => {
  it('emits JavaScript for every source directory and copies what the code reads at run time', () => {
    for (const dir of SOURCE_DIRS) assert.ok(existsSync(join(app, 'dist', dir)), `dist/${dir}`);
    assert.ok(existsSync(join(app, 'dist', 'cli', 'main.js')));
    const assets = runtimeAssets();
    assert.ok(assets.includes('cdn/edge/viewer-request.js'));
    assert.ok(assets.some((a) => /^core\/validation\/schemas\/.*\.json$/.test(a)));
    for (const asset of assets) assert.ok(existsSync(join(app, 'dist', asset)), `dist/${asset}`);
    assert.ok(!existsSync(join(app, 'dist', 'cli', 'bin.js')), 'the tsx launcher is not shipped');
  });

  it('imports only production dependencies (the image installs nothing else)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const imported = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.js')) {
          const code = readFileSync(path, 'utf8');
          const statics = code.matchAll(/^\s*(?:import|export)\b[^'";]*?from\s*'([^'./][^']*)'/gm);
          const dynamics = code.matchAll(/\bimport\(\s*'([^'./][^']*)'\s*\)/g);
          for (const m of [...statics, ...dynamics]) {
            const spec = m[1] as string;
            if (spec.startsWith('node:')) continue;
            imported.add(
              spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string),
            );
          }
        }
      }
    };
    walk(join(app, 'dist'));
    assert.ok(imported.has('fastify') && imported.has('knex'), [...imported].join(', '));
    for (const name of imported) assert.ok(name in pkg.dependencies, `${name} is a production dependency`);
  });

  it('migrates, then starts the API, answers /v0/health, passes the image health check, and stops on SIGTERM', async () => {
    const migrated = node(['dist/cli/main.js', 'migrate']);
    assert.equal(migrated.status, 0, migrated.stderr);
    assert.match(migrated.stderr, /applied: \d+_init/);

    const port = await freePort();
    const child: ChildProcess = spawn(process.execPath, ['dist/cli/main.js', 'api'], {
      cwd: app,
      env: { ...env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    try {
      let health: Response | undefined;
      for (let i = 0; i < 600 && child.exitCode === null; i++) {
        health = await fetch(`http://127.0.0.1:${port}/v0/health`).catch(() => undefined);
        if (health) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(health, `the compiled API answered: ${stderr}`);
      assert.equal(health.status, 200);
      const body = (await health.json()) as { status: string; database: string };
      assert.deepEqual([body.status, body.database], ['ok', 'ok']);
      // The migrations ran before: nothing left to apply.
      assert.match(stderr, /write API: +http/);

      const check = node(['infra/docker/healthcheck.mjs', 'api'], { PORT: String(port) });
      assert.equal(check.status, 0, check.stderr);
    } finally {
      await stopProcess(child);
    }
    assert.equal(child.exitCode, 0, stderr);
    const down = node(['infra/docker/healthcheck.mjs', 'api'], { PORT: String(port) });
    assert.equal(down.status, 1, 'the health check fails when nothing answers');
  });
});

describe('Dockerfile and .dockerignore', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)].map((m) => m.slice(1));
  const lastStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('builds in stages on Node 22 slim and ships production dependencies only', () => {
    assert.match(dockerfile, /^ARG NODE_IMAGE=node:22[-.\w]*-slim$/m);
    assert.ok(froms.length >= 3, 'build, deps and runtime stages');
    assert.ok(froms.every(([image]) => image === '$' + '{NODE_IMAGE}'));
    assert.match(dockerfile, /RUN npm run build/);
    assert.match(dockerfile, /npm ci --omit=dev/);
    assert.match(lastStage, /COPY --from=deps\b.*node_modules/);
    assert.match(lastStage, /COPY --from=build\b.*\/app\/dist dist/);
    assert.doesNotMatch(lastStage, /tsx|--import/, 'the runtime stage runs no TypeScript loader');
  });

  it('runs as a non-root user, checks its health, and takes the role as its command', () => {
    assert.match(lastStage, /^USER node$/m);
    assert.match(lastStage, /^HEALTHCHECK .*\n?.*CMD \["node", "infra\/docker\/healthcheck\.mjs"\]/m);
    assert.match(lastStage, /^ENTRYPOINT \["node", "dist\/cli\/main\.js"\]$/m);
    assert.match(lastStage, /^CMD \["api"\]$/m);
    assert.match(lastStage, /HOST=0\.0\.0\.0/);
  });

  it('copies every source directory the build compiles, and .dockerignore lets exactly those in', () => {
    for (const dir of SOURCE_DIRS) {
      assert.match(dockerfile, new RegExp(`^COPY ${dir} ${dir}$`, 'm'), `COPY ${dir}`);
      assert.ok(ignore.includes(`!${dir}/`), `.dockerignore admits ${dir}/`);
    }
    assert.equal(ignore[0], '**', 'everything else stays out of the context (node_modules, .data, .env, …)');
    for (const copied of dockerfile.matchAll(/^COPY (?!--from)(?:--\S+ )*(\S+(?: \S+)*) \S+$/gm)) {
      for (const source of (copied[1] as string).split(' ')) {
        const admitted = ignore.some((rule) => rule === `!${source}` || rule === `!${source}/`);
        assert.ok(admitted, `.dockerignore admits ${source}`);
      }
    }
  });
});
