// test-tier: slow
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startServe } from '../../scripts/bench/util.js';

/** `npm start` end to end: one process, a curl-style publish, the document on the local CDN. */
describe('serve (npm start)', () => {
  it('publishes through the API and serves the document from the local CDN within seconds, then stops cleanly', async () => {
    const base = mkdtempSync(join(tmpdir(), 'mcpreg-serve-'));
    const dirs = { dataDir: join(base, 'data'), siteDir: join(base, 'site') };
    const registry = await startServe(dirs);
    try {
      // One registry URL, as in production (the API and the CDN are not on two ports).
      assert.match(registry.output(), /registry: +http:\/\/127\.0\.0\.1:\d+\/v0\.1 /);
      assert.doesNotMatch(registry.output(), /read API:/);
      assert.equal(registry.cdn, registry.api);
      const token = await registry.anonymousToken();
      const name = 'io.modelcontextprotocol.anonymous/serve-e2e';
      const published = await registry.publish(token, {
        name,
        description: 'End-to-end test server',
        version: '1.0.0+e2e',
      });
      assert.equal(published.status, 200, await published.clone().text());

      const url = `${registry.cdn}/v0.1/servers/${encodeURIComponent(name)}/versions/1.0.0+e2e`;
      const started = Date.now();
      let res = await fetch(url);
      while (res.status !== 200 && Date.now() - started < 120_000) {
        await new Promise((r) => setTimeout(r, 50));
        res = await fetch(url);
      }
      assert.equal(res.status, 200, `visible on the CDN after ${Date.now() - started} ms`);
      const doc = (await res.json()) as { server: { name: string; version: string } };
      assert.deepEqual([doc.server.name, doc.server.version], [name, '1.0.0+e2e']);
      // The root is the build's last write: it names the journal position the tree now holds.
      let root = { seq: 0 };
      while (root.seq < 1 && Date.now() - started < 120_000) {
        root = (await (await fetch(`${registry.cdn}/`)).json()) as { seq: number };
      }
      assert.equal(root.seq, 1);

      // What the official mcp-publisher does against its one --registry URL: a bearer token on GETs
      // (ignored by reads), `status` reading ?include_deleted=true, the status change, health.
      const base = registry.api;
      const auth = { authorization: `Bearer ${token}` };
      const versionUrl = `${base}/v0/servers/${encodeURIComponent(name)}/versions/${encodeURIComponent('1.0.0+e2e')}`;
      assert.equal((await fetch(`${versionUrl}?include_deleted=true`, { headers: auth })).status, 200);
      for (const path of ['/v0/health', '/v0/ping', '/v0.1/version', '/v0.1/servers?limit=10']) {
        const res = await fetch(`${base}${path}`, { headers: auth });
        assert.equal(res.status, 200, path);
      }
      const deleted = await fetch(`${versionUrl}/status`, {
        method: 'PATCH',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'deleted', statusMessage: 'gone' }),
      });
      assert.equal(deleted.status, 200, await deleted.clone().text());
      let live = await fetch(versionUrl, { headers: auth });
      while (live.status === 200 && Date.now() - started < 120_000) {
        await new Promise((r) => setTimeout(r, 50));
        live = await fetch(versionUrl, { headers: auth });
      }
      assert.equal(live.status, 404, 'a deleted version leaves the live URL');
      // Each URL is its own object, held by the local CDN's memory for up to a second (as a CDN's TTL
      // would): the ?include_deleted=true document read above turns 'deleted' within that window.
      const statusOf = async () => {
        const kept = await fetch(`${versionUrl}?include_deleted=true`, { headers: auth });
        assert.equal(kept.status, 200);
        const meta = ((await kept.json()) as { _meta: Record<string, { status: string }> })._meta;
        return meta['io.modelcontextprotocol.registry/official']?.status;
      };
      let status = await statusOf();
      while (status !== 'deleted' && Date.now() - started < 120_000) {
        await new Promise((r) => setTimeout(r, 50));
        status = await statusOf();
      }
      assert.equal(status, 'deleted');
    } finally {
      assert.equal(await registry.stop(), 0, registry.output());
    }
    assert.ok(existsSync(join(dirs.siteDir, 'index.json')));
    // The data directory was released: a second start works at once.
    const again = await startServe(dirs);
    assert.equal(await again.stop(), 0);
    rmSync(base, { recursive: true, force: true });
  });

  it('on SIGTERM finishes the publishes in flight, and every acknowledged one is in the tree after a restart', async () => {
    const base = mkdtempSync(join(tmpdir(), 'mcpreg-serve-'));
    const dirs = { dataDir: join(base, 'data'), siteDir: join(base, 'site') };
    const registry = await startServe(dirs);
    const token = await registry.anonymousToken();
    const name = 'io.modelcontextprotocol.anonymous/stop-e2e';
    // 0 stands for "no HTTP answer" (connection refused or closed): the publish was not acknowledged.
    const outcomes: { version: string; status: number; type?: string | null }[] = [];
    let next = 0;
    const client = async () => {
      while (next < 500) {
        const version = `1.0.${next++}`;
        const outcome = await registry
          .publish(token, { name, description: 'Publishes racing a shutdown', version })
          .then(
            async (res) => {
              await res.arrayBuffer();
              return { version, status: res.status, type: res.headers.get('content-type') };
            },
            () => ({ version, status: 0 }),
          );
        outcomes.push(outcome);
        if (outcome.status === 0) return;
      }
    };
    const clients = Array.from({ length: 8 }, client);
    // The signal lands while the clients keep publishing: some requests are mid-flight.
    while (outcomes.filter((o) => o.status === 200).length < 20) await new Promise((r) => setTimeout(r, 5));
    const exited = registry.stop();
    await Promise.all(clients);
    assert.equal(await exited, 0, registry.output());

    const acknowledged = outcomes.filter((o) => o.status === 200).map((o) => o.version);
    // Acknowledged, refused while closing (problem+json 503: nothing stored), or no answer at all.
    for (const o of outcomes) {
      assert.ok([0, 200, 503].includes(o.status), `${o.version}: HTTP ${o.status}`);
      if (o.status === 503) assert.match(String(o.type), /^application\/problem\+json/);
    }
    assert.ok(acknowledged.length >= 20);

    // After a restart the daemon builds what the journal holds: every acknowledged publish, and
    // nothing that was not sent.
    const again = await startServe(dirs);
    try {
      const url = `${again.cdn}/v0.1/servers/${encodeURIComponent(name)}/versions`;
      const deadline = Date.now() + 20_000;
      let listed: string[] = [];
      while (Date.now() < deadline) {
        const res = await fetch(url);
        if (res.status === 200) {
          const body = (await res.json()) as { servers: { server: { version: string } }[] };
          listed = body.servers.map((s) => s.server.version);
          if (acknowledged.every((v) => listed.includes(v))) break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      const missing = acknowledged.filter((v) => !listed.includes(v));
      assert.deepEqual(missing, [], 'acknowledged publishes missing from the tree');
      const sent = new Set(outcomes.map((o) => o.version));
      assert.deepEqual(
        listed.filter((v) => !sent.has(v)),
        [],
      );
    } finally {
      assert.equal(await again.stop(), 0, again.output());
      rmSync(base, { recursive: true, force: true });
    }
  });
});
