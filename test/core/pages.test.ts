import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  compareListItems,
  compareText,
  isPageBreak,
  type ListItemKey,
  MAX_PAGE_ITEMS,
  type Page,
  PageAssembler,
  splitPages,
} from '../../core/layout/pages.js';

// A small deterministic PRNG so failures reproduce.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function registry(count: number, random: () => number): ListItemKey[] {
  const items: ListItemKey[] = [];
  for (let i = 0; i < count; i++) {
    items.push({
      name: `io.github.user${Math.floor(random() * 500)}/server-${i % 97}`,
      version: `1.${Math.floor(random() * 20)}.${i}`,
    });
  }
  return items.sort(compareListItems);
}

const id = (k: ListItemKey) => `${k.name}:${k.version}`;
const pageId = (p: Page<ListItemKey>) => (p.after ? id(p.after) : '(first)');
const asTree = (pages: Page<ListItemKey>[]) =>
  new Map(pages.map((p) => [pageId(p), p.items.map(id).join('|')]));

function insertSorted(items: ListItemKey[], item: ListItemKey): ListItemKey[] {
  return [...items, item].sort(compareListItems);
}

describe('content-defined list pages', () => {
  test('every item exactly once, in order, no page over the maximum', () => {
    const items = registry(5000, rng(1));
    const pages = splitPages(items, (i) => i);
    assert.deepEqual(
      pages.flatMap((p) => p.items),
      items,
    );
    assert.ok(pages.every((p) => p.items.length <= MAX_PAGE_ITEMS && p.items.length > 0));
    // Each page is keyed by the last item of the previous one: a crawler's cursor names the next object.
    for (let i = 1; i < pages.length; i++) assert.deepEqual(pages[i]!.after, pages[i - 1]!.items.at(-1));
    const mean = items.length / pages.length;
    assert.ok(mean > 15 && mean < 50, `mean page size ${mean}`);
  });

  test('one publish changes a bounded number of page objects', () => {
    const random = rng(2);
    let items = registry(20_000, random);
    let tree = asTree(splitPages(items, (i) => i));
    let worst = 0;
    for (let n = 0; n < 300; n++) {
      items = insertSorted(items, {
        name: `io.github.user${Math.floor(random() * 500)}/new-${n}`,
        version: '1.0.0',
      });
      const next = asTree(splitPages(items, (i) => i));
      let changed = 0;
      for (const [key, content] of next) if (tree.get(key) !== content) changed++;
      worst = Math.max(worst, changed);
      tree = next;
    }
    // The page it lands in, plus a new page when it is itself a break (forced cuts can add a few more).
    assert.ok(worst <= 4, `worst case ${worst} pages rewritten by one publish`);
  });

  test('a crawl that follows cursors while publishes happen sees every lasting item exactly once', () => {
    const random = rng(3);
    const original = registry(3000, random);
    const store = new Map<string, Page<ListItemKey>>();
    // Pages no longer in the chain stay readable (they still describe a keyset range), as in the tree.
    const publish = (items: ListItemKey[]) => {
      for (const page of splitPages(items, (i) => i)) store.set(pageId(page), page);
    };
    publish(original);
    let items = original;
    const seen: string[] = [];
    let cursor = '(first)';
    for (let step = 0; ; step++) {
      const page = store.get(cursor);
      assert.ok(page, `cursor ${cursor} names an object`);
      seen.push(...page.items.map(id));
      // Between two page fetches, a few servers publish new versions.
      for (let k = 0; k < 3; k++) {
        items = insertSorted(items, {
          name: `io.github.user${Math.floor(random() * 500)}/late-${step}-${k}`,
          version: '2.0.0',
        });
      }
      publish(items);
      const last = page.items.at(-1);
      const next = last ? store.get(id(last)) : undefined;
      if (!last || !next) break;
      cursor = id(last);
    }
    const counts = new Map<string, number>();
    for (const s of seen) counts.set(s, (counts.get(s) ?? 0) + 1);
    for (const item of original) assert.equal(counts.get(id(item)), 1, `${id(item)} seen once`);
    assert.ok(
      [...counts.values()].every((c) => c === 1),
      'no item seen twice',
    );
  });
});

describe('the page assembler (what the builder streams through)', () => {
  const assemble = (items: readonly ListItemKey[], after: ListItemKey | undefined, more: boolean) => {
    const out: { page: Page<ListItemKey>; more: boolean }[] = [];
    const assembler = new PageAssembler<ListItemKey>(
      (k) => k,
      after,
      (page, next) => out.push({ page, more: next }),
    );
    const ends: boolean[] = [];
    for (const item of items) {
      assembler.push(item);
      ends.push(assembler.endsAtBreak());
    }
    assembler.finish(more);
    return { out, ends };
  };

  test('says of each page whether another follows, and where pages end', () => {
    for (const count of [0, 1, 99, 100, 101, 3000]) {
      const items = registry(count, rng(10 + count));
      const { out, ends } = assemble(items, undefined, false);
      assert.deepEqual(
        out.map((o) => o.page),
        splitPages(items, (i) => i),
      );
      assert.deepEqual(
        out.map((o) => o.more),
        out.map((_, i) => i < out.length - 1),
        `${count} items`,
      );
      // endsAtBreak after exactly the items that close a page.
      const closing = new Set(out.filter((o) => o.more).map((o) => id(o.page.items.at(-1) as ListItemKey)));
      const lastPage = out.at(-1)?.page.items ?? [];
      if (
        lastPage.length === MAX_PAGE_ITEMS ||
        (lastPage.length > 0 && isPageBreak(lastPage.at(-1) as ListItemKey))
      )
        closing.add(id(lastPage.at(-1) as ListItemKey));
      assert.deepEqual(
        items.filter((_, i) => ends[i]).map(id),
        items.filter((item) => closing.has(id(item))).map(id),
      );
    }
  });

  test('a stretch between two natural breaks reassembles into exactly the pages of the whole list', () => {
    const items = registry(6000, rng(11));
    const whole = new Map(splitPages(items, (i) => i).map((p) => [pageId(p), p.items.map(id).join('|')]));
    const breaks = items.map((item, i) => (isPageBreak(item) ? i : -1)).filter((i) => i >= 0);
    const random = rng(12);
    for (let n = 0; n < 50; n++) {
      // From just after break `s` (or the list start) to break `e` (or the end), as an incremental region is.
      const a = Math.floor(random() * breaks.length);
      const b = a + 1 + Math.floor(random() * 4);
      const s = n === 0 ? -1 : (breaks[a] as number);
      const e = b >= breaks.length ? items.length - 1 : (breaks[b] as number);
      const region = items.slice(s + 1, e + 1);
      const { out } = assemble(region, s < 0 ? undefined : items[s], e < items.length - 1);
      for (const { page, more } of out) {
        assert.equal(whole.get(pageId(page)), page.items.map(id).join('|'), `page after ${pageId(page)}`);
        const last = page.items.at(-1);
        assert.equal(
          more,
          last !== undefined && whole.has(id(last)),
          'more ⇔ the whole list has a next page',
        );
      }
    }
  });
});

describe('list order', () => {
  test('is UTF-8 byte order (PostgreSQL "C"), not UTF-16 code-unit order', () => {
    // U+FFFF sorts before U+10000 by code point, after it by UTF-16 code unit (0xD800 < 0xFFFF).
    assert.equal(compareText('1.0.0-\uFFFF', '1.0.0-\u{10000}'), -1);
    assert.equal(compareText('1.0.0-\u{10000}', '1.0.0-\uFFFF'), 1);
    const words = ['b', 'a\u{1F600}', 'a\uFFFD', 'a', 'ab', 'A', '\u00e9'];
    const byBytes = [...words].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    assert.deepEqual([...words].sort(compareText), byBytes);
    assert.equal(
      compareListItems({ name: 'io.a/b', version: '2' }, { name: 'io.a/b', version: '10' }),
      1,
      'versions compare as text',
    );
  });
});
