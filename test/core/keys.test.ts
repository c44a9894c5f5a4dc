import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { dayOf } from '../../core/days.js';
import { KEY_PATTERN } from '../../core/layout/key-shapes.js';
import {
  buildManifestKey,
  encodeVersionSegment,
  FEED_EPOCH_DAY,
  feedCursor,
  feedPageKey,
  feedStartDay,
  listCursor,
  listFirstPageKey,
  listPageAfterKey,
  NOT_FOUND_KEY,
  PUBLIC_KEY_JWK_KEY,
  PUBLIC_KEY_PEM_KEY,
  ROOT_KEY,
  SNAPSHOT_POINTER_KEY,
  serverLatestKey,
  serverPrefix,
  serverVersionKey,
  serverVersionsKey,
  signatureKeyFor,
  snapshotKeys,
} from '../../core/layout/keys.js';
import { LIST_VIEWS, listViewFor } from '../../core/layout/views.js';

const NAME = 'io.github.alice/weather';
const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('encodeVersionSegment', () => {
  it('keeps [A-Za-z0-9._-] and writes every other UTF-8 byte as ~XX', () => {
    const cases: [string, string][] = [
      ['1.0.0', '1.0.0'],
      ['v2.1.0-beta_3', 'v2.1.0-beta_3'],
      ['1.0.0+20130313144700', '1.0.0~2B20130313144700'],
      ['1.0 beta', '1.0~20beta'],
      ['~1', '~7E1'],
      ['1/2', '1~2F2'],
      ['100%', '100~25'],
      ['é', '~C3~A9'],
      ['🚀', '~F0~9F~9A~80'],
      ['a\u0000b', 'a~00b'],
      ["!'()*", '~21~27~28~29~2A'],
      ['A:b', 'A~3Ab'],
    ];
    for (const [version, segment] of cases) assert.equal(encodeVersionSegment(version), segment, version);
  });

  it('escapes segments that would be only dots, and only those', () => {
    assert.equal(encodeVersionSegment('.'), '~2E');
    assert.equal(encodeVersionSegment('..'), '~2E~2E');
    assert.equal(encodeVersionSegment('...'), '~2E~2E~2E');
    assert.equal(encodeVersionSegment('..a'), '..a');
    assert.equal(encodeVersionSegment('.1'), '.1');
  });

  it('shortens segments over 200 characters to 120 + ~~ + 32 hex of sha256(version)', () => {
    const long = 'a'.repeat(255);
    const segment = encodeVersionSegment(long);
    assert.equal(segment, `${'a'.repeat(120)}~~${sha(long).slice(0, 32)}`);
    assert.equal(encodeVersionSegment('a'.repeat(200)), 'a'.repeat(200), 'exactly 200 is kept');
    assert.equal(encodeVersionSegment('a'.repeat(201)).length, 154);
  });

  it('never cuts an escape in two', () => {
    for (let lead = 110; lead <= 125; lead += 1) {
      const version = `${'a'.repeat(lead)}${'+'.repeat(40)}`;
      const segment = encodeVersionSegment(version);
      const prefix = segment.slice(0, segment.indexOf('~~'));
      assert.match(prefix, /^(?:[A-Za-z0-9._-]|~[0-9A-F]{2})*$/, `lead ${lead}`);
      assert.ok(prefix.length >= 118 && prefix.length <= 120, `lead ${lead}: ${prefix.length}`);
      assert.ok(segment.endsWith(sha(version).slice(0, 32)));
    }
  });

  it('is injective on distinct versions, including ones sharing a long prefix', () => {
    const versions = [
      '1.0.0+a',
      '1.0.0 a',
      '1.0.0~2Ba',
      '1.0.0~a',
      `${'x'.repeat(300)}1`,
      `${'x'.repeat(300)}2`,
    ];
    assert.equal(new Set(versions.map(encodeVersionSegment)).size, versions.length);
  });

  it('refuses the empty version and unpaired surrogates', () => {
    assert.throws(() => encodeVersionSegment(''), RangeError);
    assert.throws(() => encodeVersionSegment('1.0\uD800'), RangeError);
    assert.throws(() => encodeVersionSegment('\uDC001.0'), RangeError);
  });
});

describe('keys of the static tree', () => {
  it('builds the per-server keys', () => {
    assert.equal(serverPrefix(NAME), 'servers/io.github.alice/weather/');
    assert.equal(serverVersionsKey(NAME, false), 'servers/io.github.alice/weather/index.json');
    assert.equal(serverVersionsKey(NAME, true), 'servers/io.github.alice/weather/index.all.json');
    assert.equal(serverLatestKey(NAME, false), 'servers/io.github.alice/weather/latest.json');
    assert.equal(serverLatestKey(NAME, true), 'servers/io.github.alice/weather/latest.all.json');
    assert.equal(
      serverVersionKey(NAME, '1.0.0+b1', false),
      'servers/io.github.alice/weather/v/1.0.0~2Bb1.json',
    );
    assert.equal(serverVersionKey(NAME, '1.0.0', true), 'servers/io.github.alice/weather/va/1.0.0.json');
  });

  it('builds list keys and cursors for every view', () => {
    assert.deepEqual(LIST_VIEWS, ['live', 'all', 'latest', 'latest.all']);
    assert.equal(listViewFor({ latestOnly: false, includeDeleted: false }), 'live');
    assert.equal(listViewFor({ latestOnly: false, includeDeleted: true }), 'all');
    assert.equal(listViewFor({ latestOnly: true, includeDeleted: false }), 'latest');
    assert.equal(listViewFor({ latestOnly: true, includeDeleted: true }), 'latest.all');
    assert.equal(listFirstPageKey('latest.all', 25), 'lists/latest.all/25/first.json');
    assert.equal(
      listPageAfterKey('live', 10, NAME, '2.0.0+x'),
      'lists/live/10/after/io.github.alice/weather/2.0.0~2Bx.json',
    );
    assert.equal(listCursor(NAME, '1.0.0:rc'), 'io.github.alice/weather:1.0.0:rc');
  });

  it('builds feed keys and cursors', () => {
    assert.equal(FEED_EPOCH_DAY, '2025-09-01');
    assert.equal(feedPageKey('2025-10-02', 0), 'feed/2025-10-02/0.json');
    assert.equal(feedPageKey('2025-10-02', 12), 'feed/2025-10-02/12.json');
    assert.equal(feedCursor('2025-10-02', 3), 'feed:2025-10-02:3');
    assert.throws(() => feedPageKey('2025-10-2', 0), RangeError);
    assert.throws(() => feedPageKey('2025-10-02', -1), RangeError);
    assert.throws(() => feedPageKey('2025-10-02', 1.5), RangeError);
    assert.throws(() => feedCursor('../x', 0), RangeError);
  });

  it('names the root, snapshot, manifest and key objects', () => {
    assert.equal(ROOT_KEY, 'index.json');
    assert.equal(SNAPSHOT_POINTER_KEY, 'snapshots/latest.json');
    assert.deepEqual(snapshotKeys('2025-10-02'), {
      data: 'snapshots/2025-10-02/servers.json.gz',
      manifest: 'snapshots/2025-10-02/manifest.json',
      signature: 'snapshots/2025-10-02/manifest.json.sig',
    });
    assert.equal(buildManifestKey(42), 'manifest/42.json');
    assert.throws(() => buildManifestKey(0), RangeError);
    assert.throws(() => buildManifestKey(1.5), RangeError);
    assert.match(buildManifestKey(7), KEY_PATTERN);
    assert.equal(PUBLIC_KEY_PEM_KEY, 'keys/site-signing-key.pem');
    assert.equal(PUBLIC_KEY_JWK_KEY, 'keys/site-signing-key.jwk.json');
    assert.equal(NOT_FOUND_KEY, 'errors/not-found.json');
    assert.equal(signatureKeyFor(ROOT_KEY), 'index.json.sig');
  });

  it('refuses invalid names instead of building keys outside the tree', () => {
    for (const name of ['../etc', 'a/b/c', 'io.github.alice', 'io.github.alice/..', 'x/%2e%2e', '']) {
      assert.throws(() => serverVersionsKey(name, false), RangeError, name);
      assert.throws(() => listPageAfterKey('live', 25, name, '1.0.0'), RangeError, name);
    }
  });

  it('KEY_PATTERN accepts every key built here and rejects look-alikes', () => {
    const versions = ['1.0.0', '1.0.0+x', '..', '.json', '..json', 'a/b', '€', 'x'.repeat(255)];
    const built = [
      ROOT_KEY,
      signatureKeyFor(ROOT_KEY),
      SNAPSHOT_POINTER_KEY,
      signatureKeyFor(SNAPSHOT_POINTER_KEY),
      ...Object.values(snapshotKeys('2025-10-02')),
      buildManifestKey(1),
      PUBLIC_KEY_PEM_KEY,
      PUBLIC_KEY_JWK_KEY,
      NOT_FOUND_KEY,
      serverVersionsKey(NAME, false),
      serverVersionsKey(NAME, true),
      serverLatestKey(NAME, false),
      serverLatestKey(NAME, true),
      ...LIST_VIEWS.map((view) => listFirstPageKey(view, 60)),
      feedPageKey('2025-09-01', 0),
      feedPageKey('2025-09-01', 41),
      ...versions.flatMap((v) => [
        serverVersionKey(NAME, v, false),
        serverVersionKey(NAME, v, true),
        ...LIST_VIEWS.map((view) => listPageAfterKey(view, 10, NAME, v)),
      ]),
    ];
    for (const key of built) assert.match(key, KEY_PATTERN);
    for (const key of [
      '/index.json',
      'servers/io.github.alice/weather/v/...json',
      'servers/io.github.alice/weather/v/1.0.0+x.json',
      'servers/io.github.alice/../v/1.json',
      'servers/io.github.alice/weather/x/1.json',
      'lists/every/first.json',
      'feed/2025-09-01/01.json',
      'snapshots/latest.json.gz',
      'index.json.sig.sig',
    ]) {
      assert.doesNotMatch(key, KEY_PATTERN, key);
    }
  });
});

describe('dayOf and feedStartDay', () => {
  it('gives the UTC day, honouring offsets and fractions', () => {
    assert.equal(dayOf('2025-10-02T13:15:04.280Z'), '2025-10-02');
    assert.equal(dayOf('2025-10-02T13:15:04.123456789Z'), '2025-10-02');
    assert.equal(dayOf('2025-10-02T01:30:00+02:00'), '2025-10-01');
    assert.equal(dayOf('2025-10-02T22:30:00-02:00'), '2025-10-03');
    assert.equal(dayOf('2025-12-31T23:59:59-00:30'), '2026-01-01');
    assert.equal(dayOf('2024-02-29T00:00:00Z'), '2024-02-29');
    assert.equal(dayOf('0099-06-01T00:00:00Z'), '0099-06-01', 'two-digit years are not read as 19xx');
    assert.equal(dayOf(new Date(Date.UTC(2025, 8, 30, 23, 59)).toISOString()), '2025-09-30');
  });

  it('refuses what RFC 3339 parsing refuses', () => {
    for (const bad of [
      '2025-10-02',
      '2025-10-02T13:15:04',
      '2025-10-02t13:15:04Z',
      '2025-10-02 13:15:04Z',
      '2025-13-01T00:00:00Z',
      '2025-02-29T00:00:00Z',
      '2025-04-31T00:00:00Z',
      '2025-10-02T24:00:00Z',
      '2025-10-02T00:60:00Z',
      '2025-10-02T00:00:60Z',
      '2025-10-02T00:00:00+24:00',
      '2025-10-02T00:00:00+0200',
      '2025-10-02T00:00:00.Z',
    ]) {
      assert.throws(() => dayOf(bad), RangeError, bad);
    }
  });

  it('starts the feed at the epoch for earlier timestamps', () => {
    assert.equal(feedStartDay('2024-01-01T00:00:00Z'), FEED_EPOCH_DAY);
    assert.equal(feedStartDay('2025-09-01T00:30:00+01:00'), FEED_EPOCH_DAY);
    assert.equal(feedStartDay('2025-09-02T00:00:00Z'), FEED_EPOCH_DAY);
    // 7-day segments from the epoch (a Monday): the 8th is the second segment's first day.
    assert.equal(feedStartDay('2025-09-07T23:59:59Z'), FEED_EPOCH_DAY);
    assert.equal(feedStartDay('2025-09-08T00:00:00Z'), '2025-09-08');
    assert.equal(feedStartDay('2026-12-04T12:00:00-13:00'), '2026-11-30');
    assert.equal(feedStartDay('2026-12-07T00:00:00Z'), '2026-12-07');
  });
});
