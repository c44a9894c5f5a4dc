import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback CloudFront API peer for adapter tests: CreateInvalidation and GetInvalidation over the real
 * REST-XML protocol (API version 2020-05-31), so the SDK's own serializers and deserializers run. It
 * records every batch it receives and can be told to fail the next calls (an AWS error response, or a
 * dropped connection). Request signatures are not checked.
 *
 * What it enforces, as CloudFront does: the distribution id (404 NoSuchDistribution), a body
 * (400 MissingBody), Quantity = number of Items (400 InconsistentQuantities), at most 3,000 paths per
 * batch (413 BatchTooLarge), at most 15 wildcard paths per batch (400 TooManyInvalidationsInProgress,
 * the wildcard quota), and valid paths (400 InvalidArgument): a leading `/`, at most 4,000 characters,
 * `*` only as the last character, and no character CloudFront wants percent-encoded (non-ASCII, controls,
 * space and RFC 1738's unsafe set, which includes `~`: CloudFront is reported to refuse a literal `~`,
 * aws/aws-sdk#525). A repeated CallerReference with the same paths returns the earlier invalidation
 * (CloudFront's idempotency); with other paths it is 409 InvalidationBatchAlreadyExists.
 * Invalidations complete at once: created as InProgress, read back as Completed.
 */

const API = '/2020-05-31';
const XMLNS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';
const MAX_PATHS_PER_BATCH = 3000;
const MAX_WILDCARDS = 15;
const MAX_PATH_LENGTH = 4000;
const UNSAFE_PATH_CHARS = /[^\x21-\x7e]|["#<>\\^`{|}~[\]]|%(?![0-9A-Fa-f]{2})/;

export interface PeerFailure {
  /** HTTP status of the error response. */
  status: number;
  /** The AWS error code, e.g. TooManyInvalidationsInProgress. */
  code: string;
  message?: string;
  /** Sender (4xx, the default below 500) or Receiver (5xx). */
  type?: 'Sender' | 'Receiver';
}

export interface PeerInvalidation {
  id: string;
  callerReference: string;
  paths: string[];
  createTime: Date;
}

/** One request as the peer received it (failed ones included). */
export interface PeerRequest {
  method: string;
  url: string;
  /** For CreateInvalidation bodies that parsed. */
  batch?: { callerReference: string; paths: string[]; quantity: number };
  /** What the peer did: the status sent, or 'dropped'. */
  outcome: number | 'dropped';
}

export interface CloudFrontPeer {
  /** http://127.0.0.1:port, for the client's `endpoint`. */
  readonly endpoint: string;
  readonly distributionId: string;
  /** Every request, in arrival order. */
  readonly requests: PeerRequest[];
  /** Invalidations created (an idempotent repeat does not add one), in order. */
  readonly invalidations: PeerInvalidation[];
  /**
   * The next `count` Create/GetInvalidation calls fail this way, after any failures already queued:
   * an error response, 'drop' (the connection is closed before the request is processed) or
   * 'lose-response' (the request is processed, then the connection is closed without an answer).
   * With `after`, that many calls are answered normally first.
   */
  failNext(
    count: number,
    failure: PeerFailure | 'drop' | 'lose-response',
    options?: { after?: number },
  ): void;
  /** Forgets requests, invalidations and queued failures. */
  reset(): void;
  close(): Promise<void>;
}

export async function startCloudFrontPeer(
  options: { distributionId?: string } = {},
): Promise<CloudFrontPeer> {
  const distributionId = options.distributionId ?? 'E2TESTDISTRIB';
  const requests: PeerRequest[] = [];
  const invalidations: PeerInvalidation[] = [];
  const completed = new Set<string>();
  const failures: (PeerFailure | 'drop' | 'lose-response' | 'pass')[] = [];
  let endpoint = '';

  /** What to answer: a response, or 'drop' to close the connection without one. */
  type Reply = { status: number; xml: string; headers?: Record<string, string> } | 'drop';
  const error = (failure: PeerFailure): Reply => ({ status: failure.status, xml: errorXml(failure) });

  const createInvalidation = (id: string, body: string, record: PeerRequest): Reply => {
    const parsed = parseBatch(body);
    if (parsed) record.batch = parsed;
    const queued = passThrough(failures.shift());
    if (queued === 'drop') return 'drop';
    if (queued && queued !== 'lose-response') return error(queued);
    if (id !== distributionId) return error(noSuchDistribution(id));
    if (!parsed) return error({ status: 400, code: 'MissingBody', message: 'Missing InvalidationBatch.' });
    const problem = checkBatch(parsed);
    if (problem) return error(problem);
    const earlier = invalidations.find((i) => i.callerReference === parsed.callerReference);
    if (earlier && !sameList(earlier.paths, parsed.paths)) {
      return error({
        status: 409,
        code: 'InvalidationBatchAlreadyExists',
        message: 'The CallerReference is already used by an invalidation with other paths.',
      });
    }
    const invalidation = earlier ?? {
      id: `I${randomBytes(6).toString('hex').toUpperCase()}`,
      callerReference: parsed.callerReference,
      paths: parsed.paths,
      createTime: new Date(),
    };
    if (!earlier) invalidations.push(invalidation);
    if (queued === 'lose-response') return 'drop';
    const status = completed.has(invalidation.id) ? 'Completed' : 'InProgress';
    completed.add(invalidation.id);
    const location = `${endpoint}${API}/distribution/${distributionId}/invalidation/${invalidation.id}`;
    return { status: 201, xml: invalidationXml(invalidation, status), headers: { location } };
  };

  const getInvalidation = (id: string, invalidationId: string): Reply => {
    const queued = passThrough(failures.shift());
    if (queued === 'drop' || queued === 'lose-response') return 'drop';
    if (queued) return error(queued);
    if (id !== distributionId) return error(noSuchDistribution(id));
    const found = invalidations.find((i) => i.id === invalidationId);
    if (!found) {
      return error({
        status: 404,
        code: 'NoSuchInvalidation',
        message: 'The specified invalidation does not exist.',
      });
    }
    return { status: 200, xml: invalidationXml(found, completed.has(found.id) ? 'Completed' : 'InProgress') };
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const url = req.url ?? '/';
    const record: PeerRequest = { method: req.method ?? '?', url, outcome: 0 };
    requests.push(record);
    const create = new RegExp(`^${API}/distribution/([^/]+)/invalidation$`).exec(url);
    const get = new RegExp(`^${API}/distribution/([^/]+)/invalidation/([^/]+)$`).exec(url);
    let reply: Reply;
    if (create && req.method === 'POST') reply = createInvalidation(create[1] ?? '', body, record);
    else if (get && req.method === 'GET') reply = getInvalidation(get[1] ?? '', get[2] ?? '');
    else reply = error({ status: 404, code: 'NotFound', message: `no such operation: ${req.method} ${url}` });

    if (reply === 'drop') {
      record.outcome = 'dropped';
      req.socket.destroy();
      return;
    }
    record.outcome = reply.status;
    res.writeHead(reply.status, {
      'content-type': 'text/xml',
      'x-amz-request-id': requestId(),
      ...reply.headers,
    });
    res.end(reply.xml);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    distributionId,
    requests,
    invalidations,
    failNext(count, failure, failOptions = {}) {
      for (let i = 0; i < (failOptions.after ?? 0); i++) failures.push('pass');
      for (let i = 0; i < count; i++) failures.push(failure);
    },
    reset() {
      requests.length = 0;
      invalidations.length = 0;
      failures.length = 0;
      completed.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function checkBatch(batch: { paths: string[]; quantity: number }): PeerFailure | undefined {
  if (batch.quantity !== batch.paths.length) {
    return {
      status: 400,
      code: 'InconsistentQuantities',
      message: 'The value of Quantity and the size of Items do not match.',
    };
  }
  if (batch.paths.length === 0 || batch.paths.length > MAX_PATHS_PER_BATCH) {
    return { status: 413, code: 'BatchTooLarge', message: 'Invalidation batch specified is too large.' };
  }
  const invalid = batch.paths.some(
    (p) =>
      !p.startsWith('/') ||
      p.length > MAX_PATH_LENGTH ||
      (p.indexOf('*') !== -1 && p.indexOf('*') !== p.length - 1) ||
      UNSAFE_PATH_CHARS.test(p),
  );
  if (invalid) {
    return {
      status: 400,
      code: 'InvalidArgument',
      message: 'Your request contains one or more invalid invalidation paths.',
    };
  }
  if (batch.paths.filter((p) => p.endsWith('*')).length > MAX_WILDCARDS) {
    return {
      status: 400,
      code: 'TooManyInvalidationsInProgress',
      message: 'Your request contains too many wildcard invalidations.',
    };
  }
  return undefined;
}

const noSuchDistribution = (id: string): PeerFailure => ({
  status: 404,
  code: 'NoSuchDistribution',
  message: `The specified distribution does not exist: ${id}`,
});

function parseBatch(
  body: string,
): { callerReference: string; paths: string[]; quantity: number } | undefined {
  const batch = /<InvalidationBatch[^>]*>([\s\S]*)<\/InvalidationBatch>/.exec(body)?.[1];
  if (batch === undefined) return undefined;
  const callerReference = decodeXml(/<CallerReference>([\s\S]*?)<\/CallerReference>/.exec(batch)?.[1] ?? '');
  const quantity = Number(/<Quantity>(\d+)<\/Quantity>/.exec(batch)?.[1] ?? Number.NaN);
  const items = /<Items>([\s\S]*?)<\/Items>/.exec(batch)?.[1] ?? '';
  const paths = [...items.matchAll(/<Path>([\s\S]*?)<\/Path>/g)].map((m) => decodeXml(m[1] ?? ''));
  return { callerReference, paths, quantity };
}

function decodeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_all, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[entity] ?? '';
  });
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function invalidationXml(invalidation: PeerInvalidation, status: 'InProgress' | 'Completed'): string {
  const items = invalidation.paths.map((p) => `<Path>${escapeXml(p)}</Path>`).join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Invalidation xmlns="${XMLNS}">` +
    `<Id>${invalidation.id}</Id><Status>${status}</Status>` +
    `<CreateTime>${invalidation.createTime.toISOString()}</CreateTime>` +
    `<InvalidationBatch><Paths><Quantity>${invalidation.paths.length}</Quantity><Items>${items}</Items></Paths>` +
    `<CallerReference>${escapeXml(invalidation.callerReference)}</CallerReference></InvalidationBatch>` +
    '</Invalidation>'
  );
}

function errorXml(failure: PeerFailure): string {
  const type = failure.type ?? (failure.status >= 500 ? 'Receiver' : 'Sender');
  return (
    `<?xml version="1.0"?>\n<ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type>` +
    `<Code>${escapeXml(failure.code)}</Code><Message>${escapeXml(failure.message ?? failure.code)}</Message>` +
    `</Error><RequestId>${requestId()}</RequestId></ErrorResponse>`
  );
}

const passThrough = <T>(queued: T | 'pass'): T | undefined => (queued === 'pass' ? undefined : queued);

const requestId = (): string => randomBytes(16).toString('hex');

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);
