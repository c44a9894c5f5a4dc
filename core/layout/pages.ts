/**
 * List pages of `GET /servers`, in families of page sizes. Items are in official list order (name,
 * then version, plain string order). A client's `limit` picks a family (`pageFamilyFor`, the edge
 * function does the same), so no page holds more items than the limit asked for (at most 10 below
 * 10), no page but the last fewer than a quarter of it, and with no limit at most 30.
 *
 * Within a family pages are content-defined with a minimum and a maximum: a page ends at its first
 * item from `min` on whose own hash says "break" (one in `every`), or at `max` items. Because a cut
 * depends only on where the page started and on the items, two layouts that cut at the same item
 * agree from there on: one publish rewrites the page it lands in and the few after it until the
 * new layout meets a cut of the old one (builder/lists.ts), whatever the size of the list. A page is
 * stored under the cursor of the item before it (official cursor `name:version`), so a crawler's
 * cursor always names the object to fetch next.
 */
export const PAGE_FAMILIES = [10, 25, 60] as const;
export type PageFamily = (typeof PAGE_FAMILIES)[number];
/** Without `limit` (the official default is 30): pages of 15 to 25 items. */
export const DEFAULT_PAGE_FAMILY: PageFamily = 25;

/** min ≥ limit / 4 for every limit a family serves; max ≤ the smallest limit it serves. */
// The widest windows the bounds allow (resynchronisation after a change is faster the wider the
// window), and break rates measured to minimise pages rewritten per publish (test/core/pages.test.ts).
const FAMILY_RULES: Record<PageFamily, { min: number; max: number; every: number }> = {
  10: { min: 6, max: 10, every: 4 },
  25: { min: 15, max: 25, every: 5 },
  60: { min: 25, max: 60, every: 8 },
};

/** The largest page any family has. */
export const MAX_PAGE_ITEMS = 60;

/**
 * The family that answers `limit` (1..100; undefined: no limit): the largest one not above it.
 *
 * @example pageFamilyFor(5) // 10
 * @example pageFamilyFor(30) // 25
 * @example pageFamilyFor(undefined) // 25
 * @example pageFamilyFor(100) // 60
 */
export function pageFamilyFor(limit: number | undefined): PageFamily {
  if (limit === undefined) return DEFAULT_PAGE_FAMILY;
  let family: PageFamily = PAGE_FAMILIES[0];
  for (const f of PAGE_FAMILIES) if (f <= limit) family = f;
  return family;
}

/** The smallest and largest page of a family (the last page of a list may be smaller). */
export function pageBounds(family: PageFamily): { min: number; max: number } {
  const { min, max } = FAMILY_RULES[family];
  return { min, max };
}

export interface ListItemKey {
  name: string;
  version: string;
}

export interface Page<T> {
  /** The item before this page (its cursor names the page); undefined for the first page. */
  after: ListItemKey | undefined;
  items: T[];
}

/** 32-bit FNV-1a over UTF-16 code units: stable, cheap, and the same in every runtime. */
function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Whether the item may end a page of `family` (once the page holds at least `min` items). */
export function isPageBreak(item: ListItemKey, family: PageFamily): boolean {
  return fnv1a32(`${family}|${item.name}:${item.version}`) % FAMILY_RULES[family].every === 0;
}

/** UTF-8 byte order (= code point order), which is how PostgreSQL's "C" collation orders text. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : 1;
}

/** Official list order: by name, then version, as PostgreSQL orders text in the C collation. */
export function compareListItems(a: ListItemKey, b: ListItemKey): number {
  return compareText(a.name, b.name) || compareText(a.version, b.version);
}

/**
 * Cuts a stream of items (already in list order, starting right after a page boundary) into pages
 * of one family: the one page assembler of the tree. A page is emitted once it is known whether
 * another follows (`more`), so its `nextCursor` can be written; the builder streams whole lists
 * through it (full render) or the stretch from a page boundary of the old layout (incremental
 * regions), and `splitPages` collects its output.
 *
 * @example
 * const pages: Page<ListItemKey>[] = [];
 * const assembler = new PageAssembler<ListItemKey>((k) => k, 25, undefined, (page) => pages.push(page));
 * for (const item of items) assembler.push(item);
 * assembler.finish(false); // pages now hold every item; an empty input gives one empty first page
 */
export class PageAssembler<T> {
  private current: Page<T>;
  private closed: Page<T> | undefined;
  private emittedAny = false;
  private readonly rule: { min: number; max: number };

  constructor(
    private readonly keyOf: (item: T) => ListItemKey,
    private readonly family: PageFamily,
    /** The item before the first page emitted (undefined: the list's first page). */
    after: ListItemKey | undefined,
    /** `more`: another page follows this one (its last item is the next page's cursor). */
    private readonly emit: (page: Page<T>, more: boolean) => void,
  ) {
    this.current = { after, items: [] };
    this.rule = FAMILY_RULES[family];
  }

  push(item: T): void {
    this.flushClosed(true);
    this.current.items.push(item);
    const key = this.keyOf(item);
    const length = this.current.items.length;
    if (length === this.rule.max || (length >= this.rule.min && isPageBreak(key, this.family))) {
      this.closed = this.current;
      this.current = { after: { name: key.name, version: key.version }, items: [] };
    }
  }

  /** The last item pushed ended a page and nothing follows it yet. */
  endsAtBreak(): boolean {
    return this.closed !== undefined && this.current.items.length === 0;
  }

  /**
   * Emits what is left. `more`: items follow the last one pushed (only possible when it ended a
   * page). The first page is emitted even when empty (an empty list still has a first page).
   */
  finish(more: boolean): void {
    this.flushClosed(more);
    if (this.current.items.length > 0 || !this.emittedAny) {
      this.emittedAny = true;
      this.emit(this.current, false);
    }
  }

  private flushClosed(more: boolean): void {
    if (!this.closed) return;
    const page = this.closed;
    this.closed = undefined;
    this.emittedAny = true;
    this.emit(page, more);
  }
}

/** Splits items already in list order into the pages of one family (through the PageAssembler). */
export function splitPages<T>(
  items: Iterable<T>,
  keyOf: (item: T) => ListItemKey,
  family: PageFamily,
): Page<T>[] {
  const pages: Page<T>[] = [];
  const assembler = new PageAssembler(keyOf, family, undefined, (page: Page<T>) => pages.push(page));
  for (const item of items) assembler.push(item);
  assembler.finish(false);
  return pages;
}
