// test-tier: slow
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServe } from '../../scripts/bench/util.js';

/**
 * The official `mcp-publisher` (cmd/publisher in modelcontextprotocol/registry) against our registry,
 * replayed request by request as its Go code sends them (method, path, headers, body), and each
 * answer checked the way it parses it. `login github --token` and `login dns` send
 * `{github_token}` and `{domain, timestamp, signed_timestamp}` to routes another branch adds; our own
 * CLI's requests to them are asserted in login-requests.test.ts.
 *
 * `status` GETs the version (`?include_deleted=true`, bearer token) from the registry URL it writes
 * to. Until the registry serves reads and writes on one URL, those GETs go to the read side here
 * (`READ`); after the merge both constants are the one registry URL.
 */
const GO = { 'user-agent': 'Go-http-client/1.1', 'accept-encoding': 'gzip' };
const OFFICIAL = 'io.modelcontextprotocol.registry/official';
const NAME = 'io.modelcontextprotocol.anonymous/contract';
const pathEscape = encodeURIComponent; // Go's url.PathEscape escapes '/' as %2F, as this does

describe('mcp-publisher, replayed against the registry', () => {
  let scratch: string;
  let serve: Awaited<ReturnType<typeof startServe>>;
  let WRITE: string;
  let READ: string;
  let token: string;

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'mcpreg-contract-'));
    serve = await startServe({ dataDir: join(scratch, 'data'), siteDir: join(scratch, 'site') });
    WRITE = `${serve.api}/`;
    READ = `${serve.cdn}/`;
  });
  after(async () => {
    await serve?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('login none: POST v0/auth/none with no body → 200 {registry_token, expires_at}', async () => {
    // auth/none.go: http.NewRequest(POST, registryURL + "v0/auth/none", nil); no Content-Type.
    const res = await fetch(`${WRITE}v0/auth/none`, { method: 'POST', headers: GO });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { registry_token: unknown; expires_at: unknown };
    assert.equal(typeof body.registry_token, 'string');
    assert.ok(Number.isInteger(body.expires_at), 'expires_at is an int64 in the Go struct');
    token = body.registry_token as string;
  });

  async function publish(version: string): Promise<Response> {
    // publish.go: POST registryURL + "v0/publish", Content-Type: application/json, Bearer token.
    return fetch(`${WRITE}v0/publish`, {
      method: 'POST',
      headers: { ...GO, 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
        name: NAME,
        description: 'Replays of mcp-publisher',
        version,
      }),
    });
  }

  it('publish: 200 or 201 with a ServerResponse {server: {name, version}}', async () => {
    for (const version of ['1.0.0', '1.1.0']) {
      const res = await publish(version);
      assert.ok(res.status === 200 || res.status === 201, String(res.status));
      const body = (await res.json()) as { server: { name: string; version: string } };
      assert.equal(body.server.name, NAME);
      assert.equal(body.server.version, version);
    }
  });

  async function getWithToken(url: string): Promise<Response> {
    // status.go fetchVersionStatus / fetchAllVersionsStatus: GET with the bearer token, no body.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const res = await fetch(url, { headers: { ...GO, authorization: `Bearer ${token}` } });
      if (res.status !== 404 || Date.now() > deadline) return res;
      await new Promise((r) => setTimeout(r, 200)); // the builder has not written it yet
    }
  }

  it('status: GET the version ?include_deleted=true (bearer), then PATCH …/versions/{v}/status', async () => {
    const got = await getWithToken(
      `${READ}v0/servers/${pathEscape(NAME)}/versions/${pathEscape('1.0.0')}?include_deleted=true`,
    );
    assert.equal(got.status, 200);
    const current = (await got.json()) as {
      server: { version: string };
      _meta: Record<string, { status?: string }>;
    };
    assert.equal(current.server.version, '1.0.0');
    assert.equal(current._meta[OFFICIAL]?.status, 'active', 'what mcp-publisher shows as "from"');

    const patched = await fetch(
      `${WRITE}v0/servers/${pathEscape(NAME)}/versions/${pathEscape('1.0.0')}/status`,
      {
        method: 'PATCH',
        headers: { ...GO, 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ status: 'deprecated', statusMessage: 'Please upgrade to 1.1.0' }),
      },
    );
    assert.equal(patched.status, 200, await patched.clone().text());
    // Without a message the Go struct omits statusMessage (omitempty).
    const plain = await fetch(
      `${WRITE}v0/servers/${pathEscape(NAME)}/versions/${pathEscape('1.1.0')}/status`,
      {
        method: 'PATCH',
        headers: { ...GO, 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ status: 'deprecated' }),
      },
    );
    assert.equal(plain.status, 200);
  });

  it('status --all-versions: GET …/versions?include_deleted=true, then PATCH …/status → {updatedCount}', async () => {
    const listed = await getWithToken(`${READ}v0/servers/${pathEscape(NAME)}/versions?include_deleted=true`);
    assert.equal(listed.status, 200);
    const list = (await listed.json()) as {
      servers: { server: { version: string }; _meta: Record<string, { status?: string }> }[];
    };
    assert.deepEqual(list.servers.map((s) => s.server.version).sort(), ['1.0.0', '1.1.0']);
    for (const s of list.servers) assert.equal(typeof s._meta[OFFICIAL]?.status, 'string');

    const patched = await fetch(`${WRITE}v0/servers/${pathEscape(NAME)}/status`, {
      method: 'PATCH',
      headers: { ...GO, 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ status: 'deleted', statusMessage: 'Project archived' }),
    });
    assert.equal(patched.status, 200, await patched.clone().text());
    const body = (await patched.json()) as { updatedCount: unknown };
    assert.equal(body.updatedCount, 2, 'mcp-publisher prints "Successfully updated N version(s)"');
  });

  it('an expired or missing token: 401 problem+json, which mcp-publisher prints with its status', async () => {
    const res = await fetch(`${WRITE}v0/publish`, {
      method: 'POST',
      headers: { ...GO, 'content-type': 'application/json' },
      body: JSON.stringify({ name: NAME, description: 'x', version: '9.9.9' }),
    });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  });
});
