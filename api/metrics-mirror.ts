import { Gauge, type Registry } from 'prom-client';
import type { Database } from '../db/connect.js';
import { loadMirrorState } from '../db/repositories/mirror.js';
import { listMirrorRuns } from '../db/repositories/mirror-runs.js';

/** Mirror mode's metrics, read from the database at scrape time (any replica reports the syncs). */
export function registerMirrorMetrics(registry: Registry, db: Database, upstream: string): void {
  new Gauge({
    name: 'registry_mirror_lag_seconds',
    help: 'Seconds since the last successful sync from upstream (-1: none yet)',
    registers: [registry],
    async collect() {
      const { lastSuccessAt } = await loadMirrorState(db.knex, upstream);
      this.set(lastSuccessAt ? Math.max(0, (Date.now() - Date.parse(lastSuccessAt)) / 1000) : -1);
    },
  });
  new Gauge({
    name: 'registry_mirror_last_sync',
    help: "The last finished sync's counters (requests, fetched, added, updated, unchanged, with_issues, refused, latest_disagreements) and whether it failed",
    labelNames: ['counter'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const last = (await listMirrorRuns(db.knex, 5)).find((r) => r.status !== 'running');
      if (!last) return;
      const counters = {
        requests: last.requests,
        fetched: last.fetched,
        added: last.added,
        updated: last.updated,
        unchanged: last.unchanged,
        with_issues: last.withIssues,
        refused: last.refused,
        latest_disagreements: last.latestDisagreements,
        failed: last.status === 'failed' ? 1 : 0,
      };
      for (const [counter, value] of Object.entries(counters)) this.set({ counter }, value);
    },
  });
}
