import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memoryIndexObjects } from '../../builder/search-index.js';
import type { RenderedObject } from '../../builder/writer.js';
import { createSearchClient, type FetchLike, SearchError } from '../../client/search.js';
import { buildMemoryIndex, type IndexedServer } from '../../core/search/build-index.js';
import { combineMatches } from '../../core/search/rank.js';

const BASE = 'https://registry.test';

/** The objects as a fetch answers them: the pure tier (no HTTP; the CDN test serves the same over HTTP). */
function serve(objects: readonly RenderedObject[]): {
  fetch: FetchLike;
  urls: string[];
  objects: Map<string, Uint8Array>;
} {
  const byKey = new Map(objects.map((o) => [o.key, o.body]));
  const urls: string[] = [];
  const fetch: FetchLike = async (url) => {
    urls.push(url);
    const body = byKey.get(url.slice(BASE.length + 1));
    return {
      ok: body !== undefined,
      status: body === undefined ? 404 : 200,
      headers: { get: () => null },
      arrayBuffer: async () => (body ? new Uint8Array(body).buffer : new ArrayBuffer(0)),
    };
  };
  return { fetch, urls, objects: byKey };
}

let nextDoc = 0;
function server(
  name: string,
  fields: Record<string, unknown> = {},
  status: IndexedServer['status'] = 'active',
): IndexedServer {
  return { doc: nextDoc++, server: { name, version: '1.0.0', ...fields }, status };
}

const SERVERS: IndexedServer[] = [
  server('io.github.zed/tools', { remotes: [{ type: 'sse', url: 'https://weather.example.net/sse' }] }),
  server('io.github.yan/kit', { packages: [{ registryType: 'npm', identifier: '@yan/weather-kit' }] }),
  server('io.github.xi/almanac', { description: 'Daily weather and tides' }),
  server('io.github.wu/sky', { title: 'Weather Sky' }),
  server('io.github.vo/weatherly'),
  server('io.github.alice/weather', {}, 'deprecated'),
  server('io.github.bob/weather-maps', { description: 'Café maps, weather layers' }),
  server('com.example.weather/tools'),
  ...Array.from({ length: 150 }, (_, i) =>
    server(`io.github.filler/tool-${i}`, { description: `Filler server number ${i}` }),
  ),
];

describe('search queries (pure: an index built in memory)', () => {
  const site = serve(memoryIndexObjects(buildMemoryIndex(SERVERS)));
  const client = createSearchClient({ baseUrl: `${BASE}/`, fetch: site.fetch });

  it('ranks exact name, name prefix, name word, namespace, title, description, package, remote', async () => {
    const result = await client.search('weather');
    assert.deepEqual(result.words, ['weather']);
    assert.deepEqual(
      result.hits.map((h) => h.name),
      [
        'io.github.alice/weather', // the whole short name
        'io.github.vo/weatherly', // a prefix of the whole short name
        'io.github.bob/weather-maps', // a word of the short name
        'com.example.weather/tools', // a word of the namespace
        'io.github.wu/sky', // title
        'io.github.xi/almanac', // description
        'io.github.yan/kit', // package identifier
        'io.github.zed/tools', // remote host
      ],
    );
    assert.equal(result.total, 8);
    assert.deepEqual(
      result.hits.map((h) => h.score),
      [...result.hits.map((h) => h.score)].sort((a, b) => a - b),
    );
  });

  it('marks deprecated servers and returns what a result shows', async () => {
    const [alice] = (await client.search('io.github.alice/weather')).hits;
    assert.equal(alice?.name, 'io.github.alice/weather');
    assert.equal(alice?.status, 'deprecated');
    assert.equal(alice?.version, '1.0.0');
    assert.equal((await client.search('weather maps')).hits[0]?.status, 'active');
  });

  it('matches every word (AND), by prefix, without case or accents', async () => {
    assert.deepEqual(
      (await client.search('CAFE weath')).hits.map((h) => h.name),
      ['io.github.bob/weather-maps'],
    );
    assert.deepEqual((await client.search('weather zzz')).hits, []);
    assert.deepEqual((await client.search('x')).words, []);
    const two = await client.search('fi');
    assert.equal(two.total, 150);
  });

  it('pages with limit and offset in one order, and refuses bad limits', async () => {
    const all = (await client.search('filler', { limit: 100 })).hits.map((h) => h.name);
    const pages: string[] = [];
    for (let offset = 0; offset < 150; offset += 40)
      pages.push(...(await client.search('filler', { limit: 40, offset })).hits.map((h) => h.name));
    assert.deepEqual(pages.slice(0, 100), all);
    assert.equal(new Set(pages).size, 150);
    await assert.rejects(client.search('filler', { limit: 0 }), SearchError);
    await assert.rejects(client.search('filler', { limit: 101 }), SearchError);
    await assert.rejects(client.search('filler', { offset: -1 }), SearchError);
  });

  it('fetches the manifest once, one shard per word, and only the buckets of the page', async () => {
    const fresh = serve(memoryIndexObjects(buildMemoryIndex(SERVERS)));
    const c = createSearchClient({ baseUrl: BASE, fetch: fresh.fetch });
    const first = await c.search('filler number', { limit: 5 });
    assert.equal(first.hits.length, 5);
    assert.ok(first.bytesFetched > 0);
    const kinds = fresh.urls.map((u) => u.replace(/\/[^/]*$/, ''));
    assert.deepEqual(
      kinds.sort(),
      [`${BASE}/search`, `${BASE}/search/docs`, `${BASE}/search/terms`, `${BASE}/search/terms`].sort(),
    );
    const again = await c.search('filler number', { limit: 5 });
    assert.equal(again.bytesFetched, 0, 'immutable objects come from the cache');
    assert.equal(fresh.urls.length, 4);
  });

  it('reads the manifest again when an object it names is gone', async () => {
    const before = serve(memoryIndexObjects(buildMemoryIndex(SERVERS)));
    const c = createSearchClient({ baseUrl: BASE, fetch: before.fetch });
    await c.search('tools');
    // A new index: the old shard is deleted, a new manifest names the new one.
    const after = memoryIndexObjects(buildMemoryIndex([...SERVERS, server('io.github.new/weather-tools')]));
    before.objects.clear();
    for (const o of after) before.objects.set(o.key, o.body);
    const result = await c.search('weather tools');
    assert.ok(result.hits.some((h) => h.name === 'io.github.new/weather-tools'));
  });

  it('a site without an index is a clear error', async () => {
    const c = createSearchClient({ baseUrl: BASE, fetch: serve([]).fetch });
    await assert.rejects(c.search('weather'), /has no search index \(search\/index\.json\)/);
  });

  it('combines words: every word must match, costs add up', () => {
    const a = new Map([
      [1, 0],
      [2, 3],
      [3, 1],
    ]);
    const b = new Map([
      [2, 0],
      [3, 4],
    ]);
    assert.deepEqual(combineMatches([a, b]), [
      { doc: 2, cost: 3 },
      { doc: 3, cost: 5 },
    ]);
  });
});
