import { pageDocument } from '../core/layout/documents.js';
import { listCursor, listFirstPageKey, listPageAfterKey, listPagesId } from '../core/layout/keys.js';
import {
  compareText,
  type ListItemKey,
  PageAssembler,
  type PageFamily,
  pageBounds,
} from '../core/layout/pages.js';
import type { PagesId } from '../core/layout/search-page-keys.js';
import type { ListView } from '../core/layout/views.js';
import type { VersionRecord } from '../core/shapes.js';
import { viewRecordsAfter } from '../db/repositories/list-views.js';
import {
  isPageBoundary,
  knownObjects,
  listPagesBetween,
  pageBoundaryBefore,
} from '../db/repositories/tree-objects.js';
import type { Queryable } from '../db/sql.js';
import { jsonObject, type RenderedObject, type TreeWriter } from './writer.js';

/**
 * Paginated item lists in page families (core/layout/pages.ts), cut by its PageAssembler: the list
 * views of GET /servers (views defined in core/layout/views.ts) and the `?search=` result pages
 * (builder/search-pages.ts) are each a `PageSource`. A full build streams every item through one
 * assembler per source; an incremental build re-renders only the region around each changed server:
 * from the page boundary of the current layout before it, until the new layout cuts at an item where
 * the current layout also cuts (from there on both are the same pages).
 */

/** One paginated list of one page family: where its pages go and where its items come from. */
export interface PageSource {
  /** Recorded with each page (tree_objects.list_view), so regions can find the current layout. */
  id: PagesId;
  family: PageFamily;
  /** The key of the page that follows `after` (undefined: the first page). */
  pageKey(after: ListItemKey | undefined): string;
  /** The items after `after` (all from the start when undefined), in list order. */
  recordsAfter(db: Queryable, after: ListItemKey | undefined, limit: number): Promise<VersionRecord[]>;
}

/** A list view of `GET /servers` in one page family. */
export function viewSource(view: ListView, family: PageFamily): PageSource {
  return {
    id: listPagesId(view, family),
    family,
    pageKey: (after) =>
      after === undefined
        ? listFirstPageKey(view, family)
        : listPageAfterKey(view, family, after.name, after.version),
    recordsAfter: (db, after, limit) => viewRecordsAfter(db, view, after, limit),
  };
}

const itemKey = (r: VersionRecord): ListItemKey => ({ name: r.serverName, version: r.version });

export function renderPage(
  source: PageSource,
  after: ListItemKey | undefined,
  items: readonly VersionRecord[],
  nextCursor: string | undefined,
): RenderedObject {
  return jsonObject(source.pageKey(after), pageDocument(items, nextCursor), 'mutable', {
    view: source.id,
    after,
  });
}

/** The core page assembler over a source's records, emitting each page rendered (with its nextCursor). */
export function pageAssembler(
  source: PageSource,
  after: ListItemKey | undefined,
  emit: (page: RenderedObject) => void,
): PageAssembler<VersionRecord> {
  return new PageAssembler<VersionRecord>(itemKey, source.family, after, (page, more) => {
    const last = page.items[page.items.length - 1];
    const next = more && last ? listCursor(last.serverName, last.version) : undefined;
    emit(renderPage(source, page.after, page.items, next));
  });
}

/** `pageAssembler` over a list view. */
export function viewPageAssembler(
  view: ListView,
  family: PageFamily,
  after: ListItemKey | undefined,
  emit: (page: RenderedObject) => void,
): PageAssembler<VersionRecord> {
  return pageAssembler(viewSource(view, family), after, emit);
}

export interface RegionResult {
  /** New pages of the region, in list order. */
  pages: RenderedObject[];
  /** Pages of the region in the tree before this build that the new layout no longer has. */
  superseded: string[];
}

/**
 * Re-renders the pages of `source` around each server in `changed` (sorted by compareText).
 * A region starts at the current layout's page boundary before the server (the new layout cuts
 * there too: nothing before it changed) and ends where the new layout, past every changed server it
 * met, cuts at an item the current layout also cuts at. Cost: O(changed servers × a few pages),
 * independent of the size of the registry.
 */
export async function renderChangedRegions(
  db: Queryable,
  target: string,
  source: PageSource,
  changed: readonly string[],
): Promise<RegionResult> {
  const id = source.id;
  const result: RegionResult = { pages: [], superseded: [] };
  let i = 0;
  while (i < changed.length) {
    const start = await pageBoundaryBefore(db, target, id, changed[i] as string);
    const pages: RenderedObject[] = [];
    const assembler = pageAssembler(source, start, (p) => pages.push(p));
    let last = i;
    let cursor = start;
    let stop: ListItemKey | undefined;
    scan: for (;;) {
      const batch = await source.recordsAfter(db, cursor, 200);
      for (const record of batch) {
        while (last + 1 < changed.length && compareText(changed[last + 1] as string, record.serverName) <= 0)
          last++;
        assembler.push(record);
        if (
          assembler.endsAtBreak() &&
          compareText(record.serverName, changed[last] as string) > 0 &&
          (await isPageBoundary(db, target, id, itemKey(record)))
        ) {
          stop = itemKey(record);
          break scan;
        }
      }
      if (batch.length < 200) break;
      cursor = itemKey(batch[batch.length - 1] as VersionRecord);
    }
    const more = stop !== undefined && (await source.recordsAfter(db, stop, 1)).length > 0;
    assembler.finish(more);
    const fresh = new Set(pages.map((p) => p.key));
    const old = await listPagesBetween(db, target, id, start, stop);
    result.superseded.push(...old.filter((key) => !fresh.has(key)));
    result.pages.push(...pages);
    // A region that ran to the end of the list covered every changed server after it too (those no
    // longer in the list sort after its last item): another region would render its pages again.
    if (stop === undefined) break;
    i = last + 1;
  }
  return result;
}

/** The page that follows `after` (undefined: the first page), re-read from the database. */
export async function renderPageAfter(
  db: Queryable,
  source: PageSource,
  after: ListItemKey | undefined,
): Promise<RenderedObject> {
  const records = await source.recordsAfter(db, after, pageBounds(source.family).max + 1);
  let page: RenderedObject | undefined;
  const assembler = pageAssembler(source, after, (p) => {
    page ??= p;
  });
  let pushed = 0;
  for (const record of records) {
    assembler.push(record);
    pushed++;
    if (assembler.endsAtBreak()) break;
  }
  assembler.finish(records.length > pushed);
  return page as RenderedObject;
}

/**
 * A full render's pages, written as they come except those readers can already reach (the first
 * page, or a key the tree holds) whose bytes changed: those are returned, to be re-rendered with
 * `renderPageAfter` once every page they may point at is stored (`writeDeferredPages`).
 */
export async function writeUnreachablePages(
  db: Queryable,
  target: string,
  writer: TreeWriter,
  pages: readonly RenderedObject[],
): Promise<RenderedObject[]> {
  const known = await knownObjects(
    db,
    target,
    pages.map((p) => p.key),
  );
  const now: RenderedObject[] = [];
  const later: RenderedObject[] = [];
  for (const page of pages) {
    const old = known.get(page.key);
    const reachable = old !== undefined || page.list?.after === undefined;
    if (reachable && old?.sha256 !== page.sha256 && page.list) later.push(page);
    else now.push(page);
  }
  await writer.write(now);
  return later;
}

/** Re-renders and writes deferred pages in reverse list order (each one's next page is stored first). */
export async function writeDeferredPages(
  db: Queryable,
  writer: TreeWriter,
  deferred: readonly { source: PageSource; after: ListItemKey | undefined }[],
): Promise<void> {
  for (const page of [...deferred].reverse()) {
    await writer.write([await renderPageAfter(db, page.source, page.after)]);
  }
}
