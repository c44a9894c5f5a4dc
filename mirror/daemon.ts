import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Config } from '../core/config.js';
import type { ServerJsonValidator } from '../core/validation/index.js';
import type { Database } from '../db/connect.js';
import { SyncBusyError, type SyncOptions, type SyncReport, syncMirror } from './sync.js';
import { createUpstreamClient, type UpstreamClient } from './upstream.js';

/**
 * Keeps a mirror current: one sync at start, then one per MIRROR_SCHEDULE firing (a firing while a
 * sync runs is skipped; another process already syncing the same upstream is skipped too). Each sync's
 * report goes to the log; its changes reach the tree through the builder like any other change.
 */
export interface MirrorDaemon {
  /** Runs a sync now (what the schedule does); resolves with its report, undefined when skipped. */
  syncNow(): Promise<SyncReport | undefined>;
  stop(): Promise<void>;
}

export function mirrorClient(mirror: NonNullable<Config['mirror']>, version: string): UpstreamClient {
  return createUpstreamClient({
    baseUrl: mirror.upstream,
    ratePerMinute: mirror.ratePerMinute,
    timeoutMs: mirror.timeoutMs,
    userAgent: `mcp-static-registry/${version} (mirror)`,
  });
}

export function startMirrorDaemon(options: {
  config: Config;
  db: Database;
  validator: ServerJsonValidator;
  logger: Logger;
  onPage?: SyncOptions['onPage'];
}): MirrorDaemon {
  const mirror = options.config.mirror;
  if (!mirror) throw new Error('startMirrorDaemon needs MIRROR_UPSTREAM');
  const log = options.logger.child({ module: 'mirror' });
  const upstream = mirrorClient(mirror, options.config.version.version);
  let running: Promise<SyncReport | undefined> | undefined;

  const syncNow = () => {
    running ??= (async () => {
      try {
        const report = await syncMirror({
          db: options.db,
          upstream,
          validator: options.validator,
          localNamespaces: mirror.localNamespaces,
          marginSeconds: mirror.marginSeconds,
          onPage: options.onPage,
        });
        const { refusals, ...counts } = report;
        log.info({ ...counts, refusals: refusals.slice(0, 5) }, 'mirror sync finished');
        return report;
      } catch (err) {
        if (err instanceof SyncBusyError) log.info(err.message);
        else log.error({ err: (err as Error).message }, 'mirror sync failed; the next one resumes it');
        return undefined;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const task: ScheduledTask = cron.schedule(mirror.schedule, () => void syncNow(), {
    timezone: 'UTC',
    name: 'mirror-sync',
    noOverlap: true,
  });
  void syncNow();
  return {
    syncNow,
    async stop() {
      await task.stop();
      await running;
    },
  };
}
