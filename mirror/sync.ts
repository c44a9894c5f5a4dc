import type { Knex } from 'knex';
import { AppError } from '../core/errors.js';
import type { ServerJsonValidator } from '../core/validation/index.js';
import { acquireBuildLock } from '../db/build-lock.js';
import type { Database } from '../db/connect.js';
import {
  completeCrawl,
  loadMirrorState,
  type MirrorCrawl,
  readStaged,
  saveCrawl,
  stageEntries,
} from '../db/repositories/mirror.js';
import {
  addToMirrorRun,
  failAbandonedMirrorRuns,
  finishMirrorRun,
  type MirrorCounters,
  type MirrorRun,
  startMirrorRun,
} from '../db/repositories/mirror-runs.js';
import { inTransaction } from '../db/transaction.js';
import { applyEntries } from './apply.js';
import type { UpstreamClient } from './upstream.js';

/**
 * One sync of a mirror. The first crawls upstream's whole list (deleted versions included); later ones
 * ask `updated_since` = the newest upstream `updatedAt` applied, minus a safety margin. Pages are
 * staged as they arrive, with the cursor saved in the same transaction, so a killed sync resumes at the
 * page it had reached; when the crawl is complete, every staged entry is applied in one transaction
 * (a failed sync changes nothing) as journal changes, so the next build is incremental.
 */
export interface SyncOptions {
  db: Database;
  upstream: UpstreamClient;
  validator: ServerJsonValidator;
  localNamespaces?: readonly string[];
  /** Subtracted from the high-water mark: writes upstream committed late are still seen. */
  marginSeconds: number;
  /** After each staged page (a progress bar on a terminal). */
  onPage?: (progress: { kind: MirrorCrawl['kind']; fetched: number; pages: number }) => void;
}

export interface SyncReport extends MirrorCounters {
  runId: number;
  kind: MirrorCrawl['kind'];
  resumed: boolean;
  refusals: MirrorRun['refusals'];
}

export class SyncBusyError extends AppError {
  constructor(upstream: string) {
    super('conflict', `a sync from ${upstream} is already running`);
  }
}

const APPLY_BATCH = 500;

export async function syncMirror(o: SyncOptions): Promise<SyncReport> {
  const base = o.upstream.baseUrl;
  const lock = await acquireBuildLock(o.db, `mirror:${base}`, { wait: false });
  if (!lock) throw new SyncBusyError(base);
  const knex = o.db.knex;
  try {
    const state = await loadMirrorState(knex, base);
    const resumed = state.crawl !== undefined;
    const crawl: MirrorCrawl =
      state.crawl ?? (await startCrawl(knex, base, state.highWater, o.marginSeconds));
    await failAbandonedMirrorRuns(knex, base, crawl.run);
    await knex('mirror_runs')
      .where({ id: crawl.run })
      .update({ status: 'running', error: null, finished_at: null });
    try {
      if (!crawl.fetched) await fetchPages(o, crawl);
      const applied = await inTransaction(knex, (trx) => applyStaged(trx, o, crawl.run));
      return { runId: crawl.run, kind: crawl.kind, resumed, ...applied };
    } catch (e) {
      await finishMirrorRun(knex, crawl.run, { status: 'failed', error: (e as Error).message });
      throw e;
    }
  } finally {
    await lock.release();
  }
}

async function startCrawl(knex: Knex, base: string, highWater: string | null, marginSeconds: number) {
  const kind = highWater ? 'incremental' : 'full';
  const since = highWater ? new Date(Date.parse(highWater) - marginSeconds * 1000).toISOString() : null;
  const run = await startMirrorRun(knex, base, kind);
  const crawl: MirrorCrawl = { kind, since, cursor: null, fetched: false, run };
  await saveCrawl(knex, base, crawl);
  return crawl;
}

async function fetchPages(o: SyncOptions, crawl: MirrorCrawl): Promise<void> {
  const base = o.upstream.baseUrl;
  let fetched = 0;
  for (let pages = 1; ; pages++) {
    const before = o.upstream.requests;
    const page = await o.upstream.list({
      cursor: crawl.cursor ?? undefined,
      updatedSince: crawl.since ?? undefined,
    });
    const done = page.nextCursor === undefined || page.servers.length === 0;
    crawl.cursor = page.nextCursor ?? crawl.cursor;
    crawl.fetched = done;
    await inTransaction(o.db.knex, async (trx) => {
      await stageEntries(trx, base, page.servers);
      await saveCrawl(trx, base, crawl);
      await addToMirrorRun(trx, crawl.run, {
        requests: o.upstream.requests - before,
        fetched: page.servers.length,
      });
    });
    fetched += page.servers.length;
    o.onPage?.({ kind: crawl.kind, fetched, pages });
    if (done) return;
  }
}

async function applyStaged(
  trx: Knex.Transaction,
  o: SyncOptions,
  runId: number,
): Promise<Omit<SyncReport, 'runId' | 'kind' | 'resumed'>> {
  const base = o.upstream.baseUrl;
  async function* staged() {
    for (let after = 0; ; ) {
      const batch = await readStaged(trx, base, after, APPLY_BATCH);
      if (batch.length === 0) return;
      after = batch[batch.length - 1]!.id;
      for (const { entry } of batch) yield entry;
    }
  }
  const { counters, refusals, highWater } = await applyEntries(trx, staged(), {
    validator: o.validator,
    localNamespaces: o.localNamespaces,
    actor: `mirror:${new URL(base).host}`,
  });
  await completeCrawl(trx, base, highWater ?? null);
  const { requests: _requests, fetched: _fetched, ...applied } = counters;
  await addToMirrorRun(trx, runId, applied);
  await finishMirrorRun(trx, runId, { status: 'succeeded', refusals });
  const run = await trx('mirror_runs').select('requests', 'fetched').where({ id: runId }).first();
  return { ...counters, requests: Number(run.requests), fetched: Number(run.fetched), refusals };
}
