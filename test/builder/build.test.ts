import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { ServerList, ServerResponse } from '../../core/shapes.js';
import { ANON } from '../helpers/app.js';
import { type BuildFixture, crawl, useBuildFixture } from '../helpers/builder.js';
import { testBackends } from '../helpers/db.js';

for (const backend of testBackends()) {
  describe(`builder (${backend.name})`, () => {
    let f: BuildFixture;
    useBuildFixture(backend, (fixture) => {
      f = fixture;
    });

    it('builds the official documents after publishes', async () => {
      await f.publish({ name: `${ANON}/weather`, version: '1.0.0' });
      await f.publish({ name: `${ANON}/weather`, version: '1.1.0+build.7' });
      await f.publish({ name: `${ANON}/maps`, version: '0.1.0' });
      const outcome = await f.build();
      assert.equal(outcome.status, 'succeeded', outcome.error);
      assert.ok(outcome.objectsWritten > 10);

      const versions = await f.get(`/v0.1/servers/${encodeURIComponent(`${ANON}/weather`)}/versions`);
      assert.equal(versions.status, 200);
      const list = versions.body as ServerList;
      assert.deepEqual(
        list.servers.map((s) => s.server.version),
        ['1.1.0+build.7', '1.0.0'],
      );
      const one = await f.get(`/v0/servers/${encodeURIComponent(`${ANON}/weather`)}/versions/1.1.0+build.7`);
      assert.equal(one.status, 200);
      assert.equal(
        (one.body as ServerResponse)._meta['io.modelcontextprotocol.registry/official'].isLatest,
        true,
      );
      const latest = await f.get(`/v0.1/servers/${encodeURIComponent(`${ANON}/weather`)}/versions/latest`);
      assert.equal((latest.body as ServerResponse).server.version, '1.1.0+build.7');

      assert.deepEqual(await crawl(f), [
        `${ANON}/maps:0.1.0`,
        `${ANON}/weather:1.0.0`,
        `${ANON}/weather:1.1.0+build.7`,
      ]);
      assert.deepEqual(await crawl(f, 'version=latest'), [
        `${ANON}/maps:0.1.0`,
        `${ANON}/weather:1.1.0+build.7`,
      ]);

      // The CDN's answer for URLs with no object (CloudFront's custom 404 response): problem+json.
      const notFound = await f.store.get('errors/not-found.json');
      assert.equal(notFound?.info.contentType, 'application/problem+json');
      assert.deepEqual(
        { ...JSON.parse(Buffer.from(notFound?.body as Uint8Array).toString('utf8')), detail: '' },
        { title: 'Not Found', status: 404, detail: '' },
      );
      // It is not a public URL of its own: the edge answers that path with its own 404.
      assert.equal((await f.get('/errors/not-found.json')).status, 404);

      // The build manifest lists every key the build wrote, with the stored bytes' sha256.
      const stored = await f.store.get(`manifest/${outcome.runId}.json`);
      assert.equal(stored?.info.contentEncoding, 'gzip');
      const manifest = JSON.parse(gunzipSync(stored?.body as Uint8Array).toString('utf8')) as {
        build: number;
        changes: { key: string; sha256?: string; size?: number; deleted?: true }[];
      };
      assert.equal(manifest.build, outcome.runId);
      const entry = manifest.changes.find((c) => c.key === 'lists/live/25/first.json');
      const page = await f.store.get('lists/live/25/first.json');
      assert.equal(
        entry?.sha256,
        createHash('sha256')
          .update(page?.body as Uint8Array)
          .digest('hex'),
      );
      assert.equal(
        manifest.changes.length,
        outcome.objectsWritten - 3,
        'all but the manifest, root and signature',
      );

      const noop = await f.build();
      assert.equal(noop.objectsWritten, 0);
      assert.equal(noop.objectsDeleted, 0);
      const fullAgain = await f.build('full');
      assert.equal(fullAgain.status, 'succeeded', fullAgain.error);
      assert.equal(
        fullAgain.objectsWritten,
        0,
        'a full build after an incremental one finds nothing to change',
      );
      assert.equal(fullAgain.objectsDeleted, 0);
    });

    it('a full build plans its key lookups on fresh statistics of the tree table', async () => {
      // Neither PGlite nor a server with autovacuum off refreshes them: without the builder's ANALYZE
      // the planner keeps an empty table's estimates and answers key lookups by scanning the target.
      await f.publish({ name: `${ANON}/stats`, version: '1.0.0' });
      await f.publish({ name: `${ANON}/stats`, version: '1.1.0' });
      await f.build();
      const stored = Number(
        ((await f.db.knex('tree_objects').count({ n: '*' }).first()) as { n: string | number }).n,
      );
      assert.ok(stored > 10);
      await f.build('full');
      // ANALYZE reads every row of a table this small, so the estimate is exact.
      const { rows } = await f.db.knex.raw(
        "select reltuples::bigint as n from pg_class where relname = 'tree_objects'",
      );
      assert.equal(Number(rows[0].n), stored);
    });
  });
}
