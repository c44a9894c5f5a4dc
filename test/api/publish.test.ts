import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Database } from '../../db/connect.js';
import { readJournal } from '../../db/repositories/journal.js';
import { countVersions } from '../../db/repositories/versions.js';
import {
  ANON,
  encodeName,
  intoAnonymous,
  loadExamples,
  serverJson,
  type TestApi,
  useTestApi,
} from '../helpers/app.js';
import { testBackends } from '../helpers/db.js';

const OFFICIAL = 'io.modelcontextprotocol.registry/official';

for (const backend of testBackends()) {
  describe(`publish (${backend.name})`, () => {
    let db: Database;
    let api: TestApi;
    let token: string;
    useTestApi(backend, (f) => {
      ({ db, api, token } = f);
    });

    const publish = (body: unknown, t = token, prefix = '/v0') =>
      api.request('POST', `${prefix}/publish`, { body, token: t });
    async function assertNothingStored() {
      assert.equal(await countVersions(db.knex), 0);
      assert.deepEqual(await readJournal(db.knex, 0, 10), []);
    }

    test('every official example publishes with an anonymous token, under /v0 and /v0.1', async () => {
      const examples = loadExamples();
      assert.equal(examples.length, 16);
      for (const [i, { file, doc }] of examples.entries()) {
        const res = await publish(intoAnonymous(doc), token, i % 2 ? '/v0.1' : '/v0');
        assert.equal(res.statusCode, 200, `${file}: ${res.body}`);
        const body = res.json();
        assert.equal(body.server.name, intoAnonymous(doc).name);
        assert.equal(body.server.version, doc.version);
        const meta = body._meta[OFFICIAL];
        assert.equal(meta.status, 'active');
        assert.match(meta.publishedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,5}[1-9])?Z$/);
        assert.equal(meta.updatedAt, meta.publishedAt);
        assert.equal(meta.statusChangedAt, meta.publishedAt);
        assert.equal(meta.isLatest, true);
      }
      // 03 and 08 are two versions of one server.
      assert.equal(await countVersions(db.knex), 16);
      const journal = await readJournal(db.knex, 0, 100);
      assert.deepEqual(
        journal.map((j) => j.seq),
        Array.from({ length: 16 }, (_, i) => i + 1),
      );
      assert.ok(journal.every((j) => j.kind === 'publish' && j.actor === 'none:anonymous'));
    });

    test('the stored document keeps publisher-provided _meta and drops other _meta keys', async () => {
      const res = await publish(
        serverJson({
          _meta: {
            'io.modelcontextprotocol.registry/publisher-provided': { tool: 'ci' },
            'io.modelcontextprotocol.registry/official': { status: 'deleted' },
            'com.example/other': { x: 1 },
          },
        }),
      );
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().server._meta, {
        'io.modelcontextprotocol.registry/publisher-provided': { tool: 'ci' },
      });
      assert.equal(res.json()._meta[OFFICIAL].status, 'active');
    });

    test('a version is never published twice, not even after it was deleted', async () => {
      assert.equal((await publish(serverJson())).statusCode, 200);
      const again = await publish(serverJson({ description: 'changed' }));
      assert.equal(again.statusCode, 400);
      assert.equal(again.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.deepEqual(again.json(), {
        title: 'Bad Request',
        status: 400,
        detail: 'Failed to publish server',
        errors: [{ message: 'invalid version: cannot publish duplicate version' }],
      });
      const del = await api.request(
        'PATCH',
        `/v0/servers/${encodeName(`${ANON}/weather`)}/versions/1.0.0/status`,
        {
          token,
          body: { status: 'deleted' },
        },
      );
      assert.equal(del.statusCode, 200, del.body);
      assert.equal((await publish(serverJson())).statusCode, 400);
      assert.equal((await readJournal(db.knex, 0, 10)).length, 2);
    });

    test('a name that equals an existing one ignoring case is refused', async () => {
      assert.equal((await publish(serverJson({ name: `${ANON}/Weather` }))).statusCode, 200);
      const res = await publish(serverJson({ name: `${ANON}/weather`, version: '2.0.0' }));
      assert.equal(res.statusCode, 400);
      assert.match(res.json().errors[0].message, /differs only in letter case/);
      assert.equal(await countVersions(db.knex), 1);
    });

    test('a remote URL belongs to one server name', async () => {
      const remotes = [{ type: 'streamable-http', url: 'https://mcp.example.com/mcp' }];
      assert.equal(
        (await publish(serverJson({ name: `${ANON}/alpha`, remotes, packages: [] }))).statusCode,
        200,
      );
      // The same server may keep its URL in a new version.
      assert.equal(
        (await publish(serverJson({ name: `${ANON}/alpha`, version: '1.0.1', remotes, packages: [] })))
          .statusCode,
        200,
      );
      const res = await publish(serverJson({ name: `${ANON}/beta`, remotes, packages: [] }));
      assert.equal(res.statusCode, 400);
      assert.equal(
        res.json().errors[0].message,
        `remote URL https://mcp.example.com/mcp is already used by server ${ANON}/alpha`,
      );
      // Once every version holding it is deleted, the URL is free.
      await api.request('PATCH', `/v0/servers/${encodeName(`${ANON}/alpha`)}/status`, {
        token,
        body: { status: 'deleted' },
      });
      assert.equal(
        (await publish(serverJson({ name: `${ANON}/beta`, remotes, packages: [] }))).statusCode,
        200,
      );
    });

    test('at most 10000 versions per server', async () => {
      assert.equal((await publish(serverJson())).statusCode, 200);
      await db
        .knex('servers')
        .where({ name: `${ANON}/weather` })
        .update({ version_count: 9999 });
      assert.equal((await publish(serverJson({ version: '1.0.1' }))).statusCode, 200);
      const res = await publish(serverJson({ version: '1.0.2' }));
      assert.equal(res.statusCode, 400);
      assert.match(
        res.json().errors[0].message,
        /maximum number of versions for this server reached \(10000\)/,
      );
    });

    test('latest follows the official rule', async () => {
      const latestOf = async () =>
        (await db.knex('server_versions').where({ server_name: `${ANON}/weather`, is_latest: true })).map(
          (r) => r.version,
        );
      await publish(serverJson({ version: '2.0.0' }));
      const older = await publish(serverJson({ version: '1.0.1' }));
      assert.equal(older.json()._meta[OFFICIAL].isLatest, false);
      assert.deepEqual(await latestOf(), ['2.0.0']);
      await publish(serverJson({ version: '2.0.1-rc.1' }));
      assert.deepEqual(await latestOf(), ['2.0.1-rc.1']);
      await publish(serverJson({ version: '2.0.1' }));
      assert.deepEqual(await latestOf(), ['2.0.1']);
      // Mixed: semver always wins over a non-semver version.
      await publish(serverJson({ version: 'snapshot-2026' }));
      assert.deepEqual(await latestOf(), ['2.0.1']);
      // Neither semver: the later publish wins.
      await publish(serverJson({ name: `${ANON}/dated`, version: '2025.06.18' }));
      await publish(serverJson({ name: `${ANON}/dated`, version: '2024.01.01' }));
      const dated = await db.knex('server_versions').where({ server_name: `${ANON}/dated`, is_latest: true });
      assert.deepEqual(
        dated.map((r) => r.version),
        ['2024.01.01'],
      );
    });

    test('a new latest takes the flag from the old one in the same journal entry', async () => {
      await publish(serverJson({ version: '1.0.0' }));
      const res = await publish(serverJson({ version: '1.1.0' }));
      const rows = await db.knex('server_versions').select('version', 'is_latest', 'seq').orderBy('version');
      assert.deepEqual(
        rows.map((r) => [r.version, r.is_latest, Number(r.seq)]),
        [
          ['1.0.0', false, 2],
          ['1.1.0', true, 2],
        ],
      );
      assert.equal(res.json()._meta[OFFICIAL].isLatest, true);
    });

    test('a token for another namespace is refused with 403 and nothing is stored', async () => {
      const res = await publish(serverJson({ name: 'io.github.bob/weather' }));
      assert.equal(res.statusCode, 403);
      assert.match(
        res.json().detail,
        /You have permission to publish: io\.modelcontextprotocol\.anonymous\/\*\. Attempting to publish: io\.github\.bob\/weather/,
      );
      await assertNothingStored();
    });

    test('missing, malformed, expired and tampered tokens get 401', async () => {
      const noAuth = await api.request('POST', '/v0/publish', { body: serverJson() });
      assert.equal(noAuth.statusCode, 401);
      const badFormat = await api.request('POST', '/v0/publish', {
        body: serverJson(),
        headers: { authorization: 'Token abc' },
      });
      assert.equal(badFormat.statusCode, 401);
      assert.equal(badFormat.json().detail, "Invalid Authorization header format. Expected 'Bearer <token>'");
      const expired = (
        await api.tokens.issue(
          {
            authMethod: 'none',
            authMethodSub: 'anonymous',
            permissions: [{ action: 'publish', resource: '*' }],
          },
          new Date(Date.now() - 10 * 60_000),
        )
      ).registry_token;
      const exp = await publish(serverJson(), expired);
      assert.equal(exp.statusCode, 401);
      assert.equal(exp.json().detail, 'Invalid or expired Registry JWT token');
      assert.deepEqual(exp.json().errors, [{ message: 'token has expired' }]);
      // Widen the permissions in the payload without re-signing.
      const [h, p, s] = token.split('.');
      const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
      claims.permissions = [{ action: 'publish', resource: '*' }];
      const tampered = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
      const tam = await publish(serverJson({ name: 'io.github.bob/weather' }), tampered);
      assert.equal(tam.statusCode, 401);
      await assertNothingStored();
    });

    test('schema-invalid and rule-breaking documents get 422 with the reasons, nothing stored', async () => {
      const cases: [string, unknown, RegExp][] = [
        ['description too long', serverJson({ description: 'x'.repeat(101) }), /description/],
        ['no $schema', { ...serverJson(), $schema: undefined }, /\$schema/],
        ['version latest', serverJson({ version: 'latest' }), /reserved/],
        ['version range', serverJson({ version: '^1.2.3' }), /range/],
        [
          'http remote',
          serverJson({ remotes: [{ type: 'sse', url: 'http://mcp.example.com/sse' }] }),
          /https/,
        ],
        [
          'localhost remote',
          serverJson({ remotes: [{ type: 'sse', url: 'https://localhost/sse' }] }),
          /localhost/,
        ],
        ['bad name', serverJson({ name: `${ANON}/-bad` }), /name/],
        ['not an object', [1, 2, 3], /./],
      ];
      for (const [label, body, pattern] of cases) {
        const res = await publish(body);
        assert.equal(res.statusCode, 422, `${label}: ${res.body}`);
        const problem = res.json();
        assert.equal(problem.detail, 'Failed to publish server, invalid schema: call /validate for details');
        assert.ok(problem.errors.length > 0, label);
        assert.match(JSON.stringify(problem.errors), pattern, label);
      }
      await assertNothingStored();
    });

    test('malformed JSON, wrong content type, empty and oversized bodies get clear 4xx', async () => {
      const malformed = await api.request('POST', '/v0/publish', { token, rawBody: '{"name": ' });
      assert.equal(malformed.statusCode, 400);
      assert.equal(malformed.json().detail, 'Request body is not valid JSON');
      const wrongType = await api.request('POST', '/v0/publish', {
        token,
        rawBody: JSON.stringify(serverJson()),
        headers: { 'content-type': 'text/plain' },
      });
      assert.equal(wrongType.statusCode, 415);
      assert.equal(wrongType.headers['content-type'], 'application/problem+json; charset=utf-8');
      const empty = await api.request('POST', '/v0/publish', { token, rawBody: '' });
      assert.equal(empty.statusCode, 400);
      const huge = await publish(
        serverJson({
          _meta: { 'io.modelcontextprotocol.registry/publisher-provided': { pad: 'x'.repeat(1024 * 1024) } },
        }),
      );
      assert.equal(huge.statusCode, 413);
      assert.equal(huge.json().title, 'Payload Too Large');
      await assertNothingStored();
    });
  });
}
