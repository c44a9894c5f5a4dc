import type { Socket } from 'node:net';
import {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Config } from '../core/config.js';
import { type Problem, RegistryError } from '../core/errors.js';
import { MAX_BODY_BYTES, MAX_PARAM_LENGTH } from '../core/limits.js';
import { jsonShapeProblem } from '../core/validation/index.js';
import { sendProblem } from './problem.js';

/**
 * What the HTTP layer does before a route sees a request: timeouts, a cap on connections per client
 * address, problem+json for the errors Fastify and Node produce themselves (bad URL, overlong
 * parameter, malformed request, timeout), refusal of a duplicated `Authorization` header, the
 * trailing-slash redirect (never to another host), and one log line per request.
 */

/** The Fastify constructor options these guards rely on. */
export function guardedServerOptions(config: Config) {
  return {
    bodyLimit: MAX_BODY_BYTES,
    // An encoded version of 255 code points (up to 12 characters each as %XX%XX%XX%XX) must fit.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    requestTimeout: config.http.requestTimeoutMs,
    connectionTimeout: config.http.connectionTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    // Node checks request and header timeouts on this period (default 30 s, which would let a
    // 30 s timeout run to 60 s).
    http: { connectionsCheckingInterval: Math.min(1_000, config.http.headersTimeoutMs) },
    // One line per request is written by logEachRequest (Fastify's default is two).
    logController: new LogController({ disableRequestLogging: true }),
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) =>
      sendProblem(reply, frameworkProblem(error)),
    clientErrorHandler: answerClientError,
  };
}

function frameworkProblem(error: FastifyError): Problem {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return new RegistryError(414, 'A path parameter is longer than any name or version can be').toProblem();
  }
  return new RegistryError(
    400,
    'The URL is not valid: a path segment is not a valid percent-encoding',
  ).toProblem();
}

/**
 * Errors Node's HTTP parser reports before a request exists (malformed request line or headers,
 * headers too large, request timeout): a problem+json answer, then the socket is closed.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'The request did not arrive in time']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'The request headers are too large']
        : [400, 'The request is not valid HTTP'];
  const body = JSON.stringify(new RegistryError(status, detail).toProblem());
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${status === 408 ? 'Request Timeout' : status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        `Content-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Header and per-address bounds on the listening server (the options above cannot set them). */
export function guardConnections(app: FastifyInstance, config: Config): void {
  app.server.headersTimeout = config.http.headersTimeoutMs;
  const cap = config.http.maxConnectionsPerAddress;
  if (cap === 0) return;
  const open = new Map<string, number>();
  app.server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = (open.get(address) ?? 0) + 1;
    if (count > cap) {
      // Over the cap: refuse before reading anything (the client sees the connection closed).
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

/**
 * The request-level guards, run first in `onRequest`; answers the request itself (and returns
 * true) when it must not go further.
 */
export function refuseMalformedRequest(
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply | undefined {
  // Node keeps only the first of several Authorization headers; which one a proxy or a client
  // library meant is ambiguous, so such a request is refused rather than guessed.
  let authorizations = 0;
  const raw = request.raw.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]?.toLowerCase() === 'authorization') authorizations++;
  if (authorizations > 1) {
    return sendProblem(
      reply,
      new RegistryError(400, 'Send one Authorization header, not several').toProblem(),
    );
  }
  return undefined;
}

/**
 * `/v0/publish/` → 308 to `/v0/publish`. The target is always a path on this host: a path whose
 * remainder would start with `//` or `/\` (a protocol-relative URL to another host) is not
 * redirected but answered 404. Linear: no regex over runs of `/`.
 */
export function trailingSlashTarget(path: string): string | undefined {
  let end = path.length;
  while (end > 1 && path.charCodeAt(end - 1) === 0x2f) end--;
  if (end === path.length) return undefined;
  const target = path.slice(0, end);
  if (target === '/' || target[1] === '/' || target[1] === '\\') return undefined;
  return target;
}

/** One structured line per answered request (no query string: it may carry input verbatim). */
export function logEachRequest(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const url = request.raw.url ?? '/';
    const queryAt = url.indexOf('?');
    request.log.info(
      {
        method: request.method,
        path: (queryAt === -1 ? url : url.slice(0, queryAt)).slice(0, 512),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
  });
}

/**
 * Fastify's own JSON parser (prototype-poisoning checks included), preceded by a linear scan of the
 * text: a body nested too deep, holding too many objects and arrays, or an object or array with more
 * members than any cap allows is refused with 422 before JSON.parse spends on it.
 */
export function boundJsonParsing(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const problem = jsonShapeProblem(body as string);
    if (problem !== undefined) {
      done(new RegistryError(422, problem.message), undefined);
      return;
    }
    parse(request, body as string, done);
  });
}
