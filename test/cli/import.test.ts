// test-tier: slow
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { importFile } from '../../cli/import.js';
import { type Io, run } from '../../cli/main.js';
import type { Database } from '../../db/connect.js';
import { readJournal } from '../../db/repositories/journal.js';
import { countVersions } from '../../db/repositories/versions.js';
import { SHARED } from '../helpers/app.js';
import { resetDatabase, testBackends } from '../helpers/db.js';
import { captureIo } from '../helpers/io.js';

const SEED_2026 = join(SHARED, 'spec', 'seed', 'seed.2026-04.json');
const SEED_2025 = join(SHARED, 'spec', 'seed', 'seed.2025-09-29.json');

for (const backend of testBackends()) {
  describe(`import (${backend.name})`, () => {
    let db: Database;
    before(async () => {
      db = await backend.open();
    });
    after(async () => db.close());
    beforeEach(async () => resetDatabase(db));

    test('the current seed imports completely, and a second run rejects every entry as a duplicate', async () => {
      const first = await importFile(db, SEED_2026);
      assert.deepEqual(
        [first.total, first.stored, first.invalid, first.rejected, first.failed],
        [4, 4, 0, 0, 0],
      );
      assert.equal(await countVersions(db.knex), 4);
      const second = await importFile(db, SEED_2026);
      assert.equal(second.rejected, 4);
      assert.ok(
        second.outcomes.every((o) => o.reasons[0] === 'invalid version: cannot publish duplicate version'),
      );
      assert.equal((await readJournal(db.knex, 0, 100)).length, 4);
    });

    test('the 2025 seed: entries without $schema are reported invalid with reasons, nothing half-written', async () => {
      const entries = JSON.parse(readFileSync(SEED_2025, 'utf8')) as unknown[];
      const summary = await importFile(db, SEED_2025);
      assert.equal(summary.total, entries.length);
      assert.equal(summary.failed, 0);
      assert.equal(summary.stored + summary.invalid + summary.rejected, entries.length);
      assert.equal(summary.invalid, entries.length, 'none of them has the required $schema');
      assert.ok(summary.outcomes.every((o) => o.reasons.some((r) => r.includes('$schema'))));
      assert.equal(await countVersions(db.knex), 0);
    });

    test('with a current $schema, exactly the entries with bad descriptions are invalid', async () => {
      const entries: Record<string, unknown>[] = (
        JSON.parse(readFileSync(SEED_2025, 'utf8')) as Record<string, unknown>[]
      ).map((e) => ({
        ...e,
        $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
      }));
      const dir = mkdtempSync(join(tmpdir(), 'mcpreg-import-'));
      try {
        const file = join(dir, 'seed.json');
        writeFileSync(file, JSON.stringify(entries));
        const summary = await importFile(db, file);
        const badDescription = entries.filter(
          (e) =>
            typeof e.description !== 'string' || e.description.length === 0 || e.description.length > 100,
        );
        assert.ok(badDescription.length > 0);
        assert.equal(summary.failed, 0);
        const invalidIndexes = summary.outcomes.filter((o) => o.result === 'invalid').map((o) => o.index);
        const expected = entries.flatMap((e, i) => (badDescription.includes(e) ? [i] : []));
        // Entries may break other rules too; every bad description must at least be reported.
        for (const i of expected) assert.ok(invalidIndexes.includes(i), `entry ${i} should be invalid`);
        assert.equal(await countVersions(db.knex), summary.stored);
        assert.equal(summary.stored + summary.invalid + summary.rejected, entries.length);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

describe('mcp-registry import command', () => {
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mcpreg-cli-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('prints a summary, --json gives the machine-readable result, exit 0', async () => {
    const io = captureIo({ DATA_DIR: dataDir });
    assert.equal(await run(['import', SEED_2026, '--json'], io), 0);
    assert.match(io.err.at(-1)!, /4 entries, 4 stored, 0 invalid, 0 rejected, 0 failed/);
    assert.equal(JSON.parse(io.out[0]!).stored, 4);
  });

  test('a missing file, a file that is not an array and a bad config exit non-zero with a plain message', async () => {
    const missing = captureIo({ DATA_DIR: dataDir });
    assert.equal(await run(['import', join(dataDir, 'nope.json')], missing), 2);
    assert.match(missing.err[0]!, /^error: cannot read .*nope\.json/);
    const notArray = captureIo({ DATA_DIR: dataDir });
    const file = join(dataDir, 'obj.json');
    writeFileSync(file, '{"name": "x"}');
    assert.equal(await run(['import', file], notArray), 2);
    assert.match(notArray.err[0]!, /is not a JSON array/);
    const badConfig = captureIo({ DATA_DIR: dataDir, PORT: 'eighty', DATABASE_URL: 'mysql://x' });
    assert.equal(await run(['import', file], badConfig), 2);
    assert.match(badConfig.err[0]!, /PORT/);
    assert.match(badConfig.err[0]!, /DATABASE_URL/);
    const usage = captureIo({});
    assert.equal(await run(['import'], usage), 2);
    assert.equal(await run(['frobnicate'], usage), 2);
  });

  test('an unreachable database is a real failure: exit 1', async () => {
    const io = captureIo({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    assert.equal(await run(['import', SEED_2026], io), 1);
    assert.match(io.err.join('\n'), /error:/);
  });
});
