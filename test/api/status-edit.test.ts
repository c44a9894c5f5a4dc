import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Database } from '../../db/connect.js';
import { readJournal } from '../../db/repositories/journal.js';
import { ANON, encodeName, serverJson, type TestApi, useTestApi } from '../helpers/app.js';
import { testBackends } from '../helpers/db.js';

const OFFICIAL = 'io.modelcontextprotocol.registry/official';
const NAME = `${ANON}/weather`;
const versionUrl = (v: string, name = NAME) =>
  `/v0/servers/${encodeName(name)}/versions/${encodeURIComponent(v)}`;

for (const backend of testBackends()) {
  describe(`status and edit (${backend.name})`, () => {
    let db: Database;
    let api: TestApi;
    let token: string;
    useTestApi(backend, (f) => {
      ({ db, api, token } = f);
    });

    const publish = (version: string, extra = {}) =>
      api.request('POST', '/v0/publish', { token, body: serverJson({ version, ...extra }) });
    const setStatus = (version: string, body: unknown, t = token) =>
      api.request('PATCH', `${versionUrl(version)}/status`, { token: t, body });
    const latest = async () =>
      (await db.knex('server_versions').where({ server_name: NAME, is_latest: true })).map((r) => r.version);

    test('deprecate a version with a message, then restore it', async () => {
      await publish('1.0.0');
      const res = await setStatus('1.0.0', {
        status: 'deprecated',
        statusMessage: 'Please upgrade to 2.0.0',
      });
      assert.equal(res.statusCode, 200, res.body);
      const meta = res.json()._meta[OFFICIAL];
      assert.equal(meta.status, 'deprecated');
      assert.equal(meta.statusMessage, 'Please upgrade to 2.0.0');
      assert.ok(meta.statusChangedAt > meta.publishedAt);
      assert.equal(meta.updatedAt, meta.statusChangedAt);
      assert.equal(meta.isLatest, true, 'deprecated versions stay latest');
      const back = await setStatus('1.0.0', { status: 'active' });
      assert.equal(back.json()._meta[OFFICIAL].status, 'active');
      assert.equal(back.json()._meta[OFFICIAL].statusMessage, undefined);
      const journal = await readJournal(db.knex, 0, 10);
      assert.deepEqual(
        journal.map((j) => j.kind),
        ['publish', 'status', 'status'],
      );
    });

    test('status rules: message with active, no-op, unknown version, bad status', async () => {
      await publish('1.0.0');
      const withMessage = await setStatus('1.0.0', { status: 'active', statusMessage: 'hi' });
      assert.equal(withMessage.statusCode, 400);
      assert.deepEqual(withMessage.json().errors, [
        { message: 'status_message cannot be provided when setting status to active' },
      ]);
      const noop = await setStatus('1.0.0', { status: 'active' });
      assert.equal(noop.statusCode, 400);
      assert.match(noop.json().detail, /No changes to apply/);
      assert.equal((await setStatus('9.9.9', { status: 'deleted' })).statusCode, 404);
      const bad = await setStatus('1.0.0', { status: 'gone' });
      assert.equal(bad.statusCode, 422);
      assert.equal((await readJournal(db.knex, 0, 10)).length, 1);
    });

    test('deleting the latest version moves latest to the highest live one, restoring moves it back', async () => {
      await publish('1.0.0');
      await publish('2.0.0');
      await publish('1.5.0');
      assert.deepEqual(await latest(), ['2.0.0']);
      const del = await setStatus('2.0.0', { status: 'deleted', statusMessage: 'broken' });
      assert.equal(del.json()._meta[OFFICIAL].isLatest, false);
      assert.deepEqual(await latest(), ['1.5.0']);
      await setStatus('2.0.0', { status: 'active' });
      assert.deepEqual(await latest(), ['2.0.0']);
    });

    test('when every version is deleted the highest deleted one keeps the flag', async () => {
      await publish('1.0.0');
      await publish('2.0.0');
      const res = await api.request('PATCH', `/v0/servers/${encodeName(NAME)}/status`, {
        token,
        body: { status: 'deleted', statusMessage: 'taken down' },
      });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.updatedCount, 2);
      assert.equal(body.servers.length, 2);
      assert.ok(
        body.servers.every(
          (s: { _meta: Record<string, { status: string }> }) => s._meta[OFFICIAL]!.status === 'deleted',
        ),
      );
      assert.deepEqual(await latest(), ['2.0.0']);
      const again = await api.request('PATCH', `/v0/servers/${encodeName(NAME)}/status`, {
        token,
        body: { status: 'deleted', statusMessage: 'taken down' },
      });
      assert.equal(again.statusCode, 400);
      // A new live version takes over from an all-deleted server.
      await publish('0.9.0');
      assert.deepEqual(await latest(), ['0.9.0']);
    });

    test('bulk status only touches versions that differ and is one journal entry', async () => {
      await publish('1.0.0');
      await publish('2.0.0');
      await setStatus('1.0.0', { status: 'deprecated', statusMessage: 'old' });
      const res = await api.request('PATCH', `/v0/servers/${encodeName(NAME)}/status`, {
        token,
        body: { status: 'deprecated', statusMessage: 'old' },
      });
      assert.equal(res.json().updatedCount, 1);
      const journal = await readJournal(db.knex, 0, 10);
      assert.equal(journal.length, 4);
      assert.equal(journal[3]!.version, null);
      assert.equal(
        (
          await api.request('PATCH', `/v0/servers/${encodeName(`${ANON}/nope`)}/status`, {
            token,
            body: { status: 'deleted' },
          })
        ).statusCode,
        404,
      );
    });

    test('restoring a deleted version re-checks its remote URL', async () => {
      const remotes = [{ type: 'streamable-http', url: 'https://mcp.example.com/mcp' }];
      await publish('1.0.0', { remotes, packages: [] });
      await setStatus('1.0.0', { status: 'deleted' });
      const other = await api.request('POST', '/v0/publish', {
        token,
        body: serverJson({ name: `${ANON}/other`, remotes, packages: [] }),
      });
      assert.equal(other.statusCode, 200);
      const restore = await setStatus('1.0.0', { status: 'active' });
      assert.equal(restore.statusCode, 400);
      assert.match(restore.json().errors[0].message, /already used by server/);
    });

    test('status needs publish or edit permission on the name', async () => {
      await publish('1.0.0');
      const other = await api.token({ permissions: [{ action: 'publish', resource: 'io.github.bob/*' }] });
      const res = await setStatus('1.0.0', { status: 'deprecated' }, other);
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().detail, 'You do not have publish or edit permissions for this server');
    });

    test('edit replaces the document, bumps updatedAt and keeps status and latest', async () => {
      await publish('1.0.0');
      const edit = await api.request('PUT', versionUrl('1.0.0'), {
        token,
        body: serverJson({ description: 'Scrubbed description' }),
      });
      assert.equal(edit.statusCode, 200, edit.body);
      const body = edit.json();
      assert.equal(body.server.description, 'Scrubbed description');
      const meta = body._meta[OFFICIAL];
      assert.ok(meta.updatedAt > meta.publishedAt);
      assert.equal(meta.statusChangedAt, meta.publishedAt);
      assert.equal(meta.isLatest, true);
      assert.deepEqual(
        (await readJournal(db.knex, 0, 10)).map((j) => j.kind),
        ['publish', 'edit'],
      );
    });

    test('edit refuses renames, version mismatches, deleted versions and publish-only tokens', async () => {
      await publish('1.0.0');
      const rename = await api.request('PUT', versionUrl('1.0.0'), {
        token,
        body: serverJson({ name: `${ANON}/other` }),
      });
      assert.equal(rename.statusCode, 400);
      assert.deepEqual(rename.json().errors, [{ message: 'Cannot rename server' }]);
      const mismatch = await api.request('PUT', versionUrl('1.0.0'), {
        token,
        body: serverJson({ version: '1.0.1' }),
      });
      assert.equal(mismatch.statusCode, 400);
      const publishOnly = await api.token({ permissions: [{ action: 'publish', resource: `${ANON}/*` }] });
      const forbidden = await api.request('PUT', versionUrl('1.0.0'), {
        token: publishOnly,
        body: serverJson(),
      });
      assert.equal(forbidden.statusCode, 403);
      const invalid = await api.request('PUT', versionUrl('1.0.0'), {
        token,
        body: serverJson({ description: '' }),
      });
      assert.equal(invalid.statusCode, 422);
      await setStatus('1.0.0', { status: 'deleted' });
      const deleted = await api.request('PUT', versionUrl('1.0.0'), { token, body: serverJson() });
      assert.equal(deleted.statusCode, 404);
      assert.deepEqual(
        (await readJournal(db.knex, 0, 10)).map((j) => j.kind),
        ['publish', 'status'],
      );
    });
  });
}
