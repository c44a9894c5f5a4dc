import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A GitHub REST API on loopback, answering what the registry calls (`GET /user`,
 * `GET /users/{login}/orgs`) as api.github.com does: 401 `Bad credentials` for an unknown token,
 * the x-ratelimit-* headers on every answer, 403 with `x-ratelimit-remaining: 0` once a token's
 * budget is spent. Tokens, users and public organisations are the test's to set.
 */
export interface GitHubUser {
  id: number;
  login: string;
  orgs: string[];
}

export interface GitHubPeer {
  url: string;
  /** Maps an access token to a user. */
  users: Map<string, GitHubUser>;
  /** Tokens whose rate limit is spent. */
  exhausted: Set<string>;
  requests: { method: string; path: string; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

export async function startGitHubPeer(): Promise<GitHubPeer> {
  const users = new Map<string, GitHubUser>();
  const exhausted = new Set<string>();
  const requests: GitHubPeer['requests'] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push({ method: req.method ?? 'GET', path: url.pathname, headers: req.headers });
    const token = /^(?:bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const reset = Math.floor(Date.now() / 1000) + 3600;
    const spent = exhausted.has(token);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'x-github-media-type': 'github.v3; format=json',
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': spent ? '0' : '4999',
        'x-ratelimit-reset': String(reset),
        'x-ratelimit-used': spent ? '5000' : '1',
        'x-ratelimit-resource': 'core',
      });
      res.end(JSON.stringify(body));
    };
    const user = users.get(token);
    if (!user) {
      return send(401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
    }
    if (spent) {
      return send(403, {
        message: `API rate limit exceeded for user ID ${user.id}.`,
        documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      });
    }
    if (req.method === 'GET' && url.pathname === '/user') {
      return send(200, { login: user.login, id: user.id, type: 'User', site_admin: false });
    }
    const orgs = /^\/users\/([^/]+)\/orgs$/.exec(url.pathname);
    if (req.method === 'GET' && orgs) {
      const owner = [...users.values()].find(
        (u) => u.login.toLowerCase() === decodeURIComponent(orgs[1] ?? '').toLowerCase(),
      );
      if (!owner)
        return send(404, {
          message: 'Not Found',
          documentation_url: 'https://docs.github.com/rest',
          status: '404',
        });
      return send(
        200,
        owner.orgs.map((login, i) => ({ login, id: 9000 + i, url: `https://api.github.com/orgs/${login}` })),
      );
    }
    send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    users,
    exhausted,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
