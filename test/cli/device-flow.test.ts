import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { githubDeviceFlow } from '../../client/github.js';
import { fakeRegistryToken, type Recorder, runCli, startRecorder } from './subprocess.js';

/**
 * The GitHub OAuth device flow (RFC 8628) against a loopback peer speaking GitHub's answers:
 * `authorization_pending`, `slow_down` (+5 s), expiry, denial; with a fake clock in-process, and
 * once through the real CLI with the registry's `github_client_id` from /v0/health.
 */
const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** A GitHub device-flow peer answering each token poll with the next scripted answer. */
async function startGitHub(
  script: Record<string, unknown>[],
  start: Record<string, unknown> = {},
): Promise<Recorder> {
  let polls = 0;
  return startRecorder((r) => {
    if (r.url === '/login/device/code') {
      return {
        body: {
          device_code: 'device-123',
          user_code: 'WDJB-MJHT',
          verification_uri: 'https://github.com/login/device',
          expires_in: 900,
          interval: 5,
          ...start,
        },
      };
    }
    if (r.url === '/login/oauth/access_token') return { body: script[Math.min(polls++, script.length - 1)] };
    return { status: 404 };
  });
}

function fakeClock() {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe('GitHub device flow', () => {
  it('polls at the interval, adds 5 s on slow_down, and returns the token', async () => {
    const github = await startGitHub([
      { error: 'authorization_pending' },
      { error: 'slow_down', interval: 10 },
      { error: 'authorization_pending' },
      { access_token: 'gho_granted', token_type: 'bearer', scope: 'read:org,read:user' },
    ]);
    try {
      const clock = fakeClock();
      const shown: unknown[] = [];
      const token = await githubDeviceFlow({
        clientId: 'Iv1.client',
        deviceCodeUrl: `${github.url}/login/device/code`,
        accessTokenUrl: `${github.url}/login/oauth/access_token`,
        onCode: (code) => shown.push(code),
        ...clock,
      });
      assert.equal(token, 'gho_granted');
      assert.deepEqual(shown, [
        { userCode: 'WDJB-MJHT', verificationUri: 'https://github.com/login/device', expiresInSeconds: 900 },
      ]);
      assert.deepEqual(clock.slept, [5000, 5000, 10_000, 10_000]);
      const [start, ...polls] = github.requests;
      assert.deepEqual(JSON.parse(start?.body ?? ''), {
        client_id: 'Iv1.client',
        scope: 'read:org read:user',
      });
      assert.equal(start?.headers.accept, 'application/json');
      assert.equal(polls.length, 4);
      for (const poll of polls) {
        assert.deepEqual(JSON.parse(poll.body), {
          client_id: 'Iv1.client',
          device_code: 'device-123',
          grant_type: GRANT,
        });
      }
    } finally {
      await github.close();
    }
  });

  it('gives up when the code expires (by the clock, or when GitHub says expired_token), or is denied', async () => {
    const pending = await startGitHub([{ error: 'authorization_pending' }], { expires_in: 12 });
    try {
      const clock = fakeClock();
      await assert.rejects(
        githubDeviceFlow({
          clientId: 'c',
          deviceCodeUrl: `${pending.url}/login/device/code`,
          accessTokenUrl: `${pending.url}/login/oauth/access_token`,
          onCode: () => {},
          ...clock,
        }),
        /the GitHub device code expired before it was authorized/,
      );
      assert.deepEqual(clock.slept, [5000, 5000, 5000], 'no poll after the deadline');
      assert.equal(pending.requests.length, 1 + 2);
    } finally {
      await pending.close();
    }
    for (const [error, message] of [
      ['expired_token', /expired before it was authorized/],
      ['access_denied', /authorization was denied/],
      ['unsupported_grant_type', /GitHub refused the device code: unsupported_grant_type/],
    ] as const) {
      const github = await startGitHub([{ error }]);
      try {
        await assert.rejects(
          githubDeviceFlow({
            clientId: 'c',
            deviceCodeUrl: `${github.url}/login/device/code`,
            accessTokenUrl: `${github.url}/login/oauth/access_token`,
            onCode: () => {},
            ...fakeClock(),
          }),
          message,
        );
      } finally {
        await github.close();
      }
    }
  });

  describe('through the CLI', () => {
    let scratch: string;
    let github: Recorder;
    let registry: Recorder;
    before(async () => {
      scratch = mkdtempSync(join(tmpdir(), 'mcpreg-cli-device-'));
      github = await startGitHub([{ error: 'authorization_pending' }, { access_token: 'gho_fromdevice' }], {
        interval: 0,
      });
      registry = await startRecorder((r) => {
        if (r.url === '/v0/health') return { body: { status: 'ok', github_client_id: 'Iv1.registry' } };
        if (r.url === '/v0/auth/github-at')
          return { body: fakeRegistryToken({ auth_method_sub: 'octocat' }) };
        return { status: 404 };
      });
    });
    after(async () => {
      await github?.close();
      await registry?.close();
      rmSync(scratch, { recursive: true, force: true });
    });

    it('login github: the client id from /v0/health, the code shown, the GitHub token exchanged once and forgotten', async () => {
      const login = await runCli(['login', 'github', '--registry', registry.url], {
        cwd: scratch,
        env: {
          HOME: scratch,
          XDG_CONFIG_HOME: join(scratch, 'config'),
          MCP_REGISTRY_GITHUB_DEVICE_CODE_URL: `${github.url}/login/device/code`,
          MCP_REGISTRY_GITHUB_ACCESS_TOKEN_URL: `${github.url}/login/oauth/access_token`,
        },
      });
      assert.equal(login.code, 0, login.stderr);
      assert.match(login.stderr, /open https:\/\/github\.com\/login\/device and enter the code WDJB-MJHT/);
      assert.equal(JSON.parse(github.requests[0]?.body ?? '').client_id, 'Iv1.registry');
      const exchange = registry.requests.find((r) => r.url === '/v0/auth/github-at');
      assert.deepEqual(JSON.parse(exchange?.body ?? ''), { github_token: 'gho_fromdevice' });
      const stored = readFileSync(join(scratch, 'config', 'mcp-registry', 'credentials.json'), 'utf8');
      assert.ok(!stored.includes('gho_') && !login.stderr.includes('gho_') && !login.stdout.includes('gho_'));
      assert.equal(JSON.parse(stored).registries[registry.url].method, 'github');
    });
  });
});
