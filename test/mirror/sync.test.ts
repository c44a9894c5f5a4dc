import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Database } from '../../db/connect.js';
import { issuesOf, loadMirrorState } from '../../db/repositories/mirror.js';
import { listMirrorRuns } from '../../db/repositories/mirror-runs.js';
import { countVersions, getVersion } from '../../db/repositories/versions.js';
import { syncMirror } from '../../mirror/sync.js';
import { createUpstreamClient, type UpstreamClient } from '../../mirror/upstream.js';
import { sharedValidator } from '../helpers/app.js';
import { resetDatabase, testBackends } from '../helpers/db.js';
import {
  loadFixtureEntries,
  OFFICIAL,
  startUpstreamRegistry,
  type UpstreamEntry,
  type UpstreamRegistry,
} from '../helpers/upstream-registry.js';

const fixture = loadFixtureEntries();
const instant = (t: string) => new Date(t).getTime();
/** Microsecond-exact comparison of two RFC 3339 timestamps (fraction digits may differ). */
const sameInstant = (a: string, b: string) => {
  const micros = (t: string) => {
    const m = /\.(\d+)Z$/.exec(t);
    return instant(t.replace(/\.\d+Z$/, 'Z')) * 1000 + Number(((m?.[1] ?? '') + '000000').slice(0, 6));
  };
  return micros(a) === micros(b);
};

for (const backend of testBackends()) {
  describe(`mirror sync (${backend.name})`, () => {
    let db: Database;
    let peer: UpstreamRegistry;
    let client: UpstreamClient;
    before(async () => {
      db = await backend.open();
      peer = await startUpstreamRegistry([]);
    });
    after(async () => {
      await peer.close();
      await db.close();
    });
    beforeEach(async () => {
      await resetDatabase(db);
      peer.entries = structuredClone(fixture);
      peer.faults.length = 0;
      peer.requests.length = 0;
      peer.delayMs = 0;
      peer.faultsFrom = 0;
      client = createUpstreamClient({
        baseUrl: `${peer.url}/v0.1`,
        ratePerMinute: 60_000,
        // Generous: a loaded test machine must not turn a slow answer into a retry the test counts.
        timeoutMs: 30_000,
        userAgent: 'mirror-test',
        maxAttempts: 6,
      });
    });
    const sync = () => syncMirror({ db, upstream: client, validator: sharedValidator(), marginSeconds: 300 });

    test('the first sync stores every upstream version as upstream serves it', async () => {
      const report = await sync();
      assert.equal(report.kind, 'full');
      assert.equal(report.fetched, fixture.length);
      assert.equal(report.refused, 0, JSON.stringify(report.refusals));
      assert.equal(report.added, fixture.length);
      // Pages are counted where upstream sees them: a request on a keep-alive socket the peer had just
      // closed is retried and counted by the client, never seen by the peer.
      assert.equal(peer.requests.length, 3, '100 + 100 + the empty page after a full one');
      assert.ok(report.requests >= 3);
      assert.ok(peer.requests.every((r) => r.includes('include_deleted=true') && r.includes('limit=100')));
      assert.equal(await countVersions(db.knex), fixture.length);
      for (const e of fixture) {
        const stored = await getVersion(db.knex, e.server.name, e.server.version);
        assert.ok(stored, `${e.server.name}@${e.server.version}`);
        assert.deepEqual(stored.value, e.server);
        const meta = e._meta[OFFICIAL];
        assert.ok(sameInstant(stored.publishedAt, meta.publishedAt as string));
        assert.ok(sameInstant(stored.updatedAt, meta.updatedAt));
        assert.equal(stored.status, meta.status);
        assert.equal(stored.isLatest, meta.isLatest);
      }
      // Quirks upstream accepted are stored, with today's validation issues recorded.
      assert.ok(report.withIssues > 0);
      const quirky = fixture.find((e) => JSON.stringify(e.server.repository) === '{}');
      assert.ok(quirky, 'the fixture has an empty repository object');
      assert.deepEqual(
        (await getVersion(db.knex, quirky.server.name, quirky.server.version))?.value,
        quirky.server,
      );
      const journal = await db.knex('journal').where({ kind: 'mirror' }).count<{ c: string }[]>('* as c');
      assert.equal(Number(journal[0]?.c), fixture.length);
      const [run] = await listMirrorRuns(db.knex);
      assert.equal(run?.status, 'succeeded');
      assert.equal(run?.added, fixture.length);
    });

    test('a later sync asks updated_since and applies exactly what changed upstream', async () => {
      await sync();
      const highWater = (await loadMirrorState(db.knex, client.baseUrl)).highWater!;
      const now = new Date(Date.now() + 1000).toISOString();
      const meta = (e: UpstreamEntry) => e._meta[OFFICIAL];
      const first = peer.entries.find(
        (e) => meta(e).isLatest && e !== peer.entries[5] && e !== peer.entries[6],
      )!;
      // Deprecate one, delete another, add a new latest version of the first server.
      Object.assign(meta(peer.entries[5]!), {
        status: 'deprecated',
        statusMessage: 'use 2.x',
        updatedAt: now,
      });
      Object.assign(meta(peer.entries[6]!), { status: 'deleted', updatedAt: now });
      const previousLatest = peer.entries.find(
        (e) => e.server.name === first.server.name && meta(e).isLatest,
      )!;
      meta(previousLatest).isLatest = false; // upstream does not bump updatedAt here
      peer.entries.push({
        server: { ...first.server, version: '99.0.0' },
        _meta: { [OFFICIAL]: { status: 'active', publishedAt: now, updatedAt: now, isLatest: true } },
      });
      peer.requests.length = 0;

      const report = await sync();
      assert.equal(report.kind, 'incremental');
      assert.equal(peer.requests.length, 1, 'one page of changes');
      assert.ok(report.requests >= 1);
      const asked = new URL(peer.requests[0]!, 'http://x').searchParams.get('updated_since')!;
      assert.equal(instant(asked), instant(highWater) - 300_000, 'high-water minus the margin');
      assert.deepEqual([report.added, report.updated, report.refused], [1, 2, 0]);
      assert.equal(report.fetched - report.added - report.updated, report.unchanged);
      const deprecated = await getVersion(
        db.knex,
        peer.entries[5]!.server.name,
        peer.entries[5]!.server.version,
      );
      assert.equal(deprecated?.status, 'deprecated');
      assert.equal(deprecated?.statusMessage, 'use 2.x');
      assert.equal((await getVersion(db.knex, first.server.name, '99.0.0'))?.isLatest, true);
      assert.equal(
        (await getVersion(db.knex, previousLatest.server.name, previousLatest.server.version))?.isLatest,
        false,
      );

      peer.requests.length = 0;
      const idle = await sync();
      assert.deepEqual([idle.added, idle.updated, peer.requests.length], [0, 0, 1]);
    });

    test('5xx, dropped connections and timeouts are retried; a 429 waits for Retry-After', async () => {
      peer.faults.push({ status: 502 }, 'drop', 'hang', { status: 429, retryAfter: '1' });
      const quick = createUpstreamClient({
        baseUrl: peer.url,
        ratePerMinute: 60_000,
        timeoutMs: 1_000,
        userAgent: 'mirror-test',
        maxAttempts: 8,
      });
      const started = Date.now();
      const report = await syncMirror({
        db,
        upstream: quick,
        validator: sharedValidator(),
        marginSeconds: 300,
      });
      assert.ok(Date.now() - started >= 1_000, 'waited out Retry-After');
      assert.equal(report.added, fixture.length);
      assert.ok(report.requests >= 3 + 4, 'three pages plus four failed attempts');
      assert.ok(report.requests >= peer.requests.length);
    });

    test('a sync that fails changes nothing, and the next one resumes from the page it reached', async () => {
      const impatient = createUpstreamClient({
        baseUrl: peer.url,
        ratePerMinute: 60_000,
        timeoutMs: 30_000,
        userAgent: 'mirror-test',
        maxAttempts: 2,
      });
      peer.faultsFrom = 1; // page 1 answers; both attempts at page 2 fail
      peer.faults.push({ status: 500 }, { status: 500 });
      await assert.rejects(
        syncMirror({ db, upstream: impatient, validator: sharedValidator(), marginSeconds: 300 }),
        /upstream answered 500 \(after 2 attempts\)/,
      );
      assert.equal(await countVersions(db.knex), 0, 'nothing applied');
      const state = await loadMirrorState(db.knex, impatient.baseUrl);
      assert.equal(state.crawl?.cursor, `${fixture[99]!.server.name}:${fixture[99]!.server.version}`);
      assert.equal((await listMirrorRuns(db.knex))[0]?.status, 'failed');

      peer.requests.length = 0;
      const report = await sync();
      assert.equal(report.resumed, true);
      assert.equal(peer.requests.length, 2, 'pages 2 and 3 only');
      assert.match(peer.requests[0]!, /cursor=/);
      assert.equal(report.added, fixture.length);
      assert.equal(await countVersions(db.knex), fixture.length);
      const runs = await listMirrorRuns(db.knex);
      assert.equal(runs.length, 1, 'the resumed crawl finishes the run it belongs to');
      assert.equal(runs[0]?.status, 'succeeded');
    });

    test('entries that cannot be stored safely are refused and reported; the rest applies', async () => {
      const bad = [
        { server: { name: 'not a name', version: '1.0.0' }, _meta: fixture[0]!._meta },
        { server: { ...fixture[0]!.server, version: '1.0.0\r\nX: 1' }, _meta: fixture[0]!._meta },
        { server: { ...fixture[0]!.server, version: '2.0.0' }, _meta: { [OFFICIAL]: { status: 'gone' } } },
        {
          server: { ...fixture[0]!.server, version: '3.0.0', pad: 'x'.repeat(300_000) },
          _meta: fixture[0]!._meta,
        },
      ] as unknown as UpstreamEntry[];
      peer.entries.push(...bad);
      const report = await sync();
      assert.equal(report.refused, 4);
      assert.equal(report.added, fixture.length);
      assert.deepEqual(report.refusals.map((r) => r.reason).sort(), [
        'metadata status is not active, deprecated or deleted',
        'server name is missing or not a valid name',
        `server.json is ${Buffer.byteLength(JSON.stringify(bad[3]!.server))} bytes, over the 131072-byte limit`,
        'version is missing or cannot be addressed by a URL',
      ]);
      const withIssues = fixture.find((e) => e.server.$schema === '');
      if (withIssues) {
        const issues = await issuesOf(db.knex, withIssues.server.name, withIssues.server.version);
        assert.ok(Array.isArray(issues) && issues.length > 0);
      }
    });
  });
}
