import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { editVersion } from '../../api/services/edit.js';
import { ServerQuarantine } from '../../builder/quarantine.js';
import { PUBLISHER_PROVIDED_META_KEY } from '../../core/server-json.js';
import type { ServerList, VersionRecord } from '../../core/shapes.js';
import { listQuarantined } from '../../db/repositories/quarantine.js';
import { ANON, serverJson, sharedValidator, startTestApi } from '../helpers/app.js';
import { type BuildFixture, OPERATOR, useBuildFixture } from '../helpers/builder.js';
import { testBackends } from '../helpers/db.js';

const BIG = `${ANON}/big`;
const SMALL = `${ANON}/small`;
const versionsUrl = (name: string) => `/v0.1/servers/${encodeURIComponent(name)}/versions`;
/** A version of ~3.3 KB: the publisher-provided `_meta` is the one place a document may carry bulk. */
const bulky = (version: string) => ({
  name: BIG,
  version,
  _meta: { [PUBLISHER_PROVIDED_META_KEY]: { notes: 'x'.repeat(3_000) } },
});

for (const backend of testBackends()) {
  describe(`server quarantine (${backend.name})`, () => {
    let f: BuildFixture;
    useBuildFixture(backend, (fixture) => {
      f = fixture;
      f.options.serverByteBudget = 10_000;
    });

    it('skips a server past its byte budget, completes the build, shows it, and renders it once fixed', async () => {
      for (const v of ['1.0.0', '1.0.1', '1.0.2', '1.0.3']) await f.publish(bulky(v));
      await f.publish({ name: SMALL, version: '1.0.0' });

      const outcome = await f.build();
      assert.equal(outcome.status, 'succeeded', outcome.error);
      assert.equal((await f.get(versionsUrl(SMALL))).status, 200, 'the rest of the registry is built');
      assert.equal((await f.get(versionsUrl(BIG))).status, 404, 'the quarantined server is skipped');
      const held = await listQuarantined(f.db.knex);
      assert.deepEqual(
        held.map((q) => q.serverName),
        [BIG],
      );
      assert.match(held[0]?.reason ?? '', /per-server budget/);

      // Health and metrics show it.
      const api = await startTestApi(f.db);
      try {
        const health = (await api.request('GET', '/v0/health')).json();
        assert.equal(health.status, 'degraded');
        assert.deepEqual(
          health.builder.quarantined.map((q: { serverName: string }) => q.serverName),
          [BIG],
        );
        const metrics = await api.request('GET', '/metrics');
        assert.match(metrics.body, /^registry_quarantined_servers 1$/m);
      } finally {
        await api.app.close();
      }

      // A build with no change to it does not try again.
      await f.publish({ name: SMALL, version: '1.0.1' });
      assert.equal((await f.build()).status, 'succeeded');
      assert.equal((await listQuarantined(f.db.knex)).length, 1);

      // A fix to the data (two versions scrubbed by an administrator) releases it.
      const ctx = { knex: f.db.knex, validator: sharedValidator() };
      for (const v of ['1.0.0', '1.0.1']) {
        await editVersion(ctx, BIG, v, serverJson({ name: BIG, version: v }), OPERATOR);
      }
      assert.equal((await f.build()).status, 'succeeded');
      assert.deepEqual(await listQuarantined(f.db.knex), []);
      const list = (await f.get(versionsUrl(BIG))).body as ServerList;
      assert.equal(list.servers.length, 4);
    });

    it("a full build keeps a quarantined server's documents instead of deleting them", async () => {
      f.options.serverByteBudget = 1_000_000;
      for (const v of ['1.0.0', '1.0.1']) await f.publish(bulky(v));
      assert.equal((await f.build()).status, 'succeeded');
      assert.equal((await f.get(versionsUrl(BIG))).status, 200);

      f.options.serverByteBudget = 5_000;
      await f.publish(bulky('1.0.2'));
      const outcome = await f.build('full');
      assert.equal(outcome.status, 'succeeded', outcome.error);
      assert.equal((await listQuarantined(f.db.knex)).length, 1);
      const stale = (await f.get(versionsUrl(BIG))).body as ServerList;
      assert.equal(stale.servers.length, 2, 'the documents from before stay, stale but whole');
    });

    it('an operator releases a server and a full build is queued', async () => {
      for (const v of ['1.0.0', '1.0.1', '1.0.2', '1.0.3']) await f.publish(bulky(v));
      await f.build();
      const api = await startTestApi(f.db);
      try {
        const admin = await api.token({ permissions: [...OPERATOR.permissions] });
        const url = `/v0/admin/quarantine/${encodeURIComponent(BIG)}`;
        assert.equal(
          (await api.request('DELETE', url, { token: await api.anonymousToken() })).statusCode,
          403,
        );
        const released = await api.request('DELETE', url, { token: admin });
        assert.equal(released.statusCode, 202);
        assert.equal(typeof released.json().build, 'number');
        assert.deepEqual(await listQuarantined(f.db.knex), []);
        assert.equal((await api.request('DELETE', url, { token: admin })).statusCode, 404);
      } finally {
        await api.app.close();
      }
    });

    it('a render that throws quarantines the server instead of failing the build', async () => {
      const quarantine = await ServerQuarantine.load(f.db.knex, 'test-target', pino({ level: 'silent' }));
      const broken = {
        serverName: BIG,
        version: '1.0.0',
        // JSON.stringify throws on a BigInt, as it throws "Invalid string length" past V8's limit.
        value: { name: BIG, description: 'd', version: '1.0.0', size: 1n },
        status: 'active',
        statusChangedAt: '2026-11-24T12:00:00.000Z',
        statusMessage: null,
        publishedAt: '2026-11-24T12:00:00.000Z',
        updatedAt: '2026-11-24T12:00:00.000Z',
        isLatest: true,
        seq: 7,
      } as unknown as VersionRecord;
      assert.equal(await quarantine.render(BIG, [broken], 'all'), undefined);
      const [held] = await listQuarantined(f.db.knex, 'test-target');
      assert.equal(held?.seq, 7);
      assert.match(held?.reason ?? '', /BigInt/);
    });
  });
}
