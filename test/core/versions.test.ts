import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareVersions, isRangeLike, isSemver, pickLatest } from '../../core/versions.js';

const day = (n: number) => new Date(Date.UTC(2026, 0, n));

describe('isRangeLike', () => {
  it('rejects every range form', () => {
    for (const v of [
      '^1.2.3',
      '~1.2',
      '~1.2.3',
      '>=1.0.0',
      '<=1.0.0',
      '>1',
      '<2.0.0',
      '=1.0.0',
      '>= v1.2.3-beta.1',
      '1.2.3 - 2.0.0',
      '1.2 || 1.3',
      '1 || 2 || 3',
      '1.x',
      '1.X',
      '1.2.*',
      'x.x',
      '*.1',
    ]) {
      assert.equal(isRangeLike(v), true, v);
    }
  });

  it('accepts specific versions, including non-semver ones', () => {
    for (const v of [
      '1.2.3',
      'v1.2.3',
      '1.0.0-beta.1',
      '2025.06.18',
      '1.2',
      '1',
      '0.0.1-seed',
      'abc',
      '',
      '1.2.3.4',
    ]) {
      assert.equal(isRangeLike(v), false, v);
    }
  });
});

describe('isSemver', () => {
  it('accepts strict three-part semver with optional v, prerelease and build', () => {
    for (const v of [
      '1.2.3',
      'v1.2.3',
      '0.0.0',
      '1.0.0-alpha.1',
      '1.0.0+build.5',
      '1.0.0-rc.1+exp',
      '2025.11.25',
    ]) {
      assert.equal(isSemver(v), true, v);
    }
  });

  it('rejects leading zeros, other part counts, prefixes and whitespace', () => {
    for (const v of [
      '2025.06.18',
      '01.2.3',
      '1.2',
      '1',
      '1.2.3.4',
      'vv1.2.3',
      '=1.2.3',
      ' 1.2.3',
      '1.2.3 ',
      'V1.2.3',
      '1.0.0-01',
      'latest',
      '',
    ]) {
      assert.equal(isSemver(v), false, v);
    }
  });
});

describe('compareVersions', () => {
  it('orders two semver versions by precedence, whatever their dates', () => {
    assert.ok(compareVersions('2.0.0', '1.9.9', day(1), day(2)) > 0);
    assert.ok(compareVersions('1.0.10', '1.0.9', day(1), day(1)) > 0);
    assert.ok(compareVersions('v1.2.3', '1.2.4', day(9), day(1)) < 0);
    assert.equal(compareVersions('1.0.0+a', '1.0.0+b', day(1), day(2)), 0);
  });

  it('orders prereleases below their release and among themselves', () => {
    assert.ok(compareVersions('1.2.3-1', '1.2.3', day(2), day(1)) < 0);
    assert.ok(compareVersions('1.0.0-alpha', '1.0.0-alpha.1', day(1), day(1)) < 0);
    assert.ok(compareVersions('1.0.0-alpha.beta', '1.0.0-beta', day(1), day(1)) < 0);
    assert.ok(compareVersions('1.0.0-beta.2', '1.0.0-beta.11', day(1), day(1)) < 0);
    assert.ok(compareVersions('1.0.0-rc.1', '1.0.0-beta.11', day(1), day(1)) > 0);
  });

  it('lets the semver one win in the mixed case', () => {
    assert.ok(compareVersions('1.0.0', '2025.06.18', day(1), day(9)) > 0);
    assert.ok(compareVersions('snapshot', '0.0.1', day(9), day(1)) < 0);
  });

  it('lets the later publishedAt win when neither is semver', () => {
    assert.ok(compareVersions('2025.06.18', '2025.06.17', day(1), day(2)) < 0);
    assert.ok(compareVersions('beta', 'alpha', day(3), day(2)) > 0);
    assert.equal(compareVersions('a', 'b', day(3), day(3)), 0);
  });
});

describe('pickLatest', () => {
  it('returns undefined for no candidates', () => {
    assert.equal(pickLatest([]), undefined);
  });

  it('picks the highest semver; 1.0.1 published after 2.0.0 does not take over', () => {
    const got = pickLatest([
      { version: '1.0.0', publishedAt: day(1) },
      { version: '2.0.0', publishedAt: day(2) },
      { version: '1.0.1', publishedAt: day(3) },
    ]);
    assert.equal(got?.version, '2.0.0');
  });

  it('prefers any semver version over non-semver ones', () => {
    const got = pickLatest([
      { version: 'nightly', publishedAt: day(5) },
      { version: '0.1.0', publishedAt: day(1) },
    ]);
    assert.equal(got?.version, '0.1.0');
  });

  it('picks the latest-published among non-semver versions', () => {
    const got = pickLatest([
      { version: '2025.06.18', publishedAt: day(2) },
      { version: '2025.06.01', publishedAt: day(4) },
      { version: 'r3', publishedAt: day(3) },
    ]);
    assert.equal(got?.version, '2025.06.01');
  });

  it('keeps the earlier-published one on a semver tie, and keeps extra fields', () => {
    const got = pickLatest([
      { version: '1.0.0+b', publishedAt: day(2), id: 'second' },
      { version: '1.0.0+a', publishedAt: day(1), id: 'first' },
    ]);
    assert.equal(got?.id, 'first');
  });
});
