import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classifyKey,
  isGraceKey,
  isHistoryKey,
  isTreeKey,
  KEY_PATTERN,
  snapshotDayOf,
  type TreeKey,
} from '../../core/layout/key-shapes.js';
import {
  buildManifestKey,
  encodeVersionSegment,
  feedPageKey,
  listFirstPageKey,
  listPageAfterKey,
  NOT_FOUND_KEY,
  PUBLIC_KEY_JWK_KEY,
  PUBLIC_KEY_PEM_KEY,
  ROOT_KEY,
  SNAPSHOT_POINTER_KEY,
  serverLatestKey,
  serverVersionKey,
  serverVersionsKey,
  signatureKeyFor,
  snapshotKeys,
} from '../../core/layout/keys.js';
import { PAGE_FAMILIES } from '../../core/layout/pages.js';
import { searchFirstPageKey, searchPageAfterKey } from '../../core/layout/search-page-keys.js';
import { LIST_VIEWS } from '../../core/layout/views.js';

const NAMES = ['io.github.alice/weather', 'com.example/ab', 'io.x-y.z/Tool_v2.beta'];
const VERSIONS = ['1.0.0', '1.0.0+x', '..', '.json', '..json', 'a/b', '€', 'x'.repeat(255), '2.0.0:rc'];
const DAYS = ['2025-09-01', '2026-02-28'];
const PREFIXES = ['we', 'weather', '0x9', 'a'.repeat(40)];

/** Every key builder, with the classification its output must have. */
function builtKeys(): [string, TreeKey][] {
  const cases: [string, TreeKey][] = [
    [ROOT_KEY, { kind: 'root' }],
    [SNAPSHOT_POINTER_KEY, { kind: 'snapshot-pointer' }],
    [PUBLIC_KEY_PEM_KEY, { kind: 'public-key', format: 'pem' }],
    [PUBLIC_KEY_JWK_KEY, { kind: 'public-key', format: 'jwk' }],
    [NOT_FOUND_KEY, { kind: 'not-found' }],
    ...[1, 42, 9_007_199_254_740_991].map((build): [string, TreeKey] => [
      buildManifestKey(build),
      { kind: 'build-manifest', build },
    ]),
  ];
  for (const day of DAYS) {
    const keys = snapshotKeys(day);
    cases.push(
      [keys.data, { kind: 'snapshot-data', day }],
      [keys.manifest, { kind: 'snapshot-manifest', day }],
    );
    for (const page of [0, 1, 41]) cases.push([feedPageKey(day, page), { kind: 'feed-page', day, page }]);
  }
  for (const view of LIST_VIEWS) {
    for (const family of PAGE_FAMILIES) {
      cases.push([listFirstPageKey(view, family), { kind: 'list-first', view, family }]);
    }
  }
  for (const prefix of PREFIXES) {
    for (const family of PAGE_FAMILIES) {
      cases.push([searchFirstPageKey(prefix, family), { kind: 'search-first', prefix, family }]);
      for (const name of NAMES) {
        for (const version of VERSIONS) {
          const segment = encodeVersionSegment(version);
          cases.push([
            searchPageAfterKey(prefix, family, name, version),
            { kind: 'search-after', prefix, family, name, segment },
          ]);
        }
      }
    }
  }
  for (const name of NAMES) {
    for (const includeDeleted of [false, true]) {
      cases.push(
        [serverVersionsKey(name, includeDeleted), { kind: 'server-versions', name, includeDeleted }],
        [serverLatestKey(name, includeDeleted), { kind: 'server-latest', name, includeDeleted }],
      );
    }
    for (const version of VERSIONS) {
      const segment = encodeVersionSegment(version);
      for (const includeDeleted of [false, true]) {
        cases.push([
          serverVersionKey(name, version, includeDeleted),
          { kind: 'server-version', name, segment, includeDeleted },
        ]);
      }
      for (const view of LIST_VIEWS) {
        for (const family of PAGE_FAMILIES) {
          cases.push([
            listPageAfterKey(view, family, name, version),
            { kind: 'list-after', view, family, name, segment },
          ]);
        }
      }
    }
  }
  return cases;
}

describe('classifyKey', () => {
  it('gives back what each key builder was given (round trip), for the key and its signature', () => {
    const cases = builtKeys();
    assert.ok(cases.length > 150, `${cases.length} keys`);
    for (const [key, expected] of cases) {
      assert.deepEqual(classifyKey(key), { ...expected, signature: false }, key);
      assert.deepEqual(classifyKey(signatureKeyFor(key)), { ...expected, signature: true }, `${key}.sig`);
    }
  });

  it('tells every kind apart: no two builders make keys of the same classification', () => {
    const seen = new Map<string, string>();
    for (const [key] of builtKeys()) {
      const id = JSON.stringify(classifyKey(key));
      assert.equal(seen.get(id) ?? key, key, `${key} and ${seen.get(id)} classify alike`);
      seen.set(id, key);
    }
  });

  it('refuses look-alikes, traversal and anything no builder makes', () => {
    for (const key of [
      '',
      '/index.json',
      'index.json.sig.sig',
      'index.jsonx',
      'servers/io.github.alice/weather/v/...json',
      'servers/io.github.alice/weather/v/1.0.0+x.json',
      'servers/io.github.alice/../v/1.json',
      'servers/io.github.alice/weather/x/1.json',
      'servers/io.github.alice/weather/index.all.all.json',
      'servers/../etc/passwd',
      'lists/every/first.json',
      'lists/live/after/io.github.alice/weather/.json',
      'feed/2025-09-01/01.json',
      'feed/2025-09-01/-1.json',
      'snapshots/latest.json.gz',
      'snapshots/2025-09-01/other.json',
      'manifest/0.json',
      'manifest/01.json',
      'keys/other.pem',
      'errors/other.json',
      'search/q/25/w/first.json',
      'search/q/25/Weather/first.json',
      'search/q/25/we-ather/first.json',
      `search/q/25/${'a'.repeat(41)}/first.json`,
      'search/q/30/we/first.json',
      'search/q/25/we/after/io.github.alice/weather/..json',
    ]) {
      assert.equal(classifyKey(key), undefined, key);
      assert.equal(isTreeKey(key), false, key);
    }
  });

  it('agrees with KEY_PATTERN on built keys, look-alikes and random strings', () => {
    const alphabet = 'ab.~-/_01isonjgverlt';
    let seed = 7;
    const random = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const samples = builtKeys().flatMap(([key]) => [key, signatureKeyFor(key), `${key}x`, key.slice(0, -1)]);
    for (let i = 0; i < 2000; i++) {
      // Mutations of real keys hit the boundaries; random strings the rest.
      const base = samples[Math.floor(random() * samples.length)] as string;
      const at = Math.floor(random() * base.length);
      const ch = alphabet[Math.floor(random() * alphabet.length)] as string;
      samples.push(base.slice(0, at) + ch + base.slice(at + (random() < 0.5 ? 1 : 0)));
    }
    for (const key of samples) assert.equal(isTreeKey(key), KEY_PATTERN.test(key), key);
  });
});

describe('key predicates', () => {
  it('snapshotDayOf reads the day of dated snapshot objects only', () => {
    const keys = snapshotKeys('2025-10-02');
    assert.equal(snapshotDayOf(keys.data), '2025-10-02');
    assert.equal(snapshotDayOf(keys.manifest), '2025-10-02');
    assert.equal(snapshotDayOf(keys.signature), '2025-10-02');
    for (const key of [
      SNAPSHOT_POINTER_KEY,
      signatureKeyFor(SNAPSHOT_POINTER_KEY),
      feedPageKey('2025-10-02', 0),
    ]) {
      assert.equal(snapshotDayOf(key), undefined, key);
    }
    assert.equal(snapshotDayOf('snapshots/2025-10-02/other.json'), undefined);
  });

  it('isHistoryKey: feed, snapshots, build manifests and the root; never a rendering', () => {
    for (const [key, parsed] of builtKeys()) {
      const history = [
        'root',
        'snapshot-pointer',
        'snapshot-data',
        'snapshot-manifest',
        'build-manifest',
        'feed-page',
      ];
      assert.equal(isHistoryKey(key), history.includes(parsed.kind), key);
      assert.equal(isHistoryKey(signatureKeyFor(key)), history.includes(parsed.kind), `${key}.sig`);
    }
    assert.equal(isHistoryKey('feed/not-a-day/0.json'), false);
  });

  it('isGraceKey: list pages, search result pages after the first, search shards and buckets', () => {
    const grace = ['list-first', 'list-after', 'search-after', 'search-terms', 'search-docs'];
    for (const [key, parsed] of builtKeys()) {
      assert.equal(isGraceKey(key), grace.includes(parsed.kind), key);
    }
  });
});
