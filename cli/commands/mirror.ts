import { type Config, loadConfig } from '../../core/config.js';
import { createServerJsonValidator } from '../../core/validation/index.js';
import { openDatabase } from '../../db/connect.js';
import { loadMirrorState } from '../../db/repositories/mirror.js';
import { listMirrorRuns, type MirrorRun } from '../../db/repositories/mirror-runs.js';
import { mirrorClient } from '../../mirror/daemon.js';
import { syncMirror } from '../../mirror/sync.js';
import { upstreamBase } from '../../mirror/upstream.js';
import { UsageError } from '../errors.js';
import type { CommandContext } from '../io.js';
import { serve } from '../serve.js';

const describeRun = (r: MirrorRun): string =>
  `#${r.id} ${r.kind} ${r.status} (started ${r.startedAt}): ${r.requests} requests, ${r.fetched} fetched, ` +
  `${r.added} added, ${r.updated} updated, ${r.unchanged} unchanged, ${r.refused} refused, ` +
  `${r.withIssues} with issues, ${r.latestDisagreements} latest disagreements${r.error ? `; error: ${r.error}` : ''}`;

/**
 * `mcp-registry mirror [upstream] [--once | --status]`: one sync and exit, the state and recent syncs,
 * or (neither) the builder process with mirroring on, which keeps the replica current until stopped.
 */
export async function run({ io, out, args, options }: CommandContext): Promise<number> {
  const env = args[0] ? { ...io.env, MIRROR_UPSTREAM: args[0] } : io.env;
  const config = loadConfig(env);
  const mirror = config.mirror;
  if (!mirror) throw new UsageError('no upstream: give its URL, or set MIRROR_UPSTREAM');
  if (options.once && options.status) throw new UsageError('--once and --status do not go together');
  if (!options.once && !options.status) return serve(config, io, 'builder');

  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    if (options.status) return await status(config, mirror.upstream, db, out);
    const spinner = await out.spinner(`syncing from ${upstreamBase(mirror.upstream)}`);
    try {
      const report = await syncMirror({
        db,
        upstream: mirrorClient(mirror, config.version.version),
        validator: createServerJsonValidator(),
        localNamespaces: mirror.localNamespaces,
        marginSeconds: mirror.marginSeconds,
        onPage: ({ kind, fetched, pages }) =>
          spinner.update(`${kind} crawl: ${fetched} versions in ${pages} pages`),
      });
      spinner.succeed(
        `${report.kind} sync${report.resumed ? ' (resumed)' : ''}: ${report.fetched} fetched, ${report.added} added, ` +
          `${report.updated} updated, ${report.refused} refused, ${report.requests} requests`,
      );
      for (const r of report.refusals)
        out.info(`  refused ${r.name ?? '?'}@${r.version ?? '?'}: ${r.reason}`);
      out.result(report);
      return 0;
    } catch (err) {
      spinner.fail(`sync failed: ${(err as Error).message} (the next sync resumes where this one stopped)`);
      return 1;
    }
  } finally {
    await db.close();
  }
}

async function status(
  config: Config,
  upstream: string,
  db: Awaited<ReturnType<typeof openDatabase>>,
  out: CommandContext['out'],
): Promise<number> {
  const base = upstreamBase(upstream);
  const state = await loadMirrorState(db.knex, base);
  const syncs = (await listMirrorRuns(db.knex, 10)).filter((r) => r.upstream === base);
  out.result({ ...state, upstream: base, localNamespaces: config.mirror?.localNamespaces ?? [], syncs });
  out.data(`upstream: ${base}`);
  out.data(`newest upstream change applied: ${state.highWater ?? '(none yet)'}`);
  out.data(`last successful sync: ${state.lastSuccessAt ?? '(none yet)'}`);
  if (state.crawl) {
    out.data(`crawl in progress: ${state.crawl.kind}, next page after ${state.crawl.cursor ?? '(start)'}`);
  }
  for (const r of syncs) out.data(describeRun(r));
  return 0;
}
