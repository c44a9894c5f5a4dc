// test-tier: slow
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANON } from '../helpers/app.js';
import { type BuildFixture, buildWith, crawl, failingAfter, useBuildFixture } from '../helpers/builder.js';
import { testBackends } from '../helpers/db.js';
import { prng } from '../helpers/random.js';
import { isSearchPageKey, searchPagesBound } from '../helpers/search-pages.js';

interface Expected {
  live: string[];
  all: string[];
  latest: string[];
  'latest.all': string[];
}

/** What each list view must hold, straight from the database (byte order, like the builder). */
async function expectedViews(f: BuildFixture): Promise<Expected> {
  const rows = await f.db.knex.raw(
    `select server_name, version, status, is_latest from server_versions
      order by server_name collate "C", version collate "C"`,
  );
  const all = (
    rows.rows as { server_name: string; version: string; status: string; is_latest: boolean }[]
  ).map((r) => ({
    id: `${r.server_name}:${r.version}`,
    deleted: r.status === 'deleted',
    latest: r.is_latest,
  }));
  return {
    all: all.map((r) => r.id),
    live: all.filter((r) => !r.deleted).map((r) => r.id),
    latest: all.filter((r) => r.latest && !r.deleted).map((r) => r.id),
    'latest.all': all.filter((r) => r.latest).map((r) => r.id),
  };
}

async function assertTreeMatches(f: BuildFixture, label: string): Promise<void> {
  const expected = await expectedViews(f);
  // Every page family: no limit, and the limits that pick the smallest and the largest.
  for (const limit of ['', 'limit=10&', 'limit=100&']) {
    assert.deepEqual(await crawl(f, limit), expected.live, `${label}: live view ${limit}`);
    assert.deepEqual(
      await crawl(f, `${limit}include_deleted=true`),
      expected.all,
      `${label}: all view ${limit}`,
    );
    assert.deepEqual(
      await crawl(f, `${limit}version=latest`),
      expected.latest,
      `${label}: latest view ${limit}`,
    );
    assert.deepEqual(
      await crawl(f, `${limit}version=latest&include_deleted=true`),
      expected['latest.all'],
      `${label}: latest.all view ${limit}`,
    );
  }
}

for (const backend of testBackends()) {
  describe(`incremental builds (${backend.name})`, () => {
    let f: BuildFixture;
    useBuildFixture(backend, (fixture) => {
      f = fixture;
    });

    it('equal a full build after random publishes, status changes and deletions', async () => {
      const seed = 20261124;
      const random = prng(seed);
      // Rounds with many changed servers take the streaming full render, the others the regions.
      f.options.fullRenderThreshold = 25;
      const paths = new Set<string>();
      const servers: { name: string; versions: number }[] = [];
      for (let round = 0; round < 6; round++) {
        const operations = 1 + Math.floor(random() * 60);
        for (let op = 0; op < operations; op++) {
          const roll = random();
          if (servers.length < 5 || roll < 0.45) {
            const name = `${ANON}/s${Math.floor(random() * 1e6).toString(36)}`;
            if (servers.some((s) => s.name === name)) continue;
            await f.publish({ name, version: '1.0.0' });
            servers.push({ name, versions: 1 });
          } else {
            const server = servers[Math.floor(random() * servers.length)] as {
              name: string;
              versions: number;
            };
            if (roll < 0.8) {
              server.versions += 1;
              await f.publish({ name: server.name, version: `1.${server.versions}.0` });
            } else if (roll < 0.9) {
              const v = 1 + Math.floor(random() * server.versions);
              const status = random() < 0.6 ? 'deleted' : random() < 0.5 ? 'deprecated' : 'active';
              await f.setStatus(server.name, v === 1 ? '1.0.0' : `1.${v}.0`, status).catch(() => undefined);
            } else {
              await f
                .setStatus(server.name, undefined, random() < 0.5 ? 'deleted' : 'active')
                .catch(() => undefined);
            }
          }
        }
        const outcome = await f.build();
        assert.equal(outcome.status, 'succeeded', outcome.error);
        paths.add(outcome.reason?.includes('rendered in full') ? 'full render' : 'regions');
        await assertTreeMatches(f, `seed ${seed} round ${round}`);
        const full = await f.build('full');
        assert.equal(full.status, 'succeeded', full.error);
        assert.equal(full.objectsWritten, 0, `seed ${seed} round ${round}: a full build rewrote objects`);
        assert.equal(full.objectsDeleted, 0, `seed ${seed} round ${round}: a full build deleted objects`);
      }
      assert.deepEqual([...paths].sort(), ['full render', 'regions'], 'both paths were taken');
      const items = (await expectedViews(f)).all.length;
      assert.ok(items > 100, `the test reaches several pages (${items} versions)`);
    });

    it('writes a bounded number of objects for one publish, and nothing when nothing changed', async () => {
      for (let i = 0; i < 300; i++)
        await f.publish({ name: `${ANON}/srv${String(i).padStart(4, '0')}`, version: '1.0.0' });
      assert.equal((await f.build()).status, 'succeeded');
      assert.equal((await f.build()).objectsWritten, 0);

      for (const [server, label, bound] of [
        [{ name: `${ANON}/srv0150`, version: '1.1.0' }, 'one new version', 40],
        [{ name: `${ANON}/zzz-new`, version: '1.0.0' }, 'one new server', 36],
      ] as const) {
        await f.publish(server);
        const outcome = await f.build();
        // v/ and va/ of the new and the old latest, 4 per-server lists, list pages of 4 views in 3
        // page families (the page it lands in and the few after it until the layouts meet again), the
        // feed tail, the build manifest, the root and its signature; and apart, the ?search= result
        // pages of every prefix of its name's words (test/builder/search-pages.test.ts).
        const search = outcome.changedMutableKeys.filter(isSearchPageKey).length;
        const rest = outcome.objectsWritten - search;
        process.stderr.write(`${label}: ${rest} objects and ${search} search pages\n`);
        assert.ok(rest <= bound, `${label} wrote ${rest} objects besides search pages`);
        assert.ok(search <= searchPagesBound({ name: server.name }), `${label} wrote ${search} search pages`);
      }
      await assertTreeMatches(f, 'after single publishes');
    });

    it('leaves a valid tree when a build is killed at any write, and the next build completes it', async () => {
      for (let i = 0; i < 120; i++)
        await f.publish({ name: `${ANON}/k${String(i).padStart(3, '0')}`, version: '1.0.0' });
      assert.equal((await f.build()).status, 'succeeded');
      for (let i = 0; i < 40; i += 3)
        await f.publish({ name: `${ANON}/k${String(i).padStart(3, '0')}`, version: '2.0.0' });
      await f.setStatus(`${ANON}/k050`, undefined, 'deleted');
      await f.publish({ name: `${ANON}/k0505`, version: '1.0.0' });
      const before = await expectedViews(f);

      let completed = false;
      // Kill points every 3 writes at first, then further apart (a build here writes hundreds of
      // ?search= result pages after the lists), so they fall in every phase of the build.
      for (let allowed = 0; !completed; allowed += Math.max(3, Math.floor(allowed / 4))) {
        const killed = await buildWith(f, failingAfter(f.store, allowed));
        if (killed.status === 'succeeded') {
          completed = true;
          break;
        }
        assert.match(killed.error ?? '', /killed after/);
        // Whatever was written, every list still reads end to end, with old or new items.
        for (const query of ['', 'include_deleted=true', 'version=latest', 'search=k0']) {
          const seen = await crawl(f, query);
          assert.equal(
            new Set(seen).size,
            seen.length,
            `no duplicates after a kill at ${allowed} (${query})`,
          );
        }
        const repaired = await f.build();
        assert.equal(repaired.status, 'succeeded', repaired.error);
        await assertTreeMatches(f, `killed after ${allowed} writes, then rebuilt`);
        // Back to the state before the repair, for the next kill point.
        await f.publish({ name: `${ANON}/k${String(allowed).padStart(3, '0')}x`, version: '1.0.0' });
      }
      assert.ok(before.live.length > 100);
    });
  });
}
