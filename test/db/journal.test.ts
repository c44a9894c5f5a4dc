import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Database } from '../../db/connect.js';
import {
  currentJournalSeq,
  insertJournalEntry,
  readJournal,
  reserveJournalPosition,
} from '../../db/repositories/journal.js';
import { resetDatabase, testBackends } from '../helpers/db.js';

for (const backend of testBackends()) {
  describe(`journal (${backend.name})`, () => {
    let db: Database;
    before(async () => {
      db = await backend.open();
    });
    after(async () => db.close());
    beforeEach(async () => resetDatabase(db));

    const append = (name: string, hold = 0) =>
      db.knex.transaction(async (trx) => {
        const at = await reserveJournalPosition(trx);
        await insertJournalEntry(trx, {
          ...at,
          kind: 'publish',
          serverName: name,
          version: '1.0.0',
          actor: 'test',
          detail: {},
        });
        if (hold) await new Promise((r) => setTimeout(r, hold));
        return at;
      });

    test('positions are contiguous and timestamps strictly increase', async () => {
      const positions = [];
      for (let i = 0; i < 5; i++) positions.push(await append(`a/b${i}`));
      assert.deepEqual(
        positions.map((p) => p.seq),
        [1, 2, 3, 4, 5],
      );
      for (let i = 1; i < positions.length; i++) assert.ok(positions[i]!.at > positions[i - 1]!.at);
      assert.equal(await currentJournalSeq(db.knex), 5);
    });

    test('a rolled-back transaction leaves no gap', async () => {
      await append('a/one');
      await assert.rejects(
        db.knex.transaction(async (trx) => {
          await reserveJournalPosition(trx);
          throw new Error('abort');
        }),
      );
      await append('a/two');
      assert.deepEqual(
        (await readJournal(db.knex, 0, 10)).map((j) => j.seq),
        [1, 2],
      );
    });

    test('a reader never sees seq N+1 before seq N has committed', async () => {
      // The first writer holds its position open; the second must wait for it rather than commit
      // a higher seq first (which a builder reading "seq > last" would then skip past).
      const slow = append('a/slow', 300);
      await new Promise((r) => setTimeout(r, 50));
      const fast = append('a/fast');
      const seenMidway = await readJournal(db.knex, 0, 10);
      const [s, f] = await Promise.all([slow, fast]);
      assert.equal(s.seq, 1);
      assert.equal(f.seq, 2);
      // Whatever a concurrent reader saw was a prefix of the journal.
      assert.deepEqual(
        seenMidway.map((j) => j.seq),
        seenMidway.map((_, i) => i + 1),
      );
    });
  });
}
