import { pageDocument } from '../core/layout/documents.js';
import { listCursor, listFirstPageKey, listPageAfterKey, listPagesId } from '../core/layout/keys.js';
import {
  compareText,
  type ListItemKey,
  PageAssembler,
  type PageFamily,
  pageBounds,
} from '../core/layout/pages.js';
import type { ListView } from '../core/layout/views.js';
import type { VersionRecord } from '../core/shapes.js';
import { viewRecordsAfter } from '../db/repositories/list-views.js';
import { isPageBoundary, listPagesBetween, pageBoundaryBefore } from '../db/repositories/tree-objects.js';
import type { Queryable } from '../db/sql.js';
import { jsonObject, type RenderedObject } from './writer.js';

/**
 * The list views of GET /servers, in page families (core/layout/pages.ts), cut by its PageAssembler
 * (views defined in core/layout/views.ts). A full build streams every item through one assembler per
 * view and family; an incremental build re-renders only the region around each changed server: from
 * the page boundary of the current layout before it, until the new layout cuts at an item where the
 * current layout also cuts (from there on both are the same pages).
 */

const itemKey = (r: VersionRecord): ListItemKey => ({ name: r.serverName, version: r.version });

export function pageKey(view: ListView, family: PageFamily, after: ListItemKey | undefined): string {
  return after === undefined
    ? listFirstPageKey(view, family)
    : listPageAfterKey(view, family, after.name, after.version);
}

export function renderPage(
  view: ListView,
  family: PageFamily,
  after: ListItemKey | undefined,
  items: readonly VersionRecord[],
  nextCursor: string | undefined,
): RenderedObject {
  return jsonObject(pageKey(view, family, after), pageDocument(items, nextCursor), 'mutable', {
    view: listPagesId(view, family),
    after,
  });
}

/** The core page assembler over a view's records, emitting each page rendered (with its nextCursor). */
export function viewPageAssembler(
  view: ListView,
  family: PageFamily,
  after: ListItemKey | undefined,
  emit: (page: RenderedObject) => void,
): PageAssembler<VersionRecord> {
  return new PageAssembler<VersionRecord>(itemKey, family, after, (page, more) => {
    const last = page.items[page.items.length - 1];
    const next = more && last ? listCursor(last.serverName, last.version) : undefined;
    emit(renderPage(view, family, page.after, page.items, next));
  });
}

export interface RegionResult {
  /** New pages of the region, in list order. */
  pages: RenderedObject[];
  /** Pages of the region in the tree before this build that the new layout no longer has. */
  superseded: string[];
}

/**
 * Re-renders the pages of `view` in `family` around each server in `changed` (sorted by compareText).
 * A region starts at the current layout's page boundary before the server (the new layout cuts
 * there too: nothing before it changed) and ends where the new layout, past every changed server it
 * met, cuts at an item the current layout also cuts at. Cost: O(changed servers × a few pages),
 * independent of the size of the registry.
 */
export async function renderChangedRegions(
  db: Queryable,
  target: string,
  view: ListView,
  family: PageFamily,
  changed: readonly string[],
): Promise<RegionResult> {
  const id = listPagesId(view, family);
  const result: RegionResult = { pages: [], superseded: [] };
  let i = 0;
  while (i < changed.length) {
    const start = await pageBoundaryBefore(db, target, id, changed[i] as string);
    const pages: RenderedObject[] = [];
    const assembler = viewPageAssembler(view, family, start, (p) => pages.push(p));
    let last = i;
    let cursor = start;
    let stop: ListItemKey | undefined;
    scan: for (;;) {
      const batch = await viewRecordsAfter(db, view, cursor, 200);
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
    const more = stop !== undefined && (await viewRecordsAfter(db, view, stop, 1)).length > 0;
    assembler.finish(more);
    const fresh = new Set(pages.map((p) => p.key));
    const old = await listPagesBetween(db, target, id, start, stop);
    result.superseded.push(...old.filter((key) => !fresh.has(key)));
    result.pages.push(...pages);
    i = last + 1;
  }
  return result;
}

/** The page that follows `after` (undefined: the first page), re-read from the database. */
export async function renderPageAfter(
  db: Queryable,
  view: ListView,
  family: PageFamily,
  after: ListItemKey | undefined,
): Promise<RenderedObject> {
  const records = await viewRecordsAfter(db, view, after, pageBounds(family).max + 1);
  let page: RenderedObject | undefined;
  const assembler = viewPageAssembler(view, family, after, (p) => {
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
