import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  compareListItems,
  compareText,
  isPageBreak,
  type ListItemKey,
  PAGE_FAMILIES,
  type Page,
  PageAssembler,
  type PageFamily,
  pageBounds,
  pageFamilyFor,
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

const limits = Array.from({ length: 100 }, (_, i) => i + 1);

describe('list pages in families of sizes', () => {
  test('every item exactly once, in order; every limit 1..100 honoured (at most limit, at least a quarter)', () => {
    for (const [seed, count] of [
      [1, 3000],
      [4, 257],
      [5, 61],
      [6, 9],
    ] as const) {
      const items = registry(count, rng(seed));
      for (const limit of [undefined, ...limits]) {
        const pages = splitPages(items, (i) => i, pageFamilyFor(limit));
        assert.deepEqual(
          pages.flatMap((p) => p.items),
          items,
        );
        const most = limit === undefined ? 30 : Math.max(limit, 10);
        const least = (limit ?? 30) / 4;
        for (const [i, page] of pages.entries()) {
          assert.ok(page.items.length <= most, `limit ${limit}: a page of ${page.items.length}`);
          if (i < pages.length - 1)
            assert.ok(page.items.length >= least, `limit ${limit}: a page of ${page.items.length}`);
        }
        // Each page is keyed by the last item of the previous one: a crawler's cursor names the next object.
        for (let i = 1; i < pages.length; i++) assert.deepEqual(pages[i]!.after, pages[i - 1]!.items.at(-1));
      }
    }
    assert.deepEqual(
      limits.map(pageFamilyFor).filter((f, i, all) => all.indexOf(f) === i),
      [...PAGE_FAMILIES],
    );
  });

  test('one publish changes a bounded number of page objects in each family', () => {
    for (const family of PAGE_FAMILIES) {
      const random = rng(2);
      let items = registry(20_000, random);
      let tree = asTree(splitPages(items, (i) => i, family));
      let worst = 0;
      let total = 0;
      const publishes = 200;
      for (let n = 0; n < publishes; n++) {
        items = insertSorted(items, {
          name: `io.github.user${Math.floor(random() * 500)}/new-${n}`,
          version: '1.0.0',
        });
        const next = asTree(splitPages(items, (i) => i, family));
        let changed = 0;
        for (const [key, content] of next) if (tree.get(key) !== content) changed++;
        worst = Math.max(worst, changed);
        total += changed;
        tree = next;
      }
      // The page it lands in and the few after it until the new layout meets a cut of the old one.
      process.stderr.write(
        `family ${family}: ${total / publishes} pages per publish on average, worst ${worst}\n`,
      );
      assert.ok(
        total / publishes <= 3,
        `family ${family}: ${total / publishes} pages per publish on average`,
      );
      assert.ok(worst <= 25, `family ${family}: worst case ${worst} pages rewritten by one publish`);
    }
  });

  test('a crawl that follows cursors while publishes happen sees every lasting item exactly once', () => {
    for (const family of PAGE_FAMILIES) {
      const random = rng(3);
      const original = registry(3000, random);
      const store = new Map<string, Page<ListItemKey>>();
      // Pages no longer in the chain stay readable (they still describe a keyset range), as in the tree.
      const publish = (items: ListItemKey[]) => {
        for (const page of splitPages(items, (i) => i, family)) store.set(pageId(page), page);
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
    }
  });
});

describe('the page assembler (what the builder streams through)', () => {
  const assemble = (
    items: readonly ListItemKey[],
    family: PageFamily,
    after: ListItemKey | undefined,
    more: boolean,
  ) => {
    const out: { page: Page<ListItemKey>; more: boolean }[] = [];
    const assembler = new PageAssembler<ListItemKey>(
      (k) => k,
      family,
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
    for (const family of PAGE_FAMILIES) {
      const { min, max } = pageBounds(family);
      for (const count of [0, 1, min, max, max + 1, 3000]) {
        const items = registry(count, rng(10 + count));
        const { out, ends } = assemble(items, family, undefined, false);
        assert.deepEqual(
          out.map((o) => o.page),
          splitPages(items, (i) => i, family),
        );
        assert.deepEqual(
          out.map((o) => o.more),
          out.map((_, i) => i < out.length - 1),
          `${count} items`,
        );
        // endsAtBreak after exactly the items that close a page.
        const closing = new Set(out.filter((o) => o.more).map((o) => id(o.page.items.at(-1) as ListItemKey)));
        const lastPage = out.at(-1)?.page.items ?? [];
        const lastItem = lastPage.at(-1);
        if (
          lastItem &&
          (lastPage.length === max || (lastPage.length >= min && isPageBreak(lastItem, family)))
        )
          closing.add(id(lastItem));
        assert.deepEqual(
          items.filter((_, i) => ends[i]).map(id),
          items.filter((item) => closing.has(id(item))).map(id),
        );
      }
    }
  });

  test('streaming from any page boundary gives exactly the pages of the whole list from there', () => {
    for (const family of PAGE_FAMILIES) {
      const items = registry(4000, rng(11));
      const pages = splitPages(items, (i) => i, family);
      const whole = new Map(pages.map((p) => [pageId(p), p.items.map(id).join('|')]));
      const random = rng(12);
      for (let n = 0; n < 30; n++) {
        // From after page `a`'s last item (or the list start) to page `b`'s last item (or the end).
        const a = n === 0 ? -1 : Math.floor(random() * pages.length);
        const b = Math.min(pages.length - 1, a + 1 + Math.floor(random() * 4));
        const from = a < 0 ? 0 : items.findIndex((it) => it === pages[a]!.items.at(-1)) + 1;
        const to = items.findIndex((it) => it === pages[b]!.items.at(-1));
        const region = items.slice(from, to + 1);
        const { out } = assemble(region, family, a < 0 ? undefined : items[from - 1], to < items.length - 1);
        for (const { page, more } of out) {
          if (page.items.length === 0) continue;
          assert.equal(whole.get(pageId(page)), page.items.map(id).join('|'), `page after ${pageId(page)}`);
          const last = page.items.at(-1);
          assert.equal(
            more,
            last !== undefined && whole.has(id(last)),
            'more ⇔ the whole list has a next page',
          );
        }
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
