import type { Logger } from 'pino';
import { isGraceKey, isHistoryKey } from '../core/layout/key-shapes.js';
import {
  type ListItemKey,
  PAGE_FAMILIES,
  type PageAssembler,
  type PageFamily,
} from '../core/layout/pages.js';
import { inView, LIST_VIEWS, type ListView } from '../core/layout/views.js';
import type { VersionRecord } from '../core/shapes.js';
import { viewBatches } from '../db/repositories/list-views.js';
import { countObjects, forgetSeen, unseenKeys } from '../db/repositories/tree-objects.js';
import type { Queryable } from '../db/sql.js';
import {
  type PageSource,
  pageAssembler,
  viewSource,
  writeDeferredPages,
  writeUnreachablePages,
} from './lists.js';
import type { BuilderOptions, BuildRequest } from './options.js';
import type { ServerQuarantine } from './quarantine.js';
import { renderSearchIndex, settleSearchState, updateSearchState } from './search-index.js';
import { renderAllSearchPages } from './search-pages.js';
import type { RenderedObject, TreeWriter } from './writer.js';

export class MassDeletionError extends Error {
  constructor(count: number, total: number) {
    super(
      `the full build would delete ${count} of ${total} objects; refusing (rerun with --allow-mass-deletion if that is intended)`,
    );
    this.name = 'MassDeletionError';
  }
}

/** Rows read per keyset step of the stream. */
const STREAM_BATCH = 1000;

/**
 * Streams every version in list order, calling `onBatch` with each batch's completed server
 * groups (every version of a server, in list order) and its records, and feeding `assemblers`
 * (one per view) the records each view holds. Memory is one batch plus one server's versions.
 */
export async function streamEverything(
  db: Queryable,
  assemblers: readonly { view: ListView; assembler: PageAssembler<VersionRecord> }[],
  onBatch: (servers: VersionRecord[][], records: number) => Promise<void>,
): Promise<void> {
  const group: VersionRecord[] = [];
  for await (const records of viewBatches(db, 'all', STREAM_BATCH)) {
    const servers: VersionRecord[][] = [];
    for (const record of records) {
      if (group.length > 0 && group[0]?.serverName !== record.serverName) servers.push(group.splice(0));
      group.push(record);
      for (const { view, assembler } of assemblers) if (inView(view, record)) assembler.push(record);
    }
    await onBatch(servers, records.length);
  }
  for (const { assembler } of assemblers) assembler.finish(false);
  await onBatch(group.length > 0 ? [group] : [], 0);
}

/** Everything, streamed in list order with bounded memory; only differing bytes are written. */
export async function fullRender(
  options: BuilderOptions,
  writer: TreeWriter,
  target: string,
  request: BuildRequest,
  runId: number,
  log: Logger,
  quarantine: ServerQuarantine,
): Promise<void> {
  const knex = options.db.knex;
  const pages: RenderedObject[] = [];
  const assemblers = LIST_VIEWS.flatMap((view) =>
    PAGE_FAMILIES.map((family) => {
      const source = viewSource(view, family);
      return { view, source, assembler: pageAssembler(source, undefined, (p) => pages.push(p)) };
    }),
  );
  const sourceOf = new Map<string, PageSource>(assemblers.map((a) => [a.source.id, a.source]));
  // Pages whose key already exists (or the first page) can be reached by readers; they are rewritten
  // last, in reverse list order, once every page they may point at is stored.
  const deferred: { source: PageSource; after: ListItemKey | undefined }[] = [];
  let total = 0;
  await streamEverything(knex, assemblers, async (servers, records) => {
    total += records;
    const objects: RenderedObject[] = [];
    for (const group of servers) {
      const name = group[0]?.serverName as string;
      const rendered = await quarantine.render(name, group, 'all');
      if (rendered) objects.push(...rendered.objects);
      else await writer.keep(await quarantine.existingKeys(name)); // not rendered, not deleted either
    }
    await writer.write(objects);
    for (const page of await writeUnreachablePages(knex, target, writer, pages.splice(0))) {
      const source = sourceOf.get(page.list?.view as string) as PageSource;
      deferred.push({ source, after: page.list?.after });
    }
  });
  log.debug({ versions: total, deferredPages: deferred.length }, 'full render streamed');
  await writeDeferredPages(knex, writer, deferred);

  // Search: the term update runs once per build; renderers of search objects share its result.
  const search = await updateSearchState(knex, target, 'all');
  await renderSearchIndex(knex, writer, target, search, options.store);
  log.debug(await renderAllSearchPages(options, writer, target), 'search pages rendered');
  await settleSearchState(knex, search);

  // What exists but was not rendered should not exist. Feed pages, snapshots, build manifests and
  // the root are history, not renderings, and are left alone.
  const unseen = (await unseenKeys(knex, target, runId)).filter((key) => !isHistoryKey(key));
  const limit = options.massDeletion ?? { count: 1000, fraction: 0.05 };
  const size = await countObjects(knex, target);
  // The guard is for full builds (a wrong database or target); an incremental build that rendered in
  // full deletes what its changes removed.
  const allowed = request.allowMassDeletion === true || request.kind !== 'full';
  if (unseen.length > Math.max(limit.count, limit.fraction * size) && !allowed) {
    throw new MassDeletionError(unseen.length, size);
  }
  await forgetSeen(knex);
  await writer.orphan(unseen.filter(isGraceKey));
  await writer.delete(unseen.filter((key) => !isGraceKey(key)));
}
