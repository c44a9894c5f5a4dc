import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Database } from '../../db/connect.js';
import { countVersions } from '../../db/repositories/versions.js';
import { syncMirror } from '../../mirror/sync.js';
import { createUpstreamClient } from '../../mirror/upstream.js';
import { ANON, serverJson, sharedValidator, startTestApi, type TestApi } from '../helpers/app.js';
import { resetDatabase, testBackends } from '../helpers/db.js';
import {
  loadFixtureEntries,
  startUpstreamRegistry,
  type UpstreamRegistry,
} from '../helpers/upstream-registry.js';

const backend = testBackends()[0]!;
const enc = encodeURIComponent;

describe('a mirror is a read-only replica', () => {
  let db: Database;
  let peer: UpstreamRegistry;
  let replica: TestApi;
  let subregistry: TestApi;
  before(async () => {
    db = await backend.open();
    await resetDatabase(db);
    peer = await startUpstreamRegistry(loadFixtureEntries());
    replica = await startTestApi(db, { env: { MIRROR_UPSTREAM: `${peer.url}/v0.1` } });
    subregistry = await startTestApi(db, {
      env: { MIRROR_UPSTREAM: peer.url, MIRROR_LOCAL_NAMESPACES: ANON },
    });
  });
  after(async () => {
    await replica.app.close();
    await subregistry.app.close();
    await peer.close();
    await db.close();
  });

  test('publish, edit and status changes are refused with 409 naming the upstream', async () => {
    const token = await replica.anonymousToken();
    const publish = await replica.request('POST', '/v0/publish', { body: serverJson(), token });
    assert.equal(publish.statusCode, 409, publish.body);
    assert.match(String(publish.headers['content-type']), /^application\/problem\+json/);
    assert.equal(
      publish.json().detail,
      `This registry is a read-only mirror of ${peer.url}/v0.1: publish and change servers there`,
    );
    const admin = await replica.token();
    const name = enc(`${ANON}/weather`);
    const edit = await replica.request('PUT', `/v0/servers/${name}/versions/1.0.0`, {
      body: serverJson(),
      token: admin,
    });
    assert.equal(edit.statusCode, 409);
    const status = await replica.request('PATCH', `/v0/servers/${name}/status`, {
      body: { status: 'deprecated' },
      token: admin,
    });
    assert.equal(status.statusCode, 409);
    assert.equal(await countVersions(db.knex), 0);
  });

  test('a subregistry publishes in its own namespaces and nowhere else', async () => {
    const token = await subregistry.anonymousToken();
    const ok = await subregistry.request('POST', '/v0/publish', { body: serverJson(), token });
    assert.equal(ok.statusCode, 200, ok.body);
    const admin = await subregistry.token();
    const elsewhere = await subregistry.request('POST', '/v0/publish', {
      body: serverJson({ name: 'io.github.someone/weather' }),
      token: admin,
    });
    assert.equal(elsewhere.statusCode, 409);
    assert.deepEqual(elsewhere.json().errors, [
      { message: `only these namespaces are published here: ${ANON}` },
    ]);
  });

  test('GET /v0/admin/mirror shows the upstream, the crawl and the syncs (admins only); metrics say the lag', async () => {
    const upstream = createUpstreamClient({
      baseUrl: peer.url,
      ratePerMinute: 6000,
      timeoutMs: 30_000,
      userAgent: 't',
    });
    await syncMirror({
      db,
      upstream,
      validator: sharedValidator(),
      marginSeconds: 300,
      localNamespaces: [ANON],
    });
    const anon = await replica.request('GET', '/v0/admin/mirror', { token: await replica.anonymousToken() });
    assert.equal(anon.statusCode, 403);
    const res = await replica.request('GET', '/v0/admin/mirror', { token: await replica.token() });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.upstream, peer.url);
    assert.equal(body.crawl, null);
    assert.ok(body.highWater);
    assert.equal(body.syncs[0].status, 'succeeded');
    assert.equal(body.syncs[0].added, 200);
    const metrics = await replica.request('GET', '/metrics');
    assert.match(metrics.body, /^registry_mirror_lag_seconds \d+(\.\d+)?$/m);
    assert.match(metrics.body, /^registry_mirror_last_sync\{counter="added"\} 200$/m);
  });
});
