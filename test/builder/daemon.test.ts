// test-tier: slow
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type BuilderDaemon, type DaemonOptions, startBuilderDaemon } from '../../builder/daemon.js';
import { createCloudFrontInvalidator } from '../../builder/invalidate/cloudfront.js';
import { createRun, getRun, listRuns, queueRun } from '../../db/repositories/builds.js';
import { ANON } from '../helpers/app.js';
import { type BuildFixture, crawl, openBuildFixture } from '../helpers/builder.js';
import { type CloudFrontPeer, startCloudFrontPeer } from '../helpers/cloudfront-peer.js';
import { resetDatabase, testBackends } from '../helpers/db.js';

for (const backend of testBackends()) {
  describe(`builder daemon (${backend.name})`, () => {
    let f: BuildFixture;
    let db: Awaited<ReturnType<typeof backend.open>>;
    let daemon: BuilderDaemon | undefined;
    let peer: CloudFrontPeer;
    before(async () => {
      db = await backend.open();
      peer = await startCloudFrontPeer();
    });
    after(async () => {
      await daemon?.stop();
      await f?.close();
      await db.close();
      await peer.close();
    });
    beforeEach(async () => {
      await daemon?.stop();
      daemon = undefined;
      await f?.close();
      await resetDatabase(db);
      peer.reset();
      f = await openBuildFixture(db);
    });

    const options = (extra: Partial<DaemonOptions> = {}): DaemonOptions => ({
      ...f.options,
      now: () => new Date(),
      databaseUrl: db.url,
      debounceMs: 50,
      pollMs: 60_000, // long: the tests prove notifications wake the daemon, not the poll
      schedules: { incremental: undefined, nightly: undefined },
      ...extra,
    });

    it('builds soon after a change, woken by the notification', async () => {
      daemon = await startBuilderDaemon(options());
      await daemon.settled();
      await f.publish({ name: `${ANON}/woken`, version: '1.0.0' });
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        if (
          (await f.get(`/v0.1/servers/${encodeURIComponent(`${ANON}/woken`)}/versions/latest`)).status === 200
        )
          break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(
        (await f.get(`/v0.1/servers/${encodeURIComponent(`${ANON}/woken`)}/versions/latest`)).status,
        200,
      );
    });

    it('coalesces a burst of publishes into a few builds', async () => {
      const outcomes: string[] = [];
      daemon = await startBuilderDaemon(options({ onBuild: (o) => outcomes.push(o.status) }));
      await daemon.settled();
      outcomes.length = 0;
      for (let i = 0; i < 200; i++) await f.publish({ name: `${ANON}/burst${i}`, version: '1.0.0' });
      await daemon.settled();
      assert.equal((await crawl(f)).length, 200);
      assert.ok(
        outcomes.length >= 1 && outcomes.length <= 40,
        `200 publishes caused ${outcomes.length} builds`,
      );
      assert.ok(outcomes.every((s) => s === 'succeeded'));
    });

    it('runs queued requests, retries runs a dead builder abandoned, and queues a schedule slot once', async () => {
      daemon = await startBuilderDaemon(options());
      await daemon.settled();
      const queued = await queueRun(db.knex, { kind: 'full', requestedBy: 'test:operator' });
      // A run a killed builder left 'running' on this target.
      const dead = await createRun(db.knex, {
        kind: 'incremental',
        requestedBy: 'test:dead',
        status: 'running',
        target: f.store.description,
      });
      daemon.wake();
      await daemon.settled();
      assert.equal((await getRun(db.knex, queued as number))?.status, 'succeeded');
      const abandoned = await getRun(db.knex, dead);
      assert.equal(abandoned?.status, 'failed');
      assert.match(abandoned?.error ?? '', /abandoned/);
      const retry = (await listRuns(db.knex, { limit: 50 })).find((r) => r.retryOf === dead);
      assert.equal(retry?.status, 'succeeded');
      assert.equal(retry?.attempt, 2);

      const slot = 'nightly:full:2026-11-24T03:17';
      assert.notEqual(
        await queueRun(db.knex, { kind: 'full', requestedBy: 'schedule:nightly', scheduleSlot: slot }),
        undefined,
      );
      assert.equal(
        await queueRun(db.knex, { kind: 'full', requestedBy: 'schedule:nightly', scheduleSlot: slot }),
        undefined,
      );
    });

    it('invalidates changed mutable paths on the CDN, and retries a failed invalidation later', async () => {
      const invalidator = createCloudFrontInvalidator({
        distributionId: peer.distributionId,
        endpoint: peer.endpoint,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      });
      daemon = await startBuilderDaemon(options({ invalidator }));
      await daemon.settled();
      peer.reset();
      await f.publish({ name: `${ANON}/cdn`, version: '1.0.0' });
      await daemon.settled();
      const paths = peer.invalidations.flatMap((i) => i.paths);
      assert.ok(paths.includes(`/servers/${ANON}/cdn/latest.json`), JSON.stringify(paths));
      assert.ok(paths.includes('/index.json'));
      assert.ok(!paths.some((p) => p.startsWith('/manifest/')), 'immutable objects are never invalidated');

      peer.failNext(1, { status: 503, code: 'ServiceUnavailable', type: 'Receiver' });
      await f.publish({ name: `${ANON}/cdn`, version: '2.0.0' });
      await daemon.settled();
      const failed = await db.knex('cdn_invalidations').where({ status: 'pending' });
      assert.equal(failed.length, 1, 'the failed invalidation is recorded, pending');
      assert.match(failed[0].last_error, /ServiceUnavailable/);
      // Its backoff over, the next pass sends it.
      await db.knex('cdn_invalidations').update({ updated_at: db.knex.raw("now() - interval '1 hour'") });
      daemon.wake();
      await daemon.settled();
      assert.equal((await db.knex('cdn_invalidations').where({ status: 'pending' })).length, 0);
      invalidator.close();
    });

    if (backend.name === 'postgres') {
      it('two daemons on one database never build at once and both settle', async () => {
        const second = await startBuilderDaemon(options());
        daemon = await startBuilderDaemon(options());
        try {
          for (let i = 0; i < 120; i++) await f.publish({ name: `${ANON}/pair${i}`, version: '1.0.0' });
          await Promise.all([daemon.settled(), second.settled()]);
          const runs = (await listRuns(db.knex, { limit: 1000 })).filter((r) => r.startedAt && r.finishedAt);
          const spans = runs.map(
            (r) => [Date.parse(r.startedAt as string), Date.parse(r.finishedAt as string)] as const,
          );
          spans.sort((a, b) => a[0] - b[0]);
          for (let i = 1; i < spans.length; i++) {
            assert.ok((spans[i]?.[0] ?? 0) >= (spans[i - 1]?.[1] ?? 0), 'builds did not overlap');
          }
          assert.equal((await crawl(f)).length, 120);
        } finally {
          await second.stop();
        }
      });
    }
  });
}
