// test-tier: slow
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerResponse } from '../../core/shapes.js';
import { openDatabase } from '../../db/connect.js';
import { ANON, serverJson, startTestApi, type TestApi } from '../helpers/app.js';
import { type BuildFixture, crawl, openBuildFixture } from '../helpers/builder.js';
import { openTestPostgres, postgresTestUrl } from '../helpers/db.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const url = postgresTestUrl();

describe('database connection cut and restored under the API', {
  skip: url ? false : 'needs PostgreSQL (TEST_DATABASE_URL)',
}, () => {
  let direct: Awaited<ReturnType<typeof openTestPostgres>>;
  let proxied: Awaited<ReturnType<typeof openDatabase>>;
  // A TCP proxy on loopback between the API and PostgreSQL that the test cuts and restores.
  let proxy: TcpProxy;
  let api: TestApi;
  let f: BuildFixture;
  const dbLog: Record<string, unknown>[] = [];
  before(async () => {
    direct = await openTestPostgres(url as string);
    const real = new URL(direct.url as string);
    proxy = await startTcpProxy({ host: real.hostname, port: Number(real.port || 5432) });
    const through = new URL(real);
    through.host = `127.0.0.1:${proxy.port}`;
    proxied = await openDatabase({
      databaseUrl: through.toString(),
      dataDir: '',
      migrate: false,
      acquireTimeoutMs: 2_000,
      logger: {
        warn: (obj, msg) => dbLog.push({ level: 'warn', ...obj, msg }),
        error: (obj, msg) => dbLog.push({ level: 'error', ...obj, msg }),
        debug: () => {},
      },
    });
    api = await startTestApi(proxied);
    f = await openBuildFixture(direct);
  });
  after(async () => {
    await api.app.close();
    await proxied.close();
    await proxy.close();
    await f.close();
    await direct.close();
  });

  it('fails cleanly while the database is unreachable, recovers without a restart, loses no acknowledged publish', async () => {
    const token = await api.token();
    const acknowledged: ServerResponse[] = [];
    const publish = async (n: number) => {
      const res = await api.request('POST', '/v0/publish', {
        token,
        body: serverJson({ name: `${ANON}/outage`, version: `1.0.${n}` }),
      });
      if (res.statusCode === 200) acknowledged.push(res.json() as ServerResponse);
      return res;
    };
    for (let n = 0; n < 5; n++) assert.equal((await publish(n)).statusCode, 200);

    proxy.cut();
    for (let n = 5; n < 10; n++) {
      const res = await publish(n);
      assert.equal(res.statusCode, 503, res.body);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
      assert.match(res.body, /database is unavailable/);
    }
    const health = await api.request('GET', '/v0/health');
    assert.equal(health.statusCode, 503);
    // knex's own connection errors went to the structured log, not to the console.
    assert.ok(
      dbLog.some((e) => e['module'] === 'db' && /connection/i.test(String(e['msg']))),
      JSON.stringify(dbLog),
    );

    proxy.restore();
    let recovered = false;
    for (let n = 10; n < 40 && !recovered; n++) recovered = (await publish(n)).statusCode === 200;
    assert.ok(recovered, 'the API took publishes again without a restart');
    for (let n = 40; n < 45; n++) assert.equal((await publish(n)).statusCode, 200);

    assert.equal((await f.build()).status, 'succeeded');
    const inTree = new Set(await crawl(f));
    assert.equal(inTree.size, acknowledged.length);
    for (const ack of acknowledged) assert.ok(inTree.has(`${ack.server.name}:${ack.server.version}`));
  });
});
