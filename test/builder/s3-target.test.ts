// test-tier: slow
/**
 * The builder against the S3 target over the S3 protocol (s3rver): the same tree, the same bytes,
 * content types and cache classes as on the filesystem, and incremental builds that upload only
 * what changed. Needs NODE_OPTIONS=--openssl-legacy-provider for s3rver's paging (npm test sets it).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from '../../db/connect.js';
import { createS3Store } from '../../store/s3.js';
import { CACHE_CONTROL, type ObjectStore } from '../../store/types.js';
import { ANON } from '../helpers/app.js';
import { type BuildFixture, crawl, openBuildFixture } from '../helpers/builder.js';
import { openTestPGlite } from '../helpers/db.js';
import { startS3rver } from '../helpers/s3.js';
import { isSearchPageKey, searchPagesBound } from '../helpers/search-pages.js';

describe('builder → S3 (s3rver)', () => {
  let s3: Awaited<ReturnType<typeof startS3rver>>;
  let store: ObjectStore;
  let db: Database;
  let f: BuildFixture;
  const puts: string[] = [];

  before(async () => {
    s3 = await startS3rver('registry');
    const client = s3.client;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutObjectCommand') puts.push((args.input as { Key: string }).Key);
        return next(args);
      },
      { step: 'initialize', name: 'countPuts' },
    );
    store = createS3Store({ bucket: 'registry', prefix: 'public', client });
    db = await openTestPGlite();
    f = await openBuildFixture(db, store);
  });
  after(async () => {
    await f.close();
    await db.close();
    await s3.close();
  });

  it('builds the tree into the bucket and uploads only changes afterwards', async () => {
    for (let i = 0; i < 60; i++) await f.publish({ name: `${ANON}/s3-${i}`, version: '1.0.0' });
    const first = await f.build();
    assert.equal(first.status, 'succeeded', first.error);
    assert.equal(puts.length, first.objectsWritten);
    assert.equal((await crawl(f)).length, 60);

    const page = await store.head('lists/live/25/first.json');
    assert.equal(page?.contentType, 'application/json');
    assert.equal(page?.cacheControl, CACHE_CONTROL.mutable);
    const manifest = await store.head(`manifest/${first.runId}.json`);
    assert.equal(manifest?.cacheControl, CACHE_CONTROL.immutable);
    const etagBefore = (await store.head(`servers/${ANON}/s3-1/index.json`))?.etag;

    puts.length = 0;
    await f.publish({ name: `${ANON}/s3-7`, version: '2.0.0' });
    const next = await f.build();
    assert.equal(next.status, 'succeeded', next.error);
    assert.equal(puts.length, next.objectsWritten);
    // The lists and documents (see incremental.test.ts), plus the server's ?search= result pages.
    const search = puts.filter((key) => isSearchPageKey(key.replace(/^public\//, ''))).length;
    assert.ok(puts.length - search <= 40, `one publish uploaded ${puts.length - search} objects`);
    assert.ok(search <= searchPagesBound({ name: `${ANON}/s3-7` }), `${search} search pages`);
    assert.ok(
      puts.every((key) => !key.includes('/s3-1/')),
      'unrelated servers are not uploaded',
    );
    assert.equal((await store.head(`servers/${ANON}/s3-1/index.json`))?.etag, etagBefore);

    puts.length = 0;
    assert.equal((await f.build()).objectsWritten, 0);
    assert.equal(puts.length, 0);
  });
});
