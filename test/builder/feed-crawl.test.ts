import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { feedStartDay } from '../../core/layout/keys.js';
import type { ServerList, ServerResponse } from '../../core/shapes.js';
import { toServerResponse } from '../../core/shapes.js';
import { viewRecordsAfter } from '../../db/repositories/list-views.js';
import { ANON } from '../helpers/app.js';
import { type BuildFixture, useBuildFixture } from '../helpers/builder.js';
import { testBackends } from '../helpers/db.js';

const id = (item: ServerResponse) => `${item.server.name}:${item.server.version}`;
const change = (item: ServerResponse) => {
  const meta = item._meta['io.modelcontextprotocol.registry/official'];
  return `${id(item)}@${meta.updatedAt}`;
};

async function currentState(f: BuildFixture): Promise<Map<string, ServerResponse>> {
  const records = await viewRecordsAfter(f.db.knex, 'all', undefined, 100_000);
  return new Map(records.map((r) => [`${r.serverName}:${r.version}`, toServerResponse(r)]));
}

async function feedKeys(f: BuildFixture): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of f.store.list('feed/')) keys.push(key);
  return keys;
}

async function feedBodies(f: BuildFixture): Promise<Map<string, string>> {
  const bodies = new Map<string, string>();
  for (const key of await feedKeys(f))
    bodies.set(key, Buffer.from((await f.store.get(key))?.body ?? []).toString());
  return bodies;
}

/** The loop aggregators run: stop at an empty page or when there is no nextCursor. */
async function aggregatorSync(f: BuildFixture, since: string): Promise<ServerList[]> {
  const pages: ServerList[] = [];
  let url: string | undefined = `/v0.1/servers?updated_since=${encodeURIComponent(since)}`;
  while (url) {
    const res = await f.get(url);
    assert.equal(res.status, 200, url);
    const page = res.body as ServerList;
    pages.push(page);
    if (page.servers.length === 0 || !page.metadata.nextCursor) break;
    url = `/v0.1/servers?cursor=${encodeURIComponent(page.metadata.nextCursor)}`;
  }
  return pages;
}

for (const backend of testBackends()) {
  describe(`change feed as aggregators crawl it (${backend.name})`, () => {
    let f: BuildFixture;
    useBuildFixture(backend, (fixture) => {
      f = fixture;
    });

    it('updated_since from any point reaches every later change; no empty page but the tail; empty weeks cost one object', async () => {
      // An empty registry: one entry point per week since the epoch (2025-09-01), none per day.
      f.now = new Date('2026-11-02T08:00:00Z');
      assert.equal((await f.build()).status, 'succeeded');
      const weeksSinceEpoch =
        Math.round((Date.parse('2026-11-02') - Date.parse('2025-09-01')) / (7 * 864e5)) + 1;
      assert.equal((await feedKeys(f)).length, weeksSinceEpoch);
      const empty = (await f.get('/v0.1/servers?updated_since=2020-01-01T00:00:00Z')).body as ServerList;
      assert.deepEqual(empty, { servers: [], metadata: { count: 0 } });

      // Builds at these times; the state after each, and which build first showed each change.
      const builds: { at: string; state: Map<string, ServerResponse> }[] = [];
      const firstSeen = new Map<string, number>();
      const buildAt = async (at: string) => {
        f.now = new Date(at);
        const outcome = await f.build();
        assert.equal(outcome.status, 'succeeded', outcome.error);
        const state = await currentState(f);
        for (const item of state.values())
          if (!firstSeen.has(change(item))) firstSeen.set(change(item), builds.length);
        builds.push({ at, state });
        return outcome;
      };

      for (let i = 0; i < 130; i++) await f.publish({ name: `${ANON}/s${i % 40}`, version: `1.0.${i}` });
      await buildAt('2026-11-02T10:00:00Z');
      for (let i = 0; i < 40; i++) {
        if (i % 4 === 3) await f.setStatus(`${ANON}/s${i}`, undefined, 'deprecated');
        else await f.publish({ name: `${ANON}/t${i}`, version: '2.0.0' });
      }
      await buildAt('2026-11-03T10:00:00Z');
      // Days and weeks without changes: nothing for a day, one entry point for a new week.
      const before = (await feedKeys(f)).length;
      assert.equal((await buildAt('2026-11-04T09:00:00Z')).objectsWritten, 0);
      await buildAt('2026-11-09T09:00:00Z');
      await buildAt('2026-11-16T09:00:00Z');
      assert.equal((await feedKeys(f)).length, before + 2);
      for (let i = 0; i < 20; i++) await f.publish({ name: `${ANON}/u${i}`, version: '3.0.0' });
      await buildAt('2026-11-25T10:00:00Z');
      // One more change while the segment's first page fills: one feed object, whatever the weeks before.
      const feedBefore = await feedBodies(f);
      await f.publish({ name: `${ANON}/v0`, version: '1.0.0' });
      await buildAt('2026-11-25T11:00:00Z');
      const feedAfter = await feedBodies(f);
      assert.deepEqual(
        [...feedAfter].filter(([key, body]) => feedBefore.get(key) !== body).map(([key]) => key),
        ['feed/2026-11-23/0.json'],
      );
      for (let i = 0; i < 5; i++) await f.setStatus(`${ANON}/u${i}`, '3.0.0', 'deleted');
      await buildAt('2026-11-25T15:00:00Z');
      const now = await currentState(f);

      for (const since of [
        '2020-01-01T00:00:00Z', // before the first change
        '2026-11-02T09:00:00Z', // inside the busy first week, before its first build
        '2026-11-03T00:00:00Z', // after some changes of that week
        '2026-11-12T00:00:00Z', // in a week without changes
        '2026-11-20T00:00:00Z', // across days without changes
        '2026-11-25T12:00:00Z', // between the last two builds
        '2026-11-25T16:00:00Z', // after the last change
      ]) {
        const pages = await aggregatorSync(f, since);
        const earlier = builds.filter((b) => b.at < since);
        const state = new Map(earlier.at(-1)?.state ?? []);
        for (const page of pages) for (const item of page.servers) state.set(id(item), item);
        assert.deepEqual(new Map([...state].sort()), new Map([...now].sort()), `sync from ${since}`);
        // Only the tail may be empty, and the first page is not while later changes exist.
        for (const page of pages.slice(0, -1)) assert.ok(page.servers.length > 0, since);
        if (builds.some((b) => b.at >= since && b.state !== earlier.at(-1)?.state)) {
          assert.ok((pages[0] as ServerList).servers.length > 0, `first page from ${since}`);
        }
        // Entries from before T come only from T's own segment.
        const segment = `${feedStartDay(since)}T00:00:00Z`;
        for (const page of pages) {
          for (const item of page.servers) {
            const build = builds[firstSeen.get(change(item)) as number];
            assert.ok(build && build.at >= segment, `${change(item)} from ${since}`);
          }
        }
      }
    });
  });
}
