// test-tier: slow
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { type LocalCdn, startLocalCdn } from '../../cdn/local-server.js';
import { createSearchClient } from '../../client/search.js';
import { classifyKey } from '../../core/layout/key-shapes.js';
import { SEARCH_MANIFEST_KEY } from '../../core/layout/search-keys.js';
import { type SearchManifest, shardKey } from '../../core/search/index-format.js';
import { serverTerms, shardOf } from '../../core/search/text.js';
import { ANON } from '../helpers/app.js';
import { type BuildFixture, useBuildFixture } from '../helpers/builder.js';
import { testBackends } from '../helpers/db.js';

/** The keys build `runId` wrote, from its build manifest. */
async function writtenKeys(f: BuildFixture, runId: number): Promise<string[]> {
  const stored = await f.store.get(`manifest/${runId}.json`);
  const manifest = JSON.parse(gunzipSync(stored?.body as Uint8Array).toString('utf8')) as {
    changes: { key: string; deleted?: true }[];
  };
  return manifest.changes.filter((c) => !c.deleted).map((c) => c.key);
}

async function readManifest(f: BuildFixture): Promise<SearchManifest> {
  const stored = await f.store.get(SEARCH_MANIFEST_KEY);
  return JSON.parse(Buffer.from(stored?.body as Uint8Array).toString('utf8')) as SearchManifest;
}

const doc = (name: string, description: string, extra: Record<string, unknown> = {}) => ({
  name: `${ANON}/${name}`,
  description,
  packages: [],
  ...extra,
});

/** Objects of the search index (the `?search=` result pages under search/q/ are another renderer's). */
const INDEX_KINDS = new Set(['search-manifest', 'search-terms', 'search-docs']);
const isIndexKey = (key: string): boolean => INDEX_KINDS.has(classifyKey(key)?.kind ?? '');

for (const backend of testBackends()) {
  describe(`search index in builds (${backend.name})`, () => {
    let f: BuildFixture;
    let cdn: LocalCdn | undefined;
    let cdnRoot: string | undefined;
    useBuildFixture(backend, (fixture) => {
      f = fixture;
    });
    before(() => {
      cdn = undefined;
    });
    after(async () => cdn?.close());

    /** A client of the tree through the real local CDN over HTTP (a fresh one: no cached manifest). */
    async function search(query: string) {
      if (!cdn || cdnRoot !== f.root) {
        await cdn?.close();
        cdn = await startLocalCdn({ root: f.root, port: 0, cache: { maxBytes: 0 } });
        cdnRoot = f.root;
      }
      return createSearchClient({ baseUrl: cdn.url }).search(query);
    }

    it('indexes each server’s latest version: deprecated marked, deleted absent, over HTTP', async () => {
      await f.publish(doc('alpine-weather', 'Forecasts for mountains'));
      await f.publish(doc('beta-maps', 'Maps with weather layers', { version: '1.0.0' }));
      await f.publish(doc('gamma', 'Old text'));
      assert.equal((await f.build()).status, 'succeeded');
      let result = await search('weather');
      assert.deepEqual(
        result.hits.map((h) => h.name),
        [`${ANON}/alpine-weather`, `${ANON}/beta-maps`],
      );
      assert.ok(result.bytesFetched > 0);

      await f.publish(doc('gamma', 'Weather radar', { version: '2.0.0' }));
      await f.setStatus(`${ANON}/beta-maps`, '1.0.0', 'deprecated');
      await f.setStatus(`${ANON}/alpine-weather`, undefined, 'deleted');
      assert.equal((await f.build()).status, 'succeeded');
      result = await search('weather');
      assert.deepEqual(
        result.hits.map((h) => [h.name, h.status, h.version]),
        [
          [`${ANON}/beta-maps`, 'deprecated', '1.0.0'],
          [`${ANON}/gamma`, 'active', '2.0.0'],
        ],
      );
      assert.equal((await search('old text')).total, 0, 'the latest version’s text only');
      assert.equal((await search('mountains')).total, 0, 'deleted servers are not found');
      assert.equal((await readManifest(f)).servers, 2);
    });

    it('a publish rewrites the shards of its terms, one bucket and the manifest; old shards stay readable', async () => {
      for (let i = 0; i < 12; i++) await f.publish(doc(`tool-${i}`, `Server number ${i} for quokka tests`));
      const first = await f.build();
      assert.equal(first.status, 'succeeded');
      const before = await readManifest(f);

      const added = doc('zephyr-quokka', 'Quokka zephyr station', { title: 'Zephyr' });
      await f.publish(added);
      const outcome = await f.build();
      assert.equal(outcome.status, 'succeeded');
      const written = (await writtenKeys(f, outcome.runId)).filter(isIndexKey);
      const kinds = written.map((k) => classifyKey(k));
      const shards = kinds.flatMap((k) => (k?.kind === 'search-terms' ? [k.prefix] : []));
      const expected = [...new Set([...serverTerms(added).keys()].map(shardOf))];
      assert.deepEqual(shards.sort(), expected.sort(), 'the shards of the new server’s terms, no other');
      assert.equal(kinds.filter((k) => k?.kind === 'search-docs').length, 1);
      assert.deepEqual(
        written.filter((k) => classifyKey(k)?.kind === 'search-manifest'),
        [SEARCH_MANIFEST_KEY],
      );
      assert.ok(written.length <= 96 + 2);

      // A reader holding the previous manifest still finds every object it names.
      for (const stem of Object.values(before.shards)) assert.ok(await f.store.head(shardKey(stem)), stem);
      const found = await search('quokka');
      assert.equal(found.hits[0]?.name, `${ANON}/zephyr-quokka`);
      assert.equal(found.total, 13);

      // A publish that changes no term (a new version, same text) rewrites one bucket and the manifest.
      await f.publish({ ...added, version: '1.0.1' });
      const quiet = await f.build();
      const quietKeys = (await writtenKeys(f, quiet.runId)).filter(isIndexKey);
      assert.deepEqual(quietKeys.map((k) => classifyKey(k)?.kind).sort(), ['search-docs', 'search-manifest']);

      // A full build renders the same index: not one search object differs.
      const full = await f.build('full');
      assert.equal(full.status, 'succeeded', full.error);
      const fullKeys = full.objectsWritten === 0 ? [] : await writtenKeys(f, full.runId);
      assert.deepEqual(fullKeys.filter(isIndexKey), []);
    });

    it('a tree without an index gets a whole one from an incremental build', async () => {
      await f.publish(doc('first', 'Lonely server'));
      assert.equal((await f.build()).status, 'succeeded');
      // As a registry built before the search migration: no search state, no index in the tree.
      const keys = (await f.db.knex('tree_objects').select('key').where('key', 'like', 'search/%')).map(
        (r: { key: string }) => r.key,
      );
      await f.store.delete(keys);
      await f.db.knex('tree_objects').whereIn('key', keys).delete();
      await f.db.knex('search_terms').delete();
      await f.db.knex('search_docs').delete();
      await f.publish(doc('second', 'Another lonely server'));
      assert.equal((await f.build()).status, 'succeeded');
      assert.equal((await search('lonely')).total, 2);
    });
  });
}
