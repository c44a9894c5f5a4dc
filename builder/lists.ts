import { pageDocument } from '../core/layout/documents.js';
import { listCursor, listFirstPageKey, listPageAfterKey } from '../core/layout/keys.js';
import {
  compareText,
  isPageBreak,
  type ListItemKey,
  MAX_PAGE_ITEMS,
  PageAssembler,
} from '../core/layout/pages.js';
import type { ListView } from '../core/layout/views.js';
import type { VersionRecord } from '../core/shapes.js';
import { viewKeysBefore, viewRecordsAfter } from '../db/repositories/list-views.js';
import { listPagesBetween } from '../db/repositories/tree-objects.js';
import type { Queryable } from '../db/sql.js';
import { jsonObject, type RenderedObject } from './writer.js';

/**
 * The list views of GET /servers as content-defined pages, cut by core/layout/pages.ts's
 * PageAssembler (views defined in core/layout/views.ts). A full build streams every item through it; an incremental build re-renders only the region around
 * each changed server: from the last natural page break before it to the first natural break after
 * it. Natural breaks depend only on the item, so outside those regions the old and new pages are the
 * same objects.
 */

const itemKey = (r: VersionRecord): ListItemKey => ({ name: r.serverName, version: r.version });

export function pageKey(view: ListView, after: ListItemKey | undefined): string {
  return after === undefined ? listFirstPageKey(view) : listPageAfterKey(view, after.name, after.version);
}

export function renderPage(
  view: ListView,
  after: ListItemKey | undefined,
  items: readonly VersionRecord[],
  nextCursor: string | undefined,
): RenderedObject {
  return jsonObject(pageKey(view, after), pageDocument(items, nextCursor), 'mutable', { view, after });
}

/** The core page assembler over a view's records, emitting each page rendered (with its nextCursor). */
export function viewPageAssembler(
  view: ListView,
  after: ListItemKey | undefined,
  emit: (page: RenderedObject) => void,
): PageAssembler<VersionRecord> {
  return new PageAssembler<VersionRecord>(itemKey, after, (page, more) => {
    const last = page.items[page.items.length - 1];
    const next = more && last ? listCursor(last.serverName, last.version) : undefined;
    emit(renderPage(view, page.after, page.items, next));
  });
}

/** The nearest natural page break strictly before `name`'s items in `view`; undefined = list start. */
async function breakBefore(db: Queryable, view: ListView, name: string): Promise<ListItemKey | undefined> {
  let before: ListItemKey = { name, version: '' };
  for (;;) {
    const keys = await viewKeysBefore(db, view, before, 64);
    for (const key of keys) if (isPageBreak(key)) return key;
    if (keys.length < 64) return undefined;
    before = keys[keys.length - 1] as ListItemKey;
  }
}

export interface RegionResult {
  /** New pages of the region, in list order. */
  pages: RenderedObject[];
  /** Pages of the region in the tree before this build that the new layout no longer has. */
  superseded: string[];
}

/**
 * Re-renders the pages of `view` around each server in `changed` (sorted by compareText). Cost is
 * O(changed servers × page size), independent of the size of the registry.
 */
export async function renderChangedRegions(
  db: Queryable,
  target: string,
  view: ListView,
  changed: readonly string[],
): Promise<RegionResult> {
  const result: RegionResult = { pages: [], superseded: [] };
  let i = 0;
  while (i < changed.length) {
    const start = await breakBefore(db, view, changed[i] as string);
    const pages: RenderedObject[] = [];
    const assembler = viewPageAssembler(view, start, (p) => pages.push(p));
    let last = i;
    let cursor = start;
    let stop: ListItemKey | undefined;
    scan: for (;;) {
      const batch = await viewRecordsAfter(db, view, cursor, 200);
      for (const record of batch) {
        while (last + 1 < changed.length && compareText(changed[last + 1] as string, record.serverName) <= 0)
          last++;
        assembler.push(record);
        // A natural break past every changed server reached so far: the layout is the old one from here.
        if (assembler.endsAtBreak() && isPageBreak(itemKey(record))) {
          if (compareText(record.serverName, changed[last] as string) > 0) {
            stop = itemKey(record);
            break scan;
          }
        }
      }
      if (batch.length < 200) break;
      cursor = itemKey(batch[batch.length - 1] as VersionRecord);
    }
    const more = stop !== undefined && (await viewRecordsAfter(db, view, stop, 1)).length > 0;
    assembler.finish(more);
    const fresh = new Set(pages.map((p) => p.key));
    const old = await listPagesBetween(db, target, view, start, stop);
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
  after: ListItemKey | undefined,
): Promise<RenderedObject> {
  const records = await viewRecordsAfter(db, view, after, MAX_PAGE_ITEMS + 1);
  let page: RenderedObject | undefined;
  const assembler = viewPageAssembler(view, after, (p) => {
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
