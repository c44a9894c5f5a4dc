import cron, { type ScheduledTask } from 'node-cron';
import type { BuildKind } from '../core/builds.js';
import { utcDay } from '../core/days.js';
import { acquireBuildLock } from '../db/build-lock.js';
import { listenForChanges, type Subscription } from '../db/notifications.js';
import { claimQueuedRun, queueRun } from '../db/repositories/builds.js';
import { dueInvalidations } from '../db/repositories/invalidations.js';
import { currentJournalSeq } from '../db/repositories/journal.js';
import { getTreeState } from '../db/repositories/tree-state.js';
import { feedIsPrepared } from './feed.js';
import { recordOwedInvalidation, sendOwedInvalidation } from './invalidate/after-build.js';
import type { CdnInvalidator } from './invalidate/cloudfront.js';
import { type BuilderOptions, type BuildOutcome, targetOf } from './options.js';
import { buildLocked, recoverAbandoned } from './runs.js';

/**
 * The builder daemon: runs queued build requests (operators, schedules, retries) and an incremental
 * build soon after every change. Changes wake it through LISTEN/NOTIFY; it also polls, so a lost
 * notification only delays a build. A burst of changes is coalesced: while a build runs, further
 * changes just mark the tree stale, and the next build takes all of them at once.
 *
 * Several daemons may run against one database: the build lock lets one build at a time, queued
 * requests are claimed once, a schedule slot is queued once, and runs a dead daemon left behind are
 * marked and retried by the next lock holder.
 */
export interface DaemonOptions extends BuilderOptions {
  /** For LISTEN on PostgreSQL; PGlite needs none. */
  databaseUrl: string | undefined;
  debounceMs: number;
  pollMs: number;
  schedules: { incremental: string | undefined; nightly: string | undefined };
  invalidator?: CdnInvalidator | undefined;
  /** Called after every build (metrics, tests). */
  onBuild?: (outcome: BuildOutcome) => void;
}

export interface BuilderDaemon {
  /** Look for work now (as a notification would). */
  wake(): void;
  /** Resolves once no build is running and nothing is waiting to be built. */
  settled(): Promise<void>;
  /** Stops scheduling; a running build finishes first. */
  stop(): Promise<void>;
}

export async function startBuilderDaemon(options: DaemonOptions): Promise<BuilderDaemon> {
  const log = options.logger.child({ module: 'builder-daemon' });
  const knex = options.db.knex;
  const target = targetOf(options);
  let stopped = false;
  let signalled = true; // look once at start
  let changed = false;
  let wakeUp: (() => void) | undefined;
  let idleWaiters: (() => void)[] = [];

  const wake = (fromChange = false) => {
    signalled = true;
    if (fromChange) changed = true;
    wakeUp?.();
  };

  let subscription: Subscription | undefined;
  try {
    subscription = await listenForChanges(
      options.db,
      options.databaseUrl,
      (payload) => wake(payload.startsWith('change:')),
      (err) =>
        log.warn({ err: err.message }, 'change notifications interrupted; polling until they are back'),
    );
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'change notifications unavailable; polling only');
  }

  const tasks: ScheduledTask[] = [];
  const scheduleQueue = (name: string, expression: string, kinds: BuildKind[]) => {
    tasks.push(
      cron.schedule(
        expression,
        async (context) => {
          const slot = context.date.toISOString().slice(0, 16);
          for (const kind of kinds) {
            // The slot is unique: of several daemons firing the same schedule, one queues the build.
            await queueRun(knex, {
              kind,
              requestedBy: `schedule:${name}`,
              scheduleSlot: `${name}:${kind}:${slot}`,
            });
          }
        },
        { timezone: 'UTC', name: `build-${name}`, noOverlap: true },
      ),
    );
  };
  if (options.schedules.incremental)
    scheduleQueue('incremental', options.schedules.incremental, ['incremental']);
  if (options.schedules.nightly) scheduleQueue('nightly', options.schedules.nightly, ['full', 'snapshot']);

  const needsBuild = async (): Promise<boolean> => {
    const state = await getTreeState(knex, target);
    const today = utcDay(options.now?.() ?? new Date());
    return (await currentJournalSeq(knex)) > state.builtSeq || !feedIsPrepared(state, today);
  };

  const afterBuild = async (outcome: BuildOutcome) => {
    options.onBuild?.(outcome);
    await recordOwedInvalidation(knex, options.invalidator, outcome);
  };

  const invalidate = async () => {
    const invalidator = options.invalidator;
    if (!invalidator) return;
    for (const pending of await dueInvalidations(knex, 20)) {
      const error = await sendOwedInvalidation(knex, invalidator, pending);
      if (error) log.warn({ id: pending.id, err: error }, 'CDN invalidation failed; will retry');
    }
  };

  const tick = async () => {
    const lock = await acquireBuildLock(options.db, target, { wait: false });
    if (!lock) return; // another daemon is building; it (or our next poll) will take the rest
    try {
      await recoverAbandoned(options);
      for (;;) {
        const run = await claimQueuedRun(knex, target);
        if (!run) break;
        await afterBuild(
          await buildLocked(options, { kind: run.kind, requestedBy: run.requestedBy, runId: run.id }),
        );
      }
      changed = false;
      if (await needsBuild()) {
        await afterBuild(await buildLocked(options, { kind: 'incremental', requestedBy: 'trigger:change' }));
      }
    } finally {
      await lock.release();
    }
    await invalidate();
  };

  const loop = (async () => {
    while (!stopped) {
      if (signalled) {
        signalled = false;
        // Coalesce a burst of changes into one build.
        if (changed && options.debounceMs > 0) await sleep(options.debounceMs);
        if (stopped) break;
        try {
          await tick();
        } catch (err) {
          log.error({ err }, 'builder tick failed; retrying at the next poll');
        }
        continue;
      }
      for (const resolve of idleWaiters.splice(0)) resolve();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          signalled = true;
          resolve();
        }, options.pollMs);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = undefined;
    }
    for (const resolve of idleWaiters.splice(0)) resolve();
  })();

  return {
    wake: () => wake(true),
    settled: () =>
      new Promise<void>((resolve) => {
        wake(true);
        idleWaiters.push(resolve);
      }),
    async stop() {
      stopped = true;
      for (const task of tasks) await task.destroy();
      wakeUp?.();
      await loop;
      idleWaiters = [];
      await subscription?.close();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
