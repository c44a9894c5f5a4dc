import { pageDocument } from '../core/layout/documents.js';
import { classifyKey } from '../core/layout/key-shapes.js';
import { compareText, type ListItemKey, PAGE_FAMILIES, type PageFamily } from '../core/layout/pages.js';
import {
  SEARCH_PAGE_MAX_FIELD,
  searchFirstPageKey,
  searchPageAfterKey,
  searchPagesId,
  termPrefixes,
} from '../core/layout/search-page-keys.js';
import type { VersionRecord } from '../core/shapes.js';
import { pageTermBatches, pageTermsOf, searchRecordsAfter } from '../db/repositories/search-pages.js';
import type { TermChange } from '../db/repositories/search-terms.js';
import { knownObjects } from '../db/repositories/tree-objects.js';
import {
  type PageSource,
  pageAssembler,
  renderChangedRegions,
  writeDeferredPages,
  writeUnreachablePages,
} from './lists.js';
import type { BuilderOptions } from './options.js';
import type { RenderedObject, TreeWriter } from './writer.js';

/**
 * The `?search=` result pages (core/layout/search-page-keys.ts): one paginated list per word prefix
 * and page family, the `latest` view's servers having a name or title term with that prefix, cut
 * exactly like the lists (builder/lists.ts, over a `PageSource`). A publish re-renders, for every
 * prefix of the changed servers' name and title terms (before and after the change), the region
 * around them: one publish of a server with P such prefixes costs about P × 3 families × (1–2)
 * pages, whatever the size of the registry. A prefix no server has any more loses its first page at
 * once and its other pages after the grace period of superseded list pages; a query nothing matches
 * is the CDN's 404.
 */

/** The pages of one prefix in one family. */
export function searchSource(prefix: string, family: PageFamily): PageSource {
  return {
    id: searchPagesId(prefix, family),
    family,
    pageKey: (after) =>
      after === undefined
        ? searchFirstPageKey(prefix, family)
        : searchPageAfterKey(prefix, family, after.name, after.version),
    recordsAfter: (db, after, limit) => searchRecordsAfter(db, prefix, after, limit),
  };
}

const EMPTY_PAGE = JSON.stringify(pageDocument([], undefined));

/** An empty first page: the prefix has no server, so it gets no page at all. */
function isEmptyList(page: RenderedObject): boolean {
  return page.list?.after === undefined && Buffer.from(page.body).toString('utf8') === EMPTY_PAGE;
}

/** Each prefix's changed servers (sorted): every page a changed server was or is in. */
export function prefixesOfChanges(
  changed: readonly string[],
  changes: ReadonlyMap<string, TermChange>,
  currentTerms: ReadonlyMap<string, readonly string[]>,
): Map<string, string[]> {
  const byPrefix = new Map<string, Set<string>>();
  const add = (name: string, term: string) => {
    for (const prefix of termPrefixes(term)) {
      const names = byPrefix.get(prefix) ?? new Set<string>();
      names.add(name);
      byPrefix.set(prefix, names);
    }
  };
  for (const name of changed) {
    const change = changes.get(name);
    // Unchanged terms: the document itself may have changed (a new latest version), so the pages it
    // is in now are re-rendered (the writer skips the ones whose bytes are the same).
    if (!change) for (const term of currentTerms.get(name) ?? []) add(name, term);
    for (const terms of change ? [change.before, change.after] : [])
      for (const [term, field] of terms) if (field <= SEARCH_PAGE_MAX_FIELD) add(name, term);
  }
  const sorted = [...byPrefix.keys()].sort(compareText);
  return new Map(sorted.map((prefix) => [prefix, [...(byPrefix.get(prefix) ?? [])].sort(compareText)]));
}

export interface SearchPagesStats {
  /** Prefixes whose regions were re-rendered. */
  prefixes: number;
  /** Pages rendered (the writer stores only those whose bytes changed). */
  rendered: number;
  /** Pages no longer in any layout (orphaned). */
  superseded: number;
}

/**
 * Incremental: re-renders the regions around `changed` servers (list order) in the pages of every
 * prefix they were or are in. `changes` holds the servers whose terms changed (from
 * db/repositories/search-terms.ts `updateSearchTerms`); the others keep their current terms.
 */
export async function renderSearchPages(
  options: BuilderOptions,
  writer: TreeWriter,
  target: string,
  changed: readonly string[],
  changes: ReadonlyMap<string, TermChange>,
): Promise<SearchPagesStats> {
  const knex = options.db.knex;
  const current = await pageTermsOf(
    knex,
    changed.filter((name) => !changes.has(name)),
  );
  const stats: SearchPagesStats = { prefixes: 0, rendered: 0, superseded: 0 };
  for (const [prefix, names] of prefixesOfChanges(changed, changes, current)) {
    stats.prefixes++;
    for (const family of PAGE_FAMILIES) {
      const region = await renderChangedRegions(knex, target, searchSource(prefix, family), names);
      const pages = region.pages.filter((page) => !isEmptyList(page));
      // A prefix no server has any more: its first page goes at once (a fresh query gets the 404;
      // nobody holds a cursor to a first page), its other pages after the grace period.
      const emptied = region.pages.filter(isEmptyList).map((page) => page.key);
      // Each page names the next one by cursor, so the next one is stored first.
      await writer.writeRegion([...pages].reverse(), region.superseded);
      await writer.delete((await knownObjects(knex, target, emptied)).size > 0 ? emptied : []);
      stats.rendered += pages.length;
      stats.superseded += region.superseded.length + emptied.length;
    }
  }
  return stats;
}

/**
 * `flush`: pages of completed prefixes held before they are written together; `spill`: pages one
 * prefix may hold before some are written while it is still being streamed.
 */
const HOLD = { flush: 500, spill: 3000 };
/** Records read per query of one prefix. */
const RECORD_BATCH = 1000;

/**
 * Full: every prefix of every name and title term, in term order, each streamed once through one
 * assembler per family. Pages readers can already reach (a first page, or a key the tree holds)
 * whose bytes changed are written after the pages they point at: those of completed prefixes right
 * after them, in reverse order (most prefixes fit in a few pages); those of a prefix too large to
 * hold are re-rendered at the end, as the full list render does. Pages of prefixes no server has
 * any more are what the full build did not render, orphaned with the other list pages.
 */
export async function renderAllSearchPages(
  options: BuilderOptions,
  writer: TreeWriter,
  target: string,
  hold: { flush: number; spill: number } = HOLD,
): Promise<{ prefixes: number; pages: number }> {
  const knex = options.db.knex;
  const buffer: RenderedObject[] = [];
  const rerender: { source: PageSource; after: ListItemKey | undefined }[] = [];
  let prefixes = 0;
  let pages = 0;
  /** Writes what the buffer holds: only completed prefixes', so their held pages can follow. */
  const flush = async () => {
    const held = await writeUnreachablePages(knex, target, writer, buffer.splice(0));
    await writer.writeRegion([...held].reverse(), []);
  };
  /** Writes part of a prefix still being streamed: its held pages are re-rendered at the end. */
  const spill = async () => {
    for (const page of await writeUnreachablePages(knex, target, writer, buffer.splice(0))) {
      const key = classifyKey(page.key);
      if (key?.kind === 'search-first' || key?.kind === 'search-after')
        rerender.push({ source: searchSource(key.prefix, key.family), after: page.list?.after });
    }
  };
  const renderPrefix = async (prefix: string) => {
    prefixes++;
    const assemblers = PAGE_FAMILIES.map((family) =>
      pageAssembler(searchSource(prefix, family), undefined, (page) => {
        if (isEmptyList(page)) return; // terms of a server that left the view since: no pages
        buffer.push(page);
        pages++;
      }),
    );
    let after: ListItemKey | undefined;
    for (;;) {
      const records = await searchRecordsAfter(knex, prefix, after, RECORD_BATCH);
      for (const record of records) for (const assembler of assemblers) assembler.push(record);
      if (buffer.length >= hold.spill) await spill();
      if (records.length < RECORD_BATCH) break;
      const last = records[records.length - 1] as VersionRecord;
      after = { name: last.serverName, version: last.version };
    }
    for (const assembler of assemblers) assembler.finish(false);
    if (buffer.length >= hold.flush) await flush();
  };
  // Terms come in byte order, so the terms sharing their first two characters (the shortest
  // prefix) come together: each group's prefixes are complete when the next group starts.
  let group = new Set<string>();
  let head = '';
  const renderGroup = async () => {
    for (const prefix of [...group].sort(compareText)) await renderPrefix(prefix);
    group = new Set();
  };
  for await (const terms of pageTermBatches(knex)) {
    for (const term of terms) {
      const prefixesOfTerm = termPrefixes(term);
      if (prefixesOfTerm.length === 0) continue;
      if (prefixesOfTerm[0] !== head) {
        await renderGroup();
        head = prefixesOfTerm[0] as string;
      }
      for (const prefix of prefixesOfTerm) group.add(prefix);
    }
  }
  await renderGroup();
  await flush();
  await writeDeferredPages(knex, writer, rerender);
  return { prefixes, pages };
}
