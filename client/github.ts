import { ApiError, ClientError } from './errors.js';
import { requestJson } from './http.js';

/**
 * GitHub sign-in for `login github` and `login github-oidc`: the OAuth device flow (RFC 8628, with
 * the registry's `github_client_id` and the scopes the official CLI asks for) and the GitHub Actions
 * ID token (audience `mcp-registry`). The GitHub tokens obtained here are handed to the registry
 * once and never stored.
 */

export const GITHUB_SCOPES = 'read:org read:user';
export const OIDC_AUDIENCE = 'mcp-registry';
const DEFAULT_INTERVAL_S = 5;
const MAX_INTERVAL_S = 60;
const DEFAULT_EXPIRES_S = 900;
const MAX_EXPIRES_S = 3600;

export interface DeviceCode {
  userCode: string;
  verificationUri: string;
  expiresInSeconds: number;
}

export interface DeviceFlowOptions {
  clientId: string;
  deviceCodeUrl: string;
  accessTokenUrl: string;
  /** Shows the user where to go and what to type. */
  onCode(code: DeviceCode): void;
  /** Injected by tests (a fake clock); real time otherwise. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

interface DeviceCodeAnswer {
  device_code?: string;
  user_code?: string;
  verification_uri?: string;
  expires_in?: number;
  interval?: number;
}

interface TokenAnswer {
  access_token?: string;
  error?: string;
  error_description?: string;
  interval?: number;
}

/** Runs the device flow to its end: the user's GitHub access token, or a ClientError saying why not. */
export async function githubDeviceFlow(options: DeviceFlowOptions): Promise<string> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const started = (
    await requestJson<DeviceCodeAnswer>(options.deviceCodeUrl, {
      method: 'POST',
      body: { client_id: options.clientId, scope: GITHUB_SCOPES },
    })
  ).body;
  if (!started?.device_code || !started.user_code || !started.verification_uri) {
    throw new ClientError(`${options.deviceCodeUrl}: the answer has no device code`);
  }
  let interval =
    typeof started.interval === 'number' && started.interval >= 0
      ? Math.min(started.interval, MAX_INTERVAL_S)
      : DEFAULT_INTERVAL_S;
  const expiresIn =
    typeof started.expires_in === 'number' && started.expires_in > 0
      ? Math.min(started.expires_in, MAX_EXPIRES_S)
      : DEFAULT_EXPIRES_S;
  const deadline = now() + expiresIn * 1000;
  options.onCode({
    userCode: started.user_code,
    verificationUri: started.verification_uri,
    expiresInSeconds: expiresIn,
  });

  const body = {
    client_id: options.clientId,
    device_code: started.device_code,
    grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
  };
  for (;;) {
    await sleep(interval * 1000);
    if (now() >= deadline) throw new ClientError('the GitHub device code expired before it was authorized');
    let answer: TokenAnswer;
    try {
      answer = (await requestJson<TokenAnswer>(options.accessTokenUrl, { method: 'POST', body })).body ?? {};
    } catch (err) {
      // A passing 5xx must not abandon a login the user may already have approved.
      if (err instanceof ApiError && err.status >= 500) continue;
      throw err;
    }
    if (answer.access_token) return answer.access_token;
    switch (answer.error) {
      case 'authorization_pending':
        continue;
      case 'slow_down':
        // RFC 8628 §3.5: add 5 seconds (GitHub also sends the interval it wants).
        interval = Math.min(Math.max(interval + 5, answer.interval ?? 0), MAX_INTERVAL_S);
        continue;
      case 'expired_token':
        throw new ClientError('the GitHub device code expired before it was authorized');
      case 'access_denied':
        throw new ClientError('the GitHub authorization was denied');
      default:
        throw new ClientError(
          `GitHub refused the device code: ${answer.error ?? 'no access token'}` +
            `${answer.error_description ? ` (${answer.error_description})` : ''}`,
        );
    }
  }
}

/**
 * Inside GitHub Actions (`permissions: id-token: write`): an ID token for audience `mcp-registry`
 * from `ACTIONS_ID_TOKEN_REQUEST_URL`, as the official CLI requests it.
 */
export async function actionsIdToken(request: { url: string; token: string }): Promise<string> {
  const url = new URL(request.url);
  url.searchParams.set('audience', OIDC_AUDIENCE);
  const answer = (await requestJson<{ value?: string }>(url.href, { token: request.token })).body;
  if (!answer || typeof answer.value !== 'string' || answer.value === '') {
    throw new ClientError('GitHub Actions answered no ID token');
  }
  return answer.value;
}
