import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prefixesOfChanges } from '../../builder/search-pages.js';
import { compareText } from '../../core/layout/pages.js';
import {
  isSearchPrefix,
  searchFirstPageKey,
  searchPageAfterKey,
  searchPagesId,
  searchPrefixEnd,
  termPrefixes,
} from '../../core/layout/search-page-keys.js';
import type { FieldRank } from '../../core/search/text.js';

describe('search page keys', () => {
  it('a term gives every beginning of its [a-z0-9] head from two characters on, at most 40', () => {
    assert.deepEqual(termPrefixes('weather'), ['we', 'wea', 'weat', 'weath', 'weathe', 'weather']);
    assert.deepEqual(termPrefixes('straße'), ['st', 'str', 'stra']);
    assert.deepEqual(termPrefixes('日本'), []);
    assert.deepEqual(termPrefixes('x'), []);
    assert.equal(termPrefixes('a'.repeat(45)).length, 39);
    for (const p of termPrefixes(`abc${'z'.repeat(50)}`)) assert.ok(isSearchPrefix(p), p);
  });

  it('bounds a prefix range in byte order: every term with the prefix, nothing else', () => {
    for (const prefix of ['we', 'az', 'a9', 'zz', 'x0']) {
      const end = searchPrefixEnd(prefix);
      for (const term of [prefix, `${prefix}a`, `${prefix}zzz`, `${prefix}ß`, `${prefix}日本`])
        assert.ok(compareText(term, prefix) >= 0 && compareText(term, end) < 0, `${term} in ${prefix}`);
      for (const term of [end, `${end}a`, prefix.slice(0, 1), `${prefix.slice(0, 1)}{`])
        assert.ok(compareText(term, prefix) < 0 || compareText(term, end) >= 0, `${term} outside ${prefix}`);
    }
  });

  it('builds keys only for valid prefixes and names', () => {
    assert.equal(searchFirstPageKey('wea', 25), 'search/q/25/wea/first.json');
    assert.equal(
      searchPageAfterKey('wea', 10, 'io.github.alice/weather', '1.0.0+b'),
      'search/q/10/wea/after/io.github.alice/weather/1.0.0~2Bb.json',
    );
    assert.equal(searchPagesId('wea', 60), 'search/wea/60');
    for (const bad of ['w', 'Wea', 'we a', 'wé', '../x', 'a'.repeat(41)])
      assert.throws(() => searchFirstPageKey(bad, 25), RangeError, bad);
    assert.throws(() => searchPageAfterKey('we', 25, '../etc', '1'), RangeError);
  });
});

describe('prefixesOfChanges', () => {
  const terms = (entries: [string, FieldRank][]) => new Map<string, FieldRank>(entries);
  it('takes name and title terms before and after a change, current terms when only the document changed', () => {
    const changes = new Map([
      // Retitled: "Weather" → "Tides"; the description term `forecast` has no pages.
      [
        'io.x/b',
        {
          before: terms([
            ['io', 0],
            ['weather', 1],
            ['forecast', 2],
          ]),
          after: terms([
            ['io', 0],
            ['tides', 1],
          ]),
        },
      ],
    ]);
    const current = new Map([['io.x/a', ['io', 'wet']]]);
    const byPrefix = prefixesOfChanges(['io.x/a', 'io.x/b'], changes, current);
    assert.deepEqual(byPrefix.get('io'), ['io.x/a', 'io.x/b']);
    assert.deepEqual(byPrefix.get('we'), ['io.x/a', 'io.x/b']);
    assert.deepEqual(byPrefix.get('wea'), ['io.x/b']);
    assert.deepEqual(byPrefix.get('tid'), ['io.x/b']);
    assert.equal(byPrefix.has('fo'), false);
    assert.deepEqual([...byPrefix.keys()], [...byPrefix.keys()].sort(compareText));
  });
});
