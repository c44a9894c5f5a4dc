import { Octokit } from '@octokit/rest';
import type { AuthConfig } from '../../../core/config-auth.js';
import { githubPermissions } from '../../../core/namespaces.js';
import { type AuthProvider, ProofFailed } from '../provider.js';

/**
 * `POST /auth/github-at {github_token}`: a GitHub access token (the CLI's device flow, or a personal
 * token). The user and their public organisation memberships are read from the GitHub REST API
 * (GITHUB_API_URL); the token may publish into `io.github.<login>/*` and `io.github.<org>/*`.
 */
const API_VERSION = { 'x-github-api-version': '2022-11-28' };
const silent = { debug() {}, info() {}, warn() {}, error() {} };

export function createGitHubAtProvider(auth: AuthConfig): AuthProvider<{ github_token: string }> {
  return {
    method: 'github-at',
    path: 'github-at',
    bodySchema: {
      type: 'object',
      required: ['github_token'],
      properties: { github_token: { type: 'string', minLength: 1, maxLength: 1024 } },
    },
    isAdmin: false,
    failureDetail: 'Token exchange failed',
    async authenticate({ github_token }) {
      const octokit = new Octokit({
        auth: github_token,
        baseUrl: auth.github.apiUrl,
        userAgent: 'mcp-registry',
        log: silent,
        request: { signal: AbortSignal.timeout(10_000) },
      });
      const user = await call('failed to get GitHub user', () =>
        octokit.rest.users.getAuthenticated({ headers: API_VERSION }),
      );
      const orgs = await call('failed to get GitHub organizations', () =>
        octokit.paginate(octokit.rest.orgs.listForUser, {
          username: user.login,
          per_page: 100,
          headers: API_VERSION,
        }),
      );
      const permissions = githubPermissions([user.login, ...orgs.map((o) => o.login)]);
      if (!permissions)
        throw new ProofFailed('GitHub returned a login or organisation name that is not a valid namespace');
      return {
        subject: user.login,
        permissions,
        identity: `github:${user.id}`,
        user: { subject: String(user.id), login: user.login },
      };
    },
  };
}

/** GitHub's answer as a ProofFailed: its status and message (never the request's token). */
async function call<T>(what: string, request: () => Promise<{ data: T } | T>): Promise<T> {
  try {
    const result = await request();
    return (result && typeof result === 'object' && 'data' in result ? result.data : result) as T;
  } catch (e) {
    const err = e as {
      status?: number;
      response?: { data?: { message?: unknown }; headers?: Record<string, string> };
    };
    if (typeof err.status !== 'number') throw new ProofFailed(`${what}: GitHub API did not answer`);
    const headers = err.response?.headers ?? {};
    if ((err.status === 403 || err.status === 429) && headers['x-ratelimit-remaining'] === '0') {
      const reset = Number(headers['x-ratelimit-reset']);
      const when = Number.isFinite(reset) ? ` until ${new Date(reset * 1000).toISOString()}` : '';
      throw new ProofFailed(`${what}: GitHub API rate limit exceeded${when}`);
    }
    const message =
      typeof err.response?.data?.message === 'string' ? err.response.data.message.slice(0, 200) : '';
    throw new ProofFailed(`${what}: GitHub API error (status ${err.status})${message ? `: ${message}` : ''}`);
  }
}
