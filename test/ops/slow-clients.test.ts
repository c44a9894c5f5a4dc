import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import pino from 'pino';
import { startLocalCdn } from '../../cdn/local-server.js';
import { allSpecs, buildCase } from '../helpers/adversarial.js';
import { ANON, startTestApi } from '../helpers/app.js';
import { openBuildFixture } from '../helpers/builder.js';
import { testBackends } from '../helpers/db.js';

/**
 * Issue 10: the embedded default (write API and local CDN in one process) keeps answering while
 * 500 clients hold connections open by trickling request bodies, and while the heavy requests of
 * issue 10 are in flight (200,000 `{` in a URL: 80 s of CPU before the fix; `packages: [0 × 300,000]`:
 * 339 s). No timing is asserted: the reads must be answered while every slow connection is still
 * held, whatever this machine's speed; the timeout only stops a run that would otherwise take minutes.
 */
const SLOW_CLIENTS = 500;

function openSlowClient(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        'POST /v0/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{',
      );
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

const [pglite] = testBackends();

describe('slow clients against the embedded default', () => {
  test(`reads are answered while ${SLOW_CLIENTS} slow connections and heavy requests are in flight`, {
    timeout: 120_000,
  }, async () => {
    const db = await (pglite as NonNullable<typeof pglite>).open();
    const fixture = await openBuildFixture(db);
    // No per-address cap here: every client of this test shares 127.0.0.1 (the cap has its own test).
    const api = await startTestApi(db, { env: { HTTP_MAX_CONNECTIONS_PER_ADDRESS: '0' } });
    const cdn = await startLocalCdn({
      root: fixture.root,
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
    });
    const slow: Socket[] = [];
    let closedEarly = 0;
    try {
      await fixture.publish({ name: `${ANON}/weather`, version: '1.0.0' });
      assert.equal((await fixture.build()).status, 'succeeded');
      await api.app.listen({ host: '127.0.0.1', port: 0 });
      const address = api.app.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;

      for (let i = 0; i < SLOW_CLIENTS; i++) {
        const socket = await openSlowClient(port);
        socket.on('close', () => closedEarly++);
        slow.push(socket);
      }
      // Keep them trickling: one byte each, spread out, while the reads below run.
      let next = 0;
      const trickle = setInterval(() => {
        for (let i = 0; i < 25; i++) slow[next++ % slow.length]?.write(' ');
      }, 20);

      try {
        const heavy = allSpecs()
          .filter((spec) => spec.kind === 'finding')
          .map((spec) => buildCase(spec))
          .filter((c) => /finding [23]:/.test(c.label));
        assert.equal(heavy.length, 2);
        const [list, health, ...validated] = await Promise.all([
          fetch(`${cdn.url}/v0.1/servers`),
          fetch(`http://127.0.0.1:${port}/v0/health`),
          ...heavy.map((c) =>
            fetch(`http://127.0.0.1:${port}/v0/validate`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: c.body,
            }),
          ),
        ]);
        assert.equal(list.status, 200);
        const body = (await list.json()) as { servers: { server: { name: string } }[] };
        assert.deepEqual(
          body.servers.map((s) => s.server.name),
          [`${ANON}/weather`],
        );
        assert.equal(health.status, 200);
        for (const answer of validated) assert.equal(answer.status, 200);
      } finally {
        clearInterval(trickle);
      }
      assert.equal(closedEarly, 0, 'every slow connection was still held while the reads were answered');
    } finally {
      for (const socket of slow) socket.destroy();
      await cdn.close();
      await api.app.close();
      await fixture.close();
      await db.close();
    }
  });
});
