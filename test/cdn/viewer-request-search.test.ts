import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyKey } from '../../core/layout/key-shapes.js';
import { PAGE_FAMILIES, pageFamilyFor } from '../../core/layout/pages.js';
import { searchFirstPageKey, searchPageAfterKey } from '../../core/layout/search-page-keys.js';
import { keyOf, problemOf } from '../helpers/edge.js';

const NAME = 'io.github.alice/weather';
const APIS = ['/v0', '/v0.1'] as const;
const VERSIONS = [
  '1.0.0',
  '1.0.0+build.7',
  '2.0.0:rc',
  ' spaced ',
  '€',
  '..',
  `${'a'.repeat(119)}+${'b'.repeat(100)}`,
];

describe('?search= through the edge', () => {
  it('maps one word prefix to its result pages, with or without version=latest, on both APIs', () => {
    for (const api of APIS) {
      for (const extra of ['', '&version=latest', '&include_deleted=false']) {
        assert.equal(keyOf(`${api}/servers?search=weather${extra}`), searchFirstPageKey('weather', 25));
      }
    }
  });

  it('folds case and trims spaces, as the pages are folded (core/search/text.ts)', () => {
    for (const q of ['Weather', 'WEATHER', '%20weather+', 'WeAtHeR', 'weather%20']) {
      assert.equal(keyOf(`/v0.1/servers?search=${q}`), searchFirstPageKey('weather', 25), q);
    }
    assert.equal(keyOf('/v0.1/servers?search=mcp2'), searchFirstPageKey('mcp2', 25));
    assert.equal(keyOf('/v0.1/servers?search=42'), searchFirstPageKey('42', 25));
  });

  it('picks the page family from limit as the lists do (pageFamilyFor), first and cursor pages', () => {
    for (let limit = 1; limit <= 100; limit++) {
      const family = pageFamilyFor(limit);
      assert.equal(keyOf(`/v0.1/servers?search=we&limit=${limit}`), searchFirstPageKey('we', family));
      assert.equal(
        keyOf(`/v0.1/servers?search=we&limit=${limit}&cursor=${encodeURIComponent(`${NAME}:1.0.0`)}`),
        searchPageAfterKey('we', family, NAME, '1.0.0'),
      );
    }
  });

  it('maps every cursor to exactly the key the builder writes (core/layout/search-page-keys.ts)', () => {
    for (const family of PAGE_FAMILIES) {
      const limit = family === 60 ? 100 : family;
      for (const version of VERSIONS) {
        const cursor = new URLSearchParams({ cursor: `${NAME}:${version}` });
        const url = `/v0.1/servers?search=weath&limit=${limit}&${cursor}`;
        const key = keyOf(url);
        assert.equal(key, searchPageAfterKey('weath', family, NAME, version), url);
        assert.equal(classifyKey(key)?.kind, 'search-after', key);
      }
    }
  });

  it('answers a query the pages cannot answer with a 400 naming the search index and the browse page', () => {
    for (const q of [
      'w', // one character
      'a'.repeat(41), // longer than a term
      'weather+api', // several words
      'weather%20api',
      'weather-api', // punctuation
      'io.github',
      'caf%C3%A9', // non-ASCII: folding it needs Unicode tables the edge does not have
      '%E5%A4%A9%E6%B0%97',
      '%2F',
      '*',
      'we_ather',
    ]) {
      const body = problemOf(`/v0.1/servers?search=${q}`, 400);
      assert.match(body.detail, /\/search\/index\.json/, q);
      assert.match(body.detail, /browse page \(\/\)/, q);
    }
  });

  it('refuses search with deleted servers or the change feed', () => {
    assert.match(
      problemOf('/v0.1/servers?search=weather&include_deleted=true', 400).detail,
      /include_deleted=true/,
    );
    assert.match(
      problemOf('/v0.1/servers?search=weather&version=latest&include_deleted=true', 400).detail,
      /include_deleted=true/,
    );
    assert.match(
      problemOf('/v0.1/servers?search=weather&updated_since=2025-10-01T00:00:00Z', 400).detail,
      /updated_since/,
    );
    assert.match(problemOf('/v0.1/servers?search=weather&cursor=feed:2025-10-02:0', 400).detail, /feed/);
  });

  it('checks the cursor and limit as the lists do', () => {
    assert.match(problemOf('/v0.1/servers?search=weather&cursor=nocolon', 400).detail, /invalid cursor/);
    assert.match(problemOf('/v0.1/servers?search=weather&cursor=bad%2Fname%2Fx:1', 400).detail, /cursor/);
    assert.match(problemOf('/v0.1/servers?search=weather&limit=0', 400).detail, /limit/);
    problemOf('/v0.1/servers?search=we&search=wea', 400);
  });

  it('treats an empty search as none (the plain list), as the official registry does', () => {
    assert.equal(keyOf('/v0.1/servers?search='), 'lists/live/25/first.json');
  });
});
