// test-tier: slow
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderAllSearchPages } from '../../builder/search-pages.js';
import { TreeWriter } from '../../builder/writer.js';
import { searchFirstPageKey } from '../../core/layout/search-page-keys.js';
import { serverTerms } from '../../core/search/text.js';
import type { ServerJson } from '../../core/server-json.js';
import type { ServerList } from '../../core/shapes.js';
import { viewRecordsAfter } from '../../db/repositories/list-views.js';
import { updateSearchTerms } from '../../db/repositories/search-terms.js';
import { type BuildFixture, useBuildFixture } from '../helpers/builder.js';
import { testBackends } from '../helpers/db.js';
import { prng } from '../helpers/random.js';
import { isSearchPageKey, searchPagesBound, searchPrefixesOf } from '../helpers/search-pages.js';

/** What `?search=prefix` must list, straight from the rows: latest non-deleted, name or title term. */
async function expectedSearch(f: BuildFixture, prefix: string): Promise<string[]> {
  const latest = await viewRecordsAfter(f.db.knex, 'latest', undefined, 100_000);
  return latest
    .filter((r) =>
      [...serverTerms(r.value as ServerJson)].some(([term, field]) => field <= 1 && term.startsWith(prefix)),
    )
    .map((r) => `${r.serverName}:${r.version}`);
}

/** The loop clients run: follow nextCursor with the same query until there is none. */
async function crawlSearch(
  f: BuildFixture,
  query: string,
  between?: () => Promise<void>,
): Promise<{ items: string[]; pages: ServerList[] }> {
  const items: string[] = [];
  const pages: ServerList[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < 10_000; n++) {
    const params = new URLSearchParams(query);
    if (cursor !== undefined) params.set('cursor', cursor);
    const res = await f.get(`/v0.1/servers?${params}`);
    if (res.status === 404 && cursor === undefined) return { items, pages }; // nothing matches
    assert.equal(res.status, 200, `${query} after ${cursor}`);
    const page = res.body as ServerList;
    pages.push(page);
    for (const item of page.servers) items.push(`${item.server.name}:${item.server.version}`);
    cursor = page.metadata.nextCursor;
    if (cursor === undefined) return { items, pages };
    await between?.();
  }
  throw new Error('crawl did not end');
}

const WORDS = [
  'weather',
  'weave',
  'web',
  'github',
  'gitlab',
  'mcp',
  'memory',
  'map',
  'maps',
  'search',
  'sql',
];
const TITLES = ['Weather Forecast', 'Memory Bank', 'Web Search', 'SQLite Tools', undefined];

async function publishMany(f: BuildFixture, count: number, seed: number): Promise<string[]> {
  const random = prng(seed);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const word = WORDS[Math.floor(random() * WORDS.length)] as string;
    const name = `io.github.u${(i % 7).toString(36)}/${word}-${i.toString(36)}`;
    const title = TITLES[Math.floor(random() * TITLES.length)];
    await f.publish({ name, version: '1.0.0', ...(title ? { title } : {}) });
    names.push(name);
  }
  return names;
}

const QUERIES = [
  'we',
  'wea',
  'weather',
  'web',
  'gi',
  'github',
  'git',
  'ma',
  'map',
  'maps',
  'memo',
  'sqlite',
  'io',
];

async function assertSearchMatches(f: BuildFixture, label: string, queries = QUERIES): Promise<void> {
  for (const prefix of queries) {
    const expected = await expectedSearch(f, prefix);
    for (const limit of [undefined, 5, 10, 30, 100]) {
      for (const extra of ['', '&version=latest']) {
        const query = `search=${prefix}${limit ? `&limit=${limit}` : ''}${extra}`;
        const { items, pages } = await crawlSearch(f, query);
        assert.deepEqual(items, expected, `${label}: ${query}`);
        for (const page of pages) {
          assert.equal(page.metadata.count, page.servers.length);
          assert.ok(page.servers.length <= Math.max(limit ?? 25, 10), `${label}: ${query}: page too large`);
        }
      }
    }
  }
}

for (const backend of testBackends()) {
  describe(`?search= result pages (${backend.name})`, () => {
    let f: BuildFixture;
    useBuildFixture(backend, (fixture) => {
      f = fixture;
    });

    it('list exactly the latest live servers with a name or title word starting with the query, in list order', async () => {
      const names = await publishMany(f, 70, 17);
      // Several versions: only the latest is listed; deprecated servers are listed, deleted ones not.
      await f.publish({ name: names[0], version: '1.1.0', title: 'Weather Radar' });
      await f.publish({ name: names[1], version: '2.0.0', title: 'Mapping' });
      await f.setStatus(names[2] as string, undefined, 'deprecated');
      await f.setStatus(names[3] as string, undefined, 'deleted');
      await f.setStatus(names[0] as string, '1.1.0', 'deleted'); // 1.0.0 is its latest live version again
      assert.equal((await f.build()).status, 'succeeded');
      await assertSearchMatches(f, 'first build');

      const everything = await crawlSearch(f, 'search=io&limit=100');
      const status = new Map(
        everything.pages.flatMap((page) =>
          page.servers.map((s) => [
            s.server.name,
            s._meta['io.modelcontextprotocol.registry/official'].status,
          ]),
        ),
      );
      assert.equal(status.get(names[2] as string), 'deprecated', 'deprecated servers are listed, marked');
      assert.equal(status.has(names[3] as string), false, 'deleted servers are not');
      assert.ok(everything.items.includes(`${names[0]}:1.0.0`));
      assert.ok(!everything.items.includes(`${names[0]}:1.1.0`));
      assert.equal(everything.items.length, 69);

      // A full build renders the same pages: it writes and deletes nothing.
      const full = await f.build('full');
      assert.equal(full.status, 'succeeded', full.error);
      assert.equal(full.objectsWritten, 0, 'a full build rewrote objects');
      assert.equal(full.objectsDeleted, 0);
    });

    it('incremental builds agree with full builds after random publishes, renames of titles and deletions', async () => {
      const random = prng(99);
      const names = await publishMany(f, 40, 5);
      assert.equal((await f.build()).status, 'succeeded');
      for (let round = 0; round < 4; round++) {
        for (let op = 0; op < 8; op++) {
          const name = names[Math.floor(random() * names.length)] as string;
          const roll = random();
          if (roll < 0.5) {
            const title = TITLES[Math.floor(random() * TITLES.length)];
            await f.publish({ name, version: `1.${round + 1}.${op}`, ...(title ? { title } : {}) });
          } else if (roll < 0.75) {
            await f.setStatus(name, undefined, random() < 0.5 ? 'deleted' : 'active').catch(() => undefined);
          } else {
            const fresh = `io.github.new${round}/${WORDS[op % WORDS.length]}-${op}`;
            await f.publish({ name: fresh, version: '1.0.0' });
            names.push(fresh);
          }
        }
        const outcome = await f.build();
        assert.equal(outcome.status, 'succeeded', outcome.error);
        await assertSearchMatches(f, `round ${round}`, [
          'we',
          'weather',
          'gi',
          'map',
          'memory',
          'new0',
          'io',
        ]);
        const full = await f.build('full');
        assert.equal(full.status, 'succeeded', full.error);
        assert.equal(full.objectsWritten, 0, `round ${round}: a full build rewrote objects`);
        assert.equal(full.objectsDeleted, 0, `round ${round}: a full build deleted objects`);
      }
    });

    it('a full render writes pages readers can reach after their prefix (held, or spilled and re-rendered)', async () => {
      const names = await publishMany(f, 70, 23);
      assert.equal((await f.build()).status, 'succeeded');
      // Every page of every prefix changes: a new version of every server, its words unchanged.
      for (const name of names) {
        const row = await f.db.knex('server_versions').select('value').where({ server_name: name }).first();
        const title = (row.value as ServerJson).title;
        await f.publish({ name, version: '2.0.0', ...(title ? { title } : {}) });
      }
      await updateSearchTerms(f.db.knex, names);
      const target = f.store.description;
      const writer = new TreeWriter(f.db.knex, f.store, target, 1_000_000, false);
      // Tiny limits: every prefix past a few pages spills; the others are held and flushed.
      const stats = await renderAllSearchPages(f.options, writer, target, { flush: 5, spill: 5 });
      assert.ok(stats.pages > 100 && writer.stats.written > 100, JSON.stringify(stats));
      await assertSearchMatches(f, 'after a full render of the search pages', ['io', 'we', 'map', 'gi']);
      assert.equal((await f.build()).status, 'succeeded');
      const full = await f.build('full');
      assert.equal(full.objectsWritten, 0, `a full build rewrote ${full.changedMutableKeys}`);
      assert.equal(full.objectsDeleted, 0);
    });

    it('a crawl that spans publishes sees every server present throughout exactly once', async () => {
      await publishMany(f, 60, 3);
      assert.equal((await f.build()).status, 'succeeded');
      const before = new Set((await expectedSearch(f, 'io')).map((id) => id.split(':')[0] as string));
      let n = 0;
      const { items } = await crawlSearch(f, 'search=io&limit=10', async () => {
        n++;
        // Between pages: a new server, a new version, a server deleted.
        await f.publish({ name: `io.github.mid/web-${n}`, version: '1.0.0' });
        await f.publish({ name: [...before][n * 3] as string, version: `3.0.${n}` });
        await f.setStatus([...before][n * 3 + 1] as string, undefined, 'deleted');
        assert.equal((await f.build()).status, 'succeeded');
      });
      const seen = items.map((id) => id.split(':')[0] as string);
      assert.equal(new Set(seen).size, seen.length, 'no server twice');
      const deleted = new Set([...before].filter((_, i) => i % 3 === 1 && i <= n * 3 + 1));
      for (const name of before) if (!deleted.has(name)) assert.ok(seen.includes(name), `${name} was missed`);
      assert.ok(n >= 4, `the crawl spanned ${n} builds`);
    });

    it('a prefix no server has any more loses its pages; a query nothing matches is a 404', async () => {
      await f.publish({ name: 'io.github.solo/zebrafish', version: '1.0.0' });
      await f.publish({ name: 'io.github.other/weather', version: '1.0.0' });
      assert.equal((await f.build()).status, 'succeeded');
      assert.deepEqual((await crawlSearch(f, 'search=zebra')).items, ['io.github.solo/zebrafish:1.0.0']);
      assert.equal((await f.get('/v0.1/servers?search=zzzz')).status, 404);

      await f.setStatus('io.github.solo/zebrafish', undefined, 'deleted');
      assert.equal((await f.build()).status, 'succeeded');
      // First pages go at once: a fresh query does not list the deleted server.
      for (const q of ['ze', 'zebra', 'zebrafish'])
        assert.equal((await f.get(`/v0.1/servers?search=${q}`)).status, 404);
      const rows = await f.db.knex('tree_objects').select('key').where('key', 'like', 'search/q/%/ze%');
      assert.deepEqual(rows, []);
      assert.equal((await f.get('/v0.1/servers?search=weather')).status, 200);
      // A full build agrees: nothing left to write or delete.
      const full = await f.build('full');
      assert.equal(full.objectsWritten, 0);
      assert.equal(full.objectsDeleted, 0);
    });

    it('one publish rewrites a bounded number of search pages: prefixes × families × a page or two', async () => {
      for (let i = 0; i < 150; i++) {
        await f.publish({
          name: `io.github.org${i % 11}/tool-${String(i).padStart(3, '0')}`,
          version: '1.0.0',
          title: i % 2 ? 'Weather Forecast' : 'Memory Bank',
        });
      }
      assert.equal((await f.build()).status, 'succeeded');
      // A typical server: io.github.alice/weather-forecast, title "Weather Forecast".
      const server = { name: 'io.github.alice/weather-forecast', title: 'Weather Forecast' };
      const prefixes = searchPrefixesOf(server);
      assert.equal(prefixes.size, 23); // io, gi…github, al…alice, we…weather, fo…forecast
      for (const [version, label] of [
        ['1.0.0', 'a new server'],
        ['1.1.0', 'a new version'],
      ] as const) {
        await f.publish({ ...server, version });
        const outcome = await f.build();
        const search = outcome.changedMutableKeys.filter(isSearchPageKey);
        process.stderr.write(
          `${label}: ${search.length} search pages of ${outcome.objectsWritten} objects\n`,
        );
        // Each (prefix, family) holding the server rewrites the page it is in, and sometimes the next.
        assert.ok(search.length >= prefixes.size * 3, `${label}: ${search.length} search pages`);
        assert.ok(search.length <= searchPagesBound(server), `${label}: ${search.length} search pages`);
      }
      await assertSearchMatches(f, 'after single publishes', ['we', 'al', 'io', 'fo']);
      assert.ok(await f.store.get(searchFirstPageKey('alice', 10)));
    });
  });
}
