import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { INTERNAL_DETAIL, type Problem, publicProblem, RegistryError } from '../core/errors.js';
import { translateDbError } from '../db/errors.js';

/**
 * The one HTTP mapping of errors. Database errors are translated first, wherever they were thrown
 * (a lost connection is the same 503 on every route); then RegistryError as is, except that a 500's
 * detail is replaced by a generic one (the real one goes to the log); Fastify's own request errors
 * (body limit, media type, JSON syntax, schema) to their 4xx; anything else to a bare 500.
 */
export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(problem.status).type('application/problem+json').send(problem);
}

export function toProblem(thrown: unknown): { problem: Problem; unexpected: boolean } {
  const err = translateDbError(thrown);
  if (err instanceof RegistryError)
    return { problem: publicProblem(err), unexpected: err.status >= 500 && err.status !== 503 };
  const e = err as FastifyError & {
    validation?: { instancePath?: string; message?: string; params?: unknown }[];
  };
  if (e.validation) {
    return {
      problem: new RegistryError(
        422,
        'validation failed',
        e.validation.map((v) => ({
          message: `${v.instancePath || 'body'} ${v.message ?? 'is invalid'}`.trim(),
          ...(v.instancePath ? { location: v.instancePath } : {}),
        })),
      ).toProblem(),
      unexpected: false,
    };
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        problem: new RegistryError(413, 'Request body is larger than the 1 MiB limit').toProblem(),
        unexpected: false,
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        problem: new RegistryError(415, 'Unsupported Content-Type: send application/json').toProblem(),
        unexpected: false,
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        problem: new RegistryError(400, 'Request body is empty: send a JSON document').toProblem(),
        unexpected: false,
      };
  }
  if (err instanceof SyntaxError || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return {
      problem: new RegistryError(400, 'Request body is not valid JSON', [
        { message: quoteSafely(e.message) },
      ]).toProblem(),
      unexpected: false,
    };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return {
      problem: new RegistryError(e.statusCode, quoteSafely(e.message)).toProblem(),
      unexpected: false,
    };
  }
  return { problem: new RegistryError(500, INTERNAL_DETAIL).toProblem(), unexpected: true };
}

export function handleError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { problem, unexpected } = toProblem(err);
  // The log keeps the original error (with its cause chain), the client gets the problem only.
  if (unexpected) request.log.error({ err }, 'request failed');
  else if (problem.status >= 500) request.log.warn({ err }, 'request failed: dependency unavailable');
  return sendProblem(reply, problem);
}

/**
 * A message from a parser or from Fastify, which may quote the request: shortened and with control
 * characters escaped, so an error never echoes input verbatim.
 */
export function quoteSafely(message: string, max = 200): string {
  const short = message.length > max ? `${message.slice(0, max)}…` : message;
  return short.replace(
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}
