import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Config } from '../core/config.js';
import { RegistryError } from '../core/errors.js';
import type { Database } from '../db/connect.js';
import { buildStatusCounts, lastSucceededRun } from '../db/repositories/builds.js';
import { countPendingInvalidations } from '../db/repositories/invalidations.js';
import { currentJournalSeq } from '../db/repositories/journal.js';
import { listQuarantined } from '../db/repositories/quarantine.js';
import { maxBuiltSeq } from '../db/repositories/tree-state.js';

/**
 * Prometheus metrics at GET /metrics. Request metrics are this process's; build metrics are read
 * from the database at scrape time, so any API replica reports the builders' state (they may run in
 * other processes).
 */
export function registerMetrics(
  app: FastifyInstance,
  db: Database,
  access: Pick<Config, 'metricsToken'> = { metricsToken: undefined },
): Registry {
  const registry = new Registry();
  const requests = new Counter({
    name: 'registry_http_requests_total',
    help: 'HTTP requests answered by the write API',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'registry_http_request_duration_seconds',
    help: 'Write API request latency',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'registry_builds',
    help: 'Build runs recorded, by kind and status',
    labelNames: ['kind', 'status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await buildStatusCounts(db.knex))
        this.set({ kind: row.kind, status: row.status }, row.count);
    },
  });
  new Gauge({
    name: 'registry_build_objects_written',
    help: 'Objects written by succeeded builds, summed over recorded runs',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await buildStatusCounts(db.knex)) {
        if (row.status === 'succeeded') this.inc({ kind: row.kind }, row.objectsWritten);
      }
    },
  });
  new Gauge({
    name: 'registry_build_lag_seq',
    help: 'Journal changes not yet in the static tree (journal seq minus the built seq)',
    registers: [registry],
    async collect() {
      this.set(Math.max(0, (await currentJournalSeq(db.knex)) - (await maxBuiltSeq(db.knex))));
    },
  });
  new Gauge({
    name: 'registry_last_build_finished_seconds',
    help: 'Unix time the last succeeded build finished (0: none yet)',
    registers: [registry],
    async collect() {
      const run = await lastSucceededRun(db.knex);
      this.set(run?.finishedAt ? Date.parse(run.finishedAt) / 1000 : 0);
    },
  });
  new Gauge({
    name: 'registry_cdn_invalidations_pending',
    help: 'CDN invalidations recorded but not yet accepted by the CDN',
    registers: [registry],
    async collect() {
      this.set(await countPendingInvalidations(db.knex));
    },
  });

  new Gauge({
    name: 'registry_quarantined_servers',
    help: 'Servers the builder skips because they could not be rendered (see GET /v0/admin/quarantine)',
    registers: [registry],
    async collect() {
      this.set((await listQuarantined(db.knex)).length);
    },
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (request, reply) => {
    // Not found rather than forbidden: a stranger learns nothing about the endpoint.
    if (!mayReadMetrics(request, access.metricsToken)) throw new RegistryError(404, 'Endpoint not found');
    const body = await registry.metrics();
    return reply.type(registry.contentType).send(body);
  });
  return registry;
}

/**
 * Without METRICS_TOKEN the endpoint is open to loopback clients only (`npm start`, a scraper on
 * the same host); with it, any client that presents it as a bearer token.
 */
function mayReadMetrics(request: FastifyRequest, token: string | undefined): boolean {
  if (token === undefined) return isLoopback(request.socket.remoteAddress);
  const header = request.headers.authorization ?? '';
  const presented = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}
