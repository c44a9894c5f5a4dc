// test-tier: slow
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { publishVersion } from '../../api/services/publish.js';
import { verifyDetached } from '../../core/crypto.js';
import type { RootDocument, SnapshotManifest, SnapshotPointer } from '../../core/layout/documents.js';
import { type ServerList, type ServerResponse, toServerResponse } from '../../core/shapes.js';
import { viewRecordsAfter } from '../../db/repositories/list-views.js';
import { ANON, intoAnonymous, loadExamples, sharedValidator } from '../helpers/app.js';
import { type BuildFixture, OPERATOR, useBuildFixture } from '../helpers/builder.js';
import { testBackends } from '../helpers/db.js';
import { responseValidators } from '../helpers/openapi.js';

const id = (item: ServerResponse) => `${item.server.name}:${item.server.version}`;

async function bytes(f: BuildFixture, key: string): Promise<Buffer> {
  const stored = await f.store.get(key);
  assert.ok(stored, `${key} exists`);
  return Buffer.from(stored.body);
}

async function json<T>(f: BuildFixture, key: string): Promise<T> {
  return JSON.parse((await bytes(f, key)).toString('utf8')) as T;
}

/** The current state as an aggregator should end up with it: every version, official shape. */
async function currentState(f: BuildFixture): Promise<Map<string, ServerResponse>> {
  const records = await viewRecordsAfter(f.db.knex, 'all', undefined, 100_000);
  return new Map(records.map((r) => [`${r.serverName}:${r.version}`, toServerResponse(r)]));
}

/** Replays feed pages from `cursor` (or from the page an URL maps to) onto `state`. */
async function followFeed(
  f: BuildFixture,
  state: Map<string, ServerResponse>,
  firstUrl: string,
): Promise<number> {
  let url: string | undefined = firstUrl;
  let pages = 0;
  while (url) {
    const res = await f.get(url);
    assert.equal(res.status, 200, `${url} answers`);
    const page = res.body as ServerList;
    for (const item of page.servers) state.set(id(item), item);
    pages++;
    url = page.metadata.nextCursor
      ? `/v0.1/servers?cursor=${encodeURIComponent(page.metadata.nextCursor)}`
      : undefined;
  }
  return pages;
}

for (const backend of testBackends()) {
  describe(`snapshots, feed and signatures (${backend.name})`, () => {
    let f: BuildFixture;
    useBuildFixture(backend, (fixture) => {
      f = fixture;
    });

    it('snapshot(seq N) plus the feed since N equals the current state, across days', async () => {
      for (let i = 0; i < 150; i++) await f.publish({ name: `${ANON}/feed${i}`, version: '1.0.0' });
      f.now = new Date('2026-11-20T10:00:00Z');
      const snap = await f.build('snapshot');
      assert.equal(snap.status, 'succeeded', snap.error);
      assert.equal(snap.snapshot?.status, 'written');

      const pointer = await json<SnapshotPointer>(f, 'snapshots/latest.json');
      const manifest = await json<SnapshotManifest>(f, pointer.manifest);
      const data = await bytes(f, manifest.data.key);
      assert.equal(manifest.data.size, data.length);
      const snapshot = JSON.parse(gunzipSync(data).toString('utf8')) as ServerList;
      assert.equal(snapshot.servers.length, manifest.count);
      assert.equal(manifest.count, 150);
      const state = new Map(snapshot.servers.map((s) => [id(s), s]));

      // Changes over the following days, each day's builds appending to that day's feed.
      for (const [batch, [day, changes]] of [
        ['2026-11-20T18:00:00Z', 30],
        ['2026-11-21T09:00:00Z', 0],
        ['2026-11-23T09:00:00Z', 140],
        ['2026-11-23T21:00:00Z', 5],
      ].entries() as IterableIterator<[number, readonly [string, number]]>) {
        for (let i = 0; i < changes; i++) {
          if (i % 5 === 4)
            await f.setStatus(`${ANON}/feed${i}`, '1.0.0', 'deprecated').catch(() => undefined);
          else if (i % 7 === 6)
            await f.setStatus(`${ANON}/feed${i}`, undefined, 'deleted').catch(() => undefined);
          else await f.publish({ name: `${ANON}/feed${i}`, version: `1.${batch + 1}.${i}` });
        }
        f.now = new Date(day);
        assert.equal((await f.build()).status, 'succeeded');
      }

      const pages = await followFeed(
        f,
        state,
        `/v0.1/servers?cursor=${encodeURIComponent(manifest.feedCursor)}`,
      );
      assert.ok(pages > 3, `the replay crossed pages and days (${pages} pages)`);
      assert.deepEqual(new Map([...state].sort()), new Map([...(await currentState(f))].sort()));

      // updated_since from before the snapshot gives the same result from scratch: the whole feed.
      const fromScratch = new Map<string, ServerResponse>();
      await followFeed(f, fromScratch, '/v0.1/servers?updated_since=2025-01-01T00:00:00Z');
      assert.deepEqual(new Map([...fromScratch].sort()), new Map([...(await currentState(f))].sort()));
      // A day with no changes (2026-11-22) answers its segment's first page: changes, never an empty page.
      const quiet = await f.get('/v0.1/servers?updated_since=2026-11-22T08:00:00Z');
      assert.equal(quiet.status, 200);
      assert.ok((quiet.body as ServerList).servers.length > 0);
      // Tomorrow's page exists before tomorrow.
      assert.equal((await f.get('/v0.1/servers?updated_since=2026-11-24T00:00:01Z')).status, 200);

      // A second snapshot the same day does not rewrite the immutable dated objects.
      assert.equal((await f.build('snapshot')).snapshot?.status, 'written');
      const again = await f.build('snapshot');
      assert.equal(again.snapshot?.status, 'exists');
      assert.equal(again.objectsWritten, 0);
    });

    it('keeps dated snapshots for the retention period', async () => {
      f.options.snapshotRetentionDays = 2;
      for (const day of ['2026-11-20', '2026-11-21', '2026-11-23', '2026-11-24']) {
        await f.publish({ name: `${ANON}/kept`, version: `1.0.${day.slice(8)}` });
        f.now = new Date(`${day}T04:00:00Z`);
        const outcome = await f.build('snapshot');
        assert.equal(outcome.snapshot?.status, 'written', outcome.error);
      }
      const days = new Set<string>();
      for await (const key of f.store.list('snapshots/')) days.add(key.split('/')[1] as string);
      assert.deepEqual([...days].sort(), ['2026-11-23', '2026-11-24', 'latest.json', 'latest.json.sig']);
      assert.equal((await json<SnapshotPointer>(f, 'snapshots/latest.json')).day, '2026-11-24');
    });

    it('signs the root and snapshot manifests so OpenSSL and Node verify them', async () => {
      await f.publish({ name: `${ANON}/signed`, version: '1.0.0' });
      assert.equal((await f.build('snapshot')).status, 'succeeded');
      const pem = (await bytes(f, 'keys/site-signing-key.pem')).toString('utf8');
      assert.equal(pem, f.signer.publicKeyPem);
      const root = await json<RootDocument>(f, 'index.json');
      assert.equal(root.seq, 1);
      const pointer = await json<SnapshotPointer>(f, 'snapshots/latest.json');
      for (const key of ['index.json', 'snapshots/latest.json', pointer.manifest]) {
        const body = await bytes(f, key);
        const signature = await bytes(f, `${key}.sig`);
        assert.equal(signature.length, 64);
        assert.ok(verifyDetached(pem, body, signature), `${key} verifies`);
        const tampered = Buffer.from(body);
        tampered.writeUInt8(tampered.readUInt8(tampered.length - 2) ^ 1, tampered.length - 2);
        assert.equal(verifyDetached(pem, tampered, signature), false, `${key} tampered fails`);
        // The README's OpenSSL command, run as an aggregator would.
        const dir = f.root;
        writeFileSync(join(dir, 'check.pem'), pem);
        writeFileSync(join(dir, 'check.body'), body);
        writeFileSync(join(dir, 'check.sig'), signature);
        const out = execFileSync('openssl', [
          'pkeyutl',
          '-verify',
          '-pubin',
          '-inkey',
          join(dir, 'check.pem'),
          '-rawin',
          '-in',
          join(dir, 'check.body'),
          '-sigfile',
          join(dir, 'check.sig'),
        ]).toString();
        assert.match(out, /Signature Verified Successfully/);
      }
    });

    it('writes only documents in the official response shapes', async () => {
      const ctx = { knex: f.db.knex, validator: sharedValidator() };
      for (const { doc } of loadExamples()) await publishVersion(ctx, intoAnonymous(doc), OPERATOR);
      await f.publish({ name: `${ANON}/gone`, version: '1.0.0' });
      await f.setStatus(`${ANON}/gone`, '1.0.0', 'deleted');
      assert.equal((await f.build('snapshot')).status, 'succeeded');
      const { serverList, serverResponse } = responseValidators();
      const counts = { list: 0, single: 0 };
      for await (const key of f.store.list('')) {
        let validate: typeof serverList | undefined;
        let body: unknown;
        if (/^(lists|feed)\//.test(key) || /^servers\/.*\/index(\.all)?\.json$/.test(key))
          validate = serverList;
        else if (/^servers\/.*\/(latest(\.all)?|va?\/[^/]+)\.json$/.test(key)) validate = serverResponse;
        else if (/^snapshots\/.*\/servers\.json\.gz$/.test(key)) {
          validate = serverList;
          body = JSON.parse(gunzipSync(await bytes(f, key)).toString('utf8'));
        }
        if (!validate) continue;
        body ??= await json(f, key);
        assert.ok(validate(body), `${key}: ${JSON.stringify(validate.errors)}`);
        counts[validate === serverList ? 'list' : 'single']++;
      }
      assert.ok(counts.list > 40 && counts.single > 40, JSON.stringify(counts));
    });
  });
}
