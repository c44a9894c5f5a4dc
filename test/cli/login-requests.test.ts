// test-tier: slow
import assert from 'node:assert/strict';
import { createECDH, createPublicKey, ECDH, generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fakeRegistryToken, type Recorded, type Recorder, runCli, startRecorder } from './subprocess.js';

/**
 * The sign-in methods whose registry routes live on another branch: the real CLI runs against a
 * loopback peer that records every request, and the test asserts the exact official bodies (and
 * that DNS/HTTP signatures verify with the key the published record names).
 */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** The public key a `v=MCPv1; k=…; p=…` record names, as the registry decodes it. */
function keyOfRecord(record: string) {
  const m = /v=MCPv1;\s*k=([^;]+);\s*p=([A-Za-z0-9+/=]+)/.exec(record);
  assert.ok(m, record);
  const raw = Buffer.from(m[2] as string, 'base64');
  if (m[1] === 'ed25519') {
    assert.equal(raw.length, 32);
    return {
      algorithm: 'ed25519',
      key: createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
        format: 'jwk',
      }),
    };
  }
  assert.equal(m[1], 'ecdsap384');
  assert.equal(raw.length, 49, 'a compressed P-384 point');
  const point = ECDH.convertKey(raw, 'secp384r1', undefined, undefined, 'uncompressed') as Buffer;
  const x = point.subarray(1, 49).toString('base64url');
  const y = point.subarray(49).toString('base64url');
  return {
    algorithm: 'ecdsap384',
    key: createPublicKey({ key: { kty: 'EC', crv: 'P-384', x, y }, format: 'jwk' }),
  };
}

function assertSignedBody(request: Recorded, domain: string, record: string): void {
  const body = JSON.parse(request.body) as Record<string, string>;
  assert.deepEqual(Object.keys(body).sort(), ['domain', 'signed_timestamp', 'timestamp']);
  assert.equal(body.domain, domain);
  assert.match(body.timestamp as string, TIMESTAMP);
  assert.ok(Math.abs(Date.parse(body.timestamp as string) - Date.now()) < 60_000);
  const { algorithm, key } = keyOfRecord(record);
  const signature = Buffer.from(body.signed_timestamp as string, 'hex');
  assert.equal(
    signature.length,
    algorithm === 'ed25519' ? 64 : 96,
    'Ed25519: 64 bytes; P-384: R‖S, 96 bytes',
  );
  const message = Buffer.from(body.timestamp as string);
  const ok =
    algorithm === 'ed25519'
      ? verify(null, message, key, signature)
      : verify('sha384', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
  assert.ok(ok, 'the signature over the exact timestamp string verifies with the published key');
}

describe('sign-in requests, as the official registry expects them', () => {
  let scratch: string;
  let peer: Recorder;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, { env, cwd: scratch });
  const sent = (path: string) => peer.requests.filter((r) => r.url.split('?')[0] === path);
  const last = (path: string) => sent(path).at(-1) as Recorded;

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'mcpreg-cli-login-'));
    peer = await startRecorder((r) => {
      const path = r.url.split('?')[0];
      if (path?.startsWith('/v0/auth/')) {
        if (r.body.includes('refused')) {
          return {
            status: 401,
            contentType: 'application/problem+json',
            body: {
              title: 'Unauthorized',
              status: 401,
              detail: 'Token exchange failed',
              errors: [{ message: 'invalid token' }],
            },
          };
        }
        return {
          body: fakeRegistryToken({
            auth_method_sub: 'octocat',
            permissions: [{ action: 'publish', resource: 'io.github.octocat/*' }],
          }),
        };
      }
      if (path === '/actions-token') return { body: { value: 'actions.id.token' } };
      if (path === '/v0/verify-domain' && r.method === 'POST') {
        return {
          body: {
            domain: 'example.com',
            txt_record: 'mcp-verify=0123abcd',
            expires_at: '2026-12-05T00:00:00Z',
          },
        };
      }
      if (path === '/v0/verify-domain/check') return { body: { domain: 'example.com', status: 'verified' } };
      if (path === '/v0/verify-domain')
        return { body: { domains: [{ domain: 'example.com', status: 'verified' }] } };
      return { status: 404, body: { title: 'Not Found', status: 404 } };
    });
    env = { HOME: scratch, XDG_CONFIG_HOME: join(scratch, 'config'), MCP_REGISTRY_URL: peer.url };
  });
  after(async () => {
    await peer?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('login github --token / MCP_GITHUB_TOKEN: {github_token} to /v0/auth/github-at, never stored or printed', async () => {
    const login = await cli('login', 'github', '--token', 'ghp_fromflag');
    assert.equal(login.code, 0, login.stderr);
    const request = last('/v0/auth/github-at');
    assert.equal(request.method, 'POST');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(request.body), { github_token: 'ghp_fromflag' });
    assert.match(login.stderr, /logged in to .* with github as octocat/);
    const stored = readFileSync(join(scratch, 'config', 'mcp-registry', 'credentials.json'), 'utf8');
    assert.ok(!stored.includes('ghp_') && !login.stderr.includes('ghp_') && !login.stdout.includes('ghp_'));

    const fromEnv = await runCli(['login', 'github'], {
      env: { ...env, MCP_GITHUB_TOKEN: 'ghp_fromenv' },
      cwd: scratch,
    });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.deepEqual(JSON.parse(last('/v0/auth/github-at').body), { github_token: 'ghp_fromenv' });
  });

  it('login github-oidc: the Actions ID token for audience mcp-registry, then {oidc_token}', async () => {
    const outside = await cli('login', 'github-oidc');
    assert.equal(outside.code, 2);
    assert.match(outside.stderr, /inside GitHub Actions/);

    const actions = {
      ...env,
      ACTIONS_ID_TOKEN_REQUEST_URL: `${peer.url}/actions-token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'actions-request-secret',
    };
    const login = await runCli(['login', 'github-oidc'], { env: actions, cwd: scratch });
    assert.equal(login.code, 0, login.stderr);
    const asked = last('/actions-token');
    assert.equal(asked.method, 'GET');
    const query = new URL(asked.url, peer.url).searchParams;
    assert.equal(query.get('audience'), 'mcp-registry');
    assert.equal(query.get('api-version'), '2.0');
    assert.equal(asked.headers.authorization, 'Bearer actions-request-secret');
    assert.deepEqual(JSON.parse(last('/v0/auth/github-oidc').body), { oidc_token: 'actions.id.token' });
    assert.ok(!login.stderr.includes('actions.id.token') && !login.stderr.includes('actions-request-secret'));
  });

  it('login oidc --token: {oidc_token} to /v0/auth/oidc', async () => {
    assert.equal((await cli('login', 'oidc')).code, 2);
    const login = await cli('login', 'oidc', '--token', 'google.id.token');
    assert.equal(login.code, 0, login.stderr);
    assert.deepEqual(JSON.parse(last('/v0/auth/oidc').body), { oidc_token: 'google.id.token' });
  });

  for (const [method, algorithm] of [
    ['dns', 'ed25519'],
    ['http', 'ecdsap384'],
  ] as const) {
    it(`login ${method} with a keygen ${algorithm} key: a signature over the exact timestamp that the record's key verifies`, async () => {
      const keyFile = join(scratch, `${method}.pem`);
      const keygen = await cli(
        'keygen',
        '--algorithm',
        algorithm,
        '--out',
        keyFile,
        '--domain',
        'example.com',
        '--json',
      );
      assert.equal(keygen.code, 0, keygen.stderr);
      const made = JSON.parse(keygen.stdout);
      assert.equal(made.txt, `example.com. IN TXT "${made.record}"`);
      assert.equal(made.wellKnown, 'https://example.com/.well-known/mcp-registry-auth');
      assert.ok(!keygen.stdout.includes('PRIVATE KEY') && !keygen.stderr.includes('PRIVATE KEY'));
      assert.equal((await cli('keygen', '--out', keyFile)).code, 2, 'never overwrites a key without --force');

      const login = await cli('login', method, 'example.com', '--key', keyFile);
      assert.equal(login.code, 0, login.stderr);
      assert.ok(login.stderr.includes(made.record), 'shows the record the registry will look for');
      assertSignedBody(last(`/v0/auth/${method}`), 'example.com', made.record);
    });
  }

  it('login dns with a hex key as mcp-publisher takes it (Ed25519 seed, P-384 scalar)', async () => {
    const ed = generateKeyPairSync('ed25519');
    const seed = Buffer.from(ed.privateKey.export({ format: 'jwk' }).d as string, 'base64url');
    writeFileSync(join(scratch, 'seed.hex'), seed.toString('hex'));
    const login = await cli('login', 'dns', 'example.com', '--key', 'seed.hex', '--algorithm', 'ed25519');
    assert.equal(login.code, 0, login.stderr);
    const x = Buffer.from(ed.publicKey.export({ format: 'jwk' }).x as string, 'base64url').toString('base64');
    assertSignedBody(last('/v0/auth/dns'), 'example.com', `v=MCPv1; k=ed25519; p=${x}`);

    const p384 = createECDH('secp384r1');
    p384.generateKeys();
    writeFileSync(join(scratch, 'p384.hex'), p384.getPrivateKey().toString('hex').padStart(96, '0'));
    const second = await cli('login', 'dns', 'example.com', '--key', 'p384.hex');
    assert.equal(second.code, 0, second.stderr);
    const compressed = p384.getPublicKey(undefined, 'compressed').toString('base64');
    assertSignedBody(last('/v0/auth/dns'), 'example.com', `v=MCPv1; k=ecdsap384; p=${compressed}`);
  });

  it('a wrong key file, a missing one, or a mismatched --algorithm: one line, exit 2, nothing sent', async () => {
    const before = peer.requests.length;
    writeFileSync(
      join(scratch, 'rsa.pem'),
      generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
    );
    writeFileSync(join(scratch, 'junk.pem'), randomBytes(40).toString('base64'));
    for (const [file, message] of [
      ['rsa.pem', /rsa\.pem is a rsa key; sign-in takes Ed25519 or ECDSA P-384/],
      ['junk.pem', /junk\.pem is not a private key/],
      ['absent.pem', /cannot read the key file absent\.pem: ENOENT/],
    ] as const) {
      const login = await cli('login', 'dns', 'example.com', '--key', file);
      assert.equal(login.code, 2, login.stderr);
      assert.match(login.stderr, message);
      assert.equal(login.stderr.trim().split('\n').length, 1, login.stderr);
    }
    const mismatch = await cli(
      'login',
      'http',
      'example.com',
      '--key',
      'dns.pem',
      '--algorithm',
      'ecdsap384',
    );
    assert.equal(mismatch.code, 2);
    assert.match(mismatch.stderr, /dns\.pem is an ed25519 key, not ecdsap384/);
    assert.equal(peer.requests.length, before);
  });

  it('a refused sign-in prints the problem detail and each errors[] entry, exit 1', async () => {
    const refused = await cli('login', 'github', '--token', 'refused');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^error: POST .*\/v0\/auth\/github-at: HTTP 401: Token exchange failed$/m);
    assert.match(refused.stderr, /^ {2}- invalid token$/m);
  });

  it('verify-domain: request, --check and --list with the saved token', async () => {
    assert.equal((await cli('login', 'github', '--token', 'ghp_x')).code, 0);
    const request = await cli('verify-domain', 'example.com');
    assert.equal(request.code, 0, request.stderr);
    assert.equal(request.stdout, 'example.com. IN TXT "mcp-verify=0123abcd"\n');
    const posted = last('/v0/verify-domain');
    assert.equal(posted.method, 'POST');
    assert.deepEqual(JSON.parse(posted.body), { domain: 'example.com' });
    assert.match(posted.headers.authorization ?? '', /^Bearer ey/);

    const check = await cli('verify-domain', '--check', 'example.com', '--json');
    assert.equal(check.code, 0, check.stderr);
    assert.deepEqual(JSON.parse(check.stdout), { domain: 'example.com', status: 'verified' });
    assert.deepEqual(JSON.parse(last('/v0/verify-domain/check').body), { domain: 'example.com' });

    const list = await cli('verify-domain', '--list');
    assert.equal(list.code, 0, list.stderr);
    assert.equal(list.stdout, 'example.com\tverified\n');
    assert.equal(last('/v0/verify-domain').method, 'GET');
  });
});
