// test-tier: slow
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type BuilderDaemon, startBuilderDaemon } from '../../builder/daemon.js';
import type { ServerResponse } from '../../core/shapes.js';
import { ANON, serverJson, startTestApi, type TestApi } from '../helpers/app.js';
import { type BuildFixture, crawl, openBuildFixture } from '../helpers/builder.js';
import { testBackends } from '../helpers/db.js';

/** POST over a real socket; resolves with the status and parsed body (never rejects). */
function post(agent: Agent, port: number, path: string, token: string, body: unknown) {
  return new Promise<{ status: number; body: unknown }>((resolve) => {
    const payload = JSON.stringify(body);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.on('error', () => resolve({ status: 0, body: undefined }));
    req.end(payload);
  });
}

for (const backend of testBackends()) {
  describe(`200 concurrent publishers with the builder running (${backend.name})`, () => {
    let f: BuildFixture;
    let db: Awaited<ReturnType<typeof backend.open>>;
    let api: TestApi;
    let daemon: BuilderDaemon;
    before(async () => {
      db = await backend.open();
      f = await openBuildFixture(db);
      api = await startTestApi(db);
      await api.app.listen({ host: '127.0.0.1', port: 0 });
      daemon = await startBuilderDaemon({
        ...f.options,
        now: () => new Date(),
        databaseUrl: db.url,
        debounceMs: 20,
        pollMs: 500,
        schedules: { incremental: undefined, nightly: undefined },
      });
    });
    after(async () => {
      await daemon.stop();
      await api.app.close();
      await f.close();
      await db.close();
    });

    it('every acknowledged publish is in the tree afterwards, with the acknowledged content', async () => {
      const port = (api.app.server.address() as AddressInfo).port;
      const token = await api.token();
      const agent = new Agent({ keepAlive: true, maxSockets: 200 });
      const acknowledged: ServerResponse[] = [];
      const refused: number[] = [];
      const until = Date.now() + 3_000;
      await Promise.all(
        Array.from({ length: 200 }, async (_, client) => {
          // Each client publishes for 3 s and until one of its publishes is acknowledged, so the
          // count below does not depend on how fast this machine is.
          let mine = 0;
          for (let n = 0; Date.now() < until || (mine === 0 && n < 1_000); n++) {
            const res = await post(
              agent,
              port,
              '/v0/publish',
              token,
              serverJson({ name: `${ANON}/c${client}`, version: `1.0.${n}` }),
            );
            if (res.status === 200) {
              acknowledged.push(res.body as ServerResponse);
              mine++;
            } else refused.push(res.status);
          }
        }),
      );
      agent.destroy();
      // Anything refused was refused cleanly (overload), never a 500.
      assert.ok(
        refused.every((s) => s === 503),
        `refusals: ${[...new Set(refused)].join(',')}`,
      );
      assert.ok(acknowledged.length >= 200, `${acknowledged.length} publishes acknowledged`);
      await daemon.settled();

      const inTree = new Set(await crawl(f, 'include_deleted=true'));
      assert.equal(inTree.size, acknowledged.length, 'count matches');
      for (const ack of acknowledged) {
        const id = `${ack.server.name}:${ack.server.version}`;
        assert.ok(inTree.has(id), `${id} is listed`);
      }
      // Content: each acknowledged version's document, as published (isLatest/updatedAt may have moved on).
      for (const ack of acknowledged.filter((_, i) => i % 7 === 0)) {
        const res = await f.get(
          `/v0.1/servers/${encodeURIComponent(ack.server.name)}/versions/${ack.server.version}`,
        );
        assert.equal(res.status, 200);
        const doc = res.body as ServerResponse;
        assert.deepEqual(doc.server, ack.server);
        const meta = doc._meta['io.modelcontextprotocol.registry/official'];
        assert.equal(meta.publishedAt, ack._meta['io.modelcontextprotocol.registry/official'].publishedAt);
      }
    });
  });
}
