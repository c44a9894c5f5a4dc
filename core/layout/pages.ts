/**
 * Content-defined list pages for GET /servers. Items are in official list order (name, then
 * version, plain string order). A page ends after an item whose own hash says "break" (about one
 * item in BREAK_EVERY), or when it reaches MAX_PAGE_ITEMS. Because a break depends only on the item,
 * one publish or deletion changes the page it lands in (and at most its forced-cut neighbours), not
 * every page after it. A page is stored under the cursor of the item before it (official cursor
 * `name:version`), so a crawler's cursor always names the object to fetch next.
 */
export const BREAK_EVERY = 32;
export const MAX_PAGE_ITEMS = 100;

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

export function isPageBreak(item: ListItemKey): boolean {
  return fnv1a32(`${item.name}:${item.version}`) % BREAK_EVERY === 0;
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
 * Cuts a stream of items (already in list order) into pages: the one page assembler of the tree.
 * A page is emitted once it is known whether another follows (`more`), so its `nextCursor` can be
 * written; the builder streams whole views through it (full render) or the stretch between two
 * natural breaks (incremental regions), and `splitPages` collects its output.
 *
 * @example
 * const pages: Page<ListItemKey>[] = [];
 * const assembler = new PageAssembler<ListItemKey>((k) => k, undefined, (page) => pages.push(page));
 * for (const item of items) assembler.push(item);
 * assembler.finish(false); // pages now hold every item; an empty input gives one empty first page
 */
export class PageAssembler<T> {
  private current: Page<T>;
  private closed: Page<T> | undefined;
  private emittedAny = false;

  constructor(
    private readonly keyOf: (item: T) => ListItemKey,
    /** The item before the first page emitted (undefined: the list's first page). */
    after: ListItemKey | undefined,
    /** `more`: another page follows this one (its last item is the next page's cursor). */
    private readonly emit: (page: Page<T>, more: boolean) => void,
  ) {
    this.current = { after, items: [] };
  }

  push(item: T): void {
    this.flushClosed(true);
    this.current.items.push(item);
    const key = this.keyOf(item);
    if (isPageBreak(key) || this.current.items.length === MAX_PAGE_ITEMS) {
      this.closed = this.current;
      this.current = { after: { name: key.name, version: key.version }, items: [] };
    }
  }

  /** The last item pushed ended a page (a natural break or a full page) and nothing follows it yet. */
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

/** Splits items already in list order into pages (every page, through the PageAssembler). */
export function splitPages<T>(items: Iterable<T>, keyOf: (item: T) => ListItemKey): Page<T>[] {
  const pages: Page<T>[] = [];
  const assembler = new PageAssembler(keyOf, undefined, (page: Page<T>) => pages.push(page));
  for (const item of items) assembler.push(item);
  assembler.finish(false);
  return pages;
}
