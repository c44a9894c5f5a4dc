import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { DataDirLockedError, openDatabase } from '../../db/connect.js';
import { openTestPGlite } from '../helpers/db.js';

const ROOT = join(import.meta.dirname, '..', '..');

test('a second process cannot open an embedded data directory that is in use', async () => {
  const db = await openTestPGlite();
  const dir = (db.pglite as unknown as { dataDir?: string }).dataDir?.replace(/\/pglite$/, '');
  assert.ok(dir, 'PGlite exposes its data directory');
  try {
    await db.knex('servers').count();
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'migrate'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(child.status, 2, child.stderr);
    assert.match(child.stderr, /is in use by another registry process/);
    await assert.rejects(openDatabase({ databaseUrl: undefined, dataDir: dir }), DataDirLockedError);
  } finally {
    await db.close();
  }
});
