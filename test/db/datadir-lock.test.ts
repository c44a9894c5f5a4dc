import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../db/connect.js';
import { DataDirLockedError } from '../../db/errors.js';
import { openTestPGlite } from '../helpers/db.js';

const ROOT = join(import.meta.dirname, '..', '..');

test('a second process cannot open an embedded data directory that is in use', async () => {
  const db = await openTestPGlite();
  const dir = (db.pglite as unknown as { dataDir?: string }).dataDir?.replace(/\/pglite$/, '');
  assert.ok(dir, 'PGlite exposes its data directory');
  try {
    await db.knex('servers').count();
    // Asynchronously: the holder must keep refreshing its lock while the other process tries.
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'migrate'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(status, 2, stderr);
    assert.match(stderr, /is in use by another registry process/);
    await assert.rejects(openDatabase({ databaseUrl: undefined, dataDir: dir }), DataDirLockedError);
  } finally {
    await db.close();
  }
});

test('a lock left behind by a crashed process is taken over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcpreg-stale-'));
  try {
    // What a SIGKILLed holder leaves: the lock directory, no longer refreshed.
    mkdirSync(join(dir, 'registry.lock'));
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'registry.lock'), old, old);
    const db = await openDatabase({ databaseUrl: undefined, dataDir: dir });
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
