import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import type { Database } from '../../db/connect.js';
import { encodeName, serverJson, startTestApi, type TestApi } from '../helpers/app.js';
import { testBackends } from '../helpers/db.js';

/**
 * The HTTP layer against a real socket (issue 10, findings 4, 5 and 9): what Node and Fastify answer
 * on their own is problem+json, bodies time out, one client address has a connection cap, a
 * duplicated Authorization header is refused, the trailing-slash redirect stays on this host, and
 * each request is logged once.
 */

/** Sends `raw` on a new connection; resolves with everything received until the server closes. */
function exchange(
  port: number,
  raw: string | Buffer,
  options: { keepOpenMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.write(raw);
    if (options.keepOpenMs === undefined) socket.end();
  });
}

const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
const bodyOf = (response: string) => response.slice(response.indexOf('\r\n\r\n') + 4);

for (const backend of testBackends()) {
  describe(`hardening: the HTTP layer (${backend.name})`, () => {
    let db: Database;
    let api: TestApi;
    let port: number;
    const logLines: Record<string, unknown>[] = [];

    before(async () => {
      db = await backend.open();
      const sink = new Writable({
        write(chunk, _encoding, done) {
          for (const line of chunk.toString('utf8').split('\n')) if (line) logLines.push(JSON.parse(line));
          done();
        },
      });
      api = await startTestApi(db, {
        env: {
          HTTP_REQUEST_TIMEOUT_MS: '1000',
          HTTP_HEADERS_TIMEOUT_MS: '1000',
          HTTP_MAX_CONNECTIONS_PER_ADDRESS: '4',
        },
        logger: pino({ level: 'info' }, sink),
      });
      await api.app.listen({ host: '127.0.0.1', port: 0 });
      const address = api.app.server.address();
      port = typeof address === 'object' && address ? address.port : 0;
    });
    after(async () => {
      await api.app.close();
      await db.close();
    });

    test('a request body that trickles in is cut off with 408 problem+json', async () => {
      // Before: requestTimeout 0, one byte every 10 s held the connection forever (finding 4).
      const response = await exchange(
        port,
        'POST /v0/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
        { keepOpenMs: 1 },
      );
      assert.equal(statusOf(response), 408);
      assert.match(response, /content-type: application\/problem\+json/i);
      assert.equal(JSON.parse(bodyOf(response)).status, 408);
    });

    test('one client address holds at most the configured number of connections', async () => {
      const held: Socket[] = [];
      try {
        for (let i = 0; i < 4; i++) {
          const socket = connect(port, '127.0.0.1');
          await new Promise((resolve) => socket.once('connect', resolve));
          held.push(socket);
        }
        // The fifth is closed by the server without an answer.
        const fifth = await exchange(port, 'GET /v0/ping HTTP/1.1\r\nHost: x\r\n\r\n', { keepOpenMs: 1 });
        assert.equal(fifth, '');
      } finally {
        for (const socket of held) socket.destroy();
      }
      // Once they are gone, connections are accepted again.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const again = await exchange(port, 'GET /v0/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      assert.equal(statusOf(again), 200);
    });

    test('two Authorization headers are refused', async () => {
      // Before: Node kept the first and the request went on (finding 9).
      const token = await api.token();
      const body = JSON.stringify(serverJson());
      const response = await exchange(
        port,
        `POST /v0/publish HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer ${token}\r\n` +
          `Authorization: Bearer other\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      assert.equal(statusOf(response), 400);
      assert.match(JSON.parse(bodyOf(response)).detail, /one Authorization header/);
    });

    test('malformed requests, bad percent-encoding and overlong parameters get problem+json that does not echo them', async () => {
      // Before: Fastify's plain JSON, quoting the URL (finding 9).
      const badUrl = await api.request('GET', '/v0/servers/%E0%A4%A/versions/SECRET-ish');
      assert.equal(badUrl.statusCode, 400);
      assert.equal(badUrl.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.doesNotMatch(badUrl.body, /SECRET-ish|%E0/);

      const long = 'a'.repeat(5_000);
      const overlong = await api.request(
        'PATCH',
        `/v0/servers/${encodeName('io.x/y')}/versions/${long}/status`,
        {
          body: { status: 'deprecated' },
        },
      );
      assert.equal(overlong.statusCode, 414);
      assert.equal(overlong.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.doesNotMatch(overlong.body, /aaaaaaaaaa/);

      const garbage = await exchange(port, 'BLAH\u0001 /\r\n\r\n');
      assert.equal(statusOf(garbage), 400);
      assert.equal(JSON.parse(bodyOf(garbage)).status, 400);
    });

    test('the trailing-slash redirect never leaves this host and is linear in runs of slashes', async () => {
      // Before: GET //evil.example/ → 308 Location: //evil.example (finding 5).
      const evil = await api.request('GET', '//evil.example/');
      assert.notEqual(evil.statusCode, 308);
      assert.equal(evil.headers.location, undefined);
      assert.equal(evil.headers['content-type'], 'application/problem+json; charset=utf-8');
      const backslash = await api.request('GET', '/\\evil.example/');
      assert.equal(backslash.headers.location, undefined);

      const ok = await api.request('GET', '/v0/ping/?x=1');
      assert.equal(ok.statusCode, 308);
      assert.equal(ok.headers.location, '/v0/ping?x=1');
      const many = await api.request('GET', `/v0/ping${'/'.repeat(8_000)}`);
      assert.equal(many.headers.location, '/v0/ping');
    });

    test('every request is logged once, without its query string', async () => {
      // Before: "incoming request" and "request completed", two lines (finding 9).
      logLines.length = 0;
      await api.request('GET', '/v0/ping?token=do-not-log');
      const lines = logLines.filter((l) => l.reqId !== undefined);
      assert.equal(lines.length, 1, JSON.stringify(lines));
      assert.equal(lines[0]?.path, '/v0/ping');
      assert.equal(lines[0]?.status, 200);
      assert.doesNotMatch(JSON.stringify(logLines), /do-not-log/);
    });

    test('/metrics answers loopback clients only when no METRICS_TOKEN is set', async () => {
      const local = await api.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
      assert.equal(local.statusCode, 200);
      const remote = await api.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.9' });
      assert.equal(remote.statusCode, 404);
    });
  });

  describe(`hardening: /metrics with a token (${backend.name})`, () => {
    test('METRICS_TOKEN is required from every address, loopback included', async () => {
      const db = await backend.open();
      const api = await startTestApi(db, { env: { METRICS_TOKEN: 'scrape-token-0123456789' } });
      try {
        const none = await api.app.inject({ method: 'GET', url: '/metrics' });
        assert.equal(none.statusCode, 404);
        const wrong = await api.request('GET', '/metrics', { headers: { authorization: 'Bearer wrong' } });
        assert.equal(wrong.statusCode, 404);
        const right = await api.request('GET', '/metrics', {
          headers: { authorization: 'Bearer scrape-token-0123456789' },
        });
        assert.equal(right.statusCode, 200);
        assert.match(right.body, /registry_http_requests_total/);
      } finally {
        await api.app.close();
        await db.close();
      }
    });
  });
}
