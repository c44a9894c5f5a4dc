// test-tier: slow
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startServe } from '../../scripts/bench/util.js';
import {
  answerList,
  loadFixtureEntries,
  OFFICIAL,
  startUpstreamRegistry,
  type UpstreamEntry,
  type UpstreamRegistry,
} from '../helpers/upstream-registry.js';

/**
 * `MIRROR_UPSTREAM=<url> npm start` turns an empty machine into a static replica: once the first sync
 * and build are done, the local CDN answers every official read as upstream does (every list item and
 * every version document compared as JSON), and writes are refused.
 */
type Serve = Awaited<ReturnType<typeof startServe>>;

describe('npm start as a mirror of an upstream registry', () => {
  let peer: UpstreamRegistry;
  let serve: Serve;
  let dirs: { dataDir: string; siteDir: string };
  // Upstream today always sends statusChangedAt; the 2025 sample predates it.
  const entries: UpstreamEntry[] = loadFixtureEntries().map((e) => {
    const meta = e._meta[OFFICIAL];
    return {
      ...e,
      _meta: { [OFFICIAL]: { ...meta, statusChangedAt: meta.statusChangedAt ?? meta.updatedAt } },
    };
  });

  before(async () => {
    peer = await startUpstreamRegistry(structuredClone(entries));
    const root = mkdtempSync(join(tmpdir(), 'mirror-serve-'));
    dirs = { dataDir: join(root, 'data'), siteDir: join(root, 'site') };
    serve = await startServe(dirs, { MIRROR_UPSTREAM: peer.url, MIRROR_RATE_PER_MINUTE: '6000' });
  });
  after(async () => {
    await serve?.stop();
    await peer.close();
    rmSync(join(dirs.dataDir, '..'), { recursive: true, force: true });
  });

  async function crawl(base: string, first: string): Promise<unknown[]> {
    const items: unknown[] = [];
    let next: string | undefined = first;
    while (next) {
      const res = await fetch(`${base}${next}`);
      assert.equal(res.status, 200, next);
      const page = (await res.json()) as { servers: unknown[]; metadata: { nextCursor?: string } };
      items.push(...page.servers);
      next = page.metadata.nextCursor
        ? `/v0.1/servers?include_deleted=true&cursor=${encodeURIComponent(page.metadata.nextCursor)}`
        : undefined;
    }
    return items;
  }

  test('every list item and version document equals upstream; writes are refused', async () => {
    const deadline = Date.now() + 240_000;
    let ours: unknown[] = [];
    while (ours.length < entries.length) {
      if (Date.now() > deadline) throw new Error(`replica incomplete (${ours.length}):\n${serve.output()}`);
      await delay(500);
      ours = await crawl(serve.cdn, '/v0.1/servers?include_deleted=true').catch(() => []);
    }
    const theirs = answerList(entries, new URLSearchParams({ limit: '100', include_deleted: 'true' }));
    assert.deepEqual(
      ours,
      (theirs.body as { servers: unknown[] }).servers.concat(
        (
          answerList(
            entries,
            new URLSearchParams({
              limit: '100',
              include_deleted: 'true',
              cursor: `${entries[99]!.server.name}:${entries[99]!.server.version}`,
            }),
          ).body as { servers: unknown[] }
        ).servers,
      ),
    );
    for (const e of entries) {
      const path = `/v0.1/servers/${encodeURIComponent(e.server.name)}/versions/${encodeURIComponent(e.server.version)}`;
      const res = await fetch(`${serve.cdn}${path}`);
      assert.equal(res.status, 200, path);
      assert.deepEqual(await res.json(), e, path);
    }
    const token = await serve.anonymousToken();
    const res = await serve.publish(token, {
      name: 'io.modelcontextprotocol.anonymous/x',
      version: '1.0.0',
      description: 'refused',
    });
    assert.equal(res.status, 409);
  });
});
