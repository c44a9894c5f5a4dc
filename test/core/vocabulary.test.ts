import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, test } from 'node:test';
import { BUILD_KINDS, isBuildKind } from '../../core/builds.js';
import { ed25519KeyFromSeed, sha256Hex, verifyDetached } from '../../core/crypto.js';
import { addDays, dayOf, utcDay } from '../../core/days.js';
import { AppError, ConfigError, kindOfStatus, RegistryError } from '../../core/errors.js';
import { remoteUrlsOf } from '../../core/server-json.js';
import { becomesLatest, chooseLatest } from '../../core/versions.js';

const at = (iso: string) => new Date(iso);

describe('build vocabulary', () => {
  test('the kinds operators may ask for, and nothing else', () => {
    assert.deepEqual([...BUILD_KINDS], ['incremental', 'full', 'snapshot']);
    for (const kind of BUILD_KINDS) assert.ok(isBuildKind(kind));
    for (const other of ['Full', 'everything', '', undefined, 1, null]) assert.ok(!isBuildKind(other));
  });
});

describe('the latest rule', () => {
  const v = (version: string, publishedAt: string, status = 'active') => ({
    version,
    publishedAt: at(publishedAt),
    status,
  });
  test('chooseLatest: highest non-deleted; all deleted → the highest deleted', () => {
    const versions = [v('1.0.0', '2026-01-01T00:00:00Z'), v('2.0.0', '2026-01-02T00:00:00Z', 'deleted')];
    assert.equal(chooseLatest(versions)?.version, '1.0.0');
    assert.equal(chooseLatest([v('1.0.0', '2026-01-01T00:00:00Z', 'deprecated')])?.version, '1.0.0');
    assert.equal(chooseLatest(versions.map((x) => ({ ...x, status: 'deleted' })))?.version, '2.0.0');
    assert.equal(chooseLatest([]), undefined);
  });
  test('becomesLatest compares with the current latest at the time passed in', () => {
    const now = at('2026-06-01T00:00:00Z');
    assert.ok(becomesLatest('1.0.0', undefined, now), 'the first version');
    assert.ok(becomesLatest('0.1.0', v('9.0.0', '2026-01-01T00:00:00Z', 'deleted'), now), 'current deleted');
    assert.ok(becomesLatest('1.0.1', v('1.0.0', '2026-01-01T00:00:00Z'), now));
    assert.ok(
      !becomesLatest('1.0.0+b', v('1.0.0+a', '2026-01-01T00:00:00Z'), now),
      'a tie keeps the current',
    );
    // Neither is semver: the later publish wins, so the answer depends on `now`.
    const current = v('snapshot-a', '2026-03-01T00:00:00Z');
    assert.ok(becomesLatest('snapshot-b', current, now));
    assert.ok(!becomesLatest('snapshot-b', current, at('2026-02-01T00:00:00Z')));
  });
});

describe('remoteUrlsOf', () => {
  test('the URL of every remote that has one', () => {
    assert.deepEqual(
      remoteUrlsOf({
        remotes: [
          { type: 'sse', url: 'https://a.example/sse' },
          { type: 'x' },
          null,
          { url: 7 },
          { url: 'https://b' },
        ],
      }),
      ['https://a.example/sse', 'https://b'],
    );
    assert.deepEqual(remoteUrlsOf({}), []);
    assert.deepEqual(remoteUrlsOf({ remotes: 'nope' }), []);
  });
});

describe('UTC days', () => {
  test('utcDay is the UTC calendar day, whatever the local zone', () => {
    assert.equal(utcDay(at('2026-12-01T23:59:59.999Z')), '2026-12-01');
    assert.equal(utcDay(at('2026-12-02T00:30:00+01:00')), '2026-12-01');
    const early = new Date(0);
    early.setUTCFullYear(99, 0, 1);
    assert.equal(utcDay(early), '0099-01-01', 'two-digit years keep four digits');
  });
  test('addDays across months, leap days and years, both ways', () => {
    assert.equal(addDays('2024-02-28', 1), '2024-02-29');
    assert.equal(addDays('2025-02-28', 1), '2025-03-01');
    assert.equal(addDays('2025-12-31', 1), '2026-01-01');
    assert.equal(addDays('2026-01-01', -30), '2025-12-02');
    assert.equal(addDays('2026-03-10', 0), '2026-03-10');
    assert.throws(() => addDays('2026-3-10', 1), RangeError);
    assert.throws(() => addDays('2026-13-40', 1), RangeError);
  });
  test('dayOf honours the offset and refuses what RFC 3339 refuses', () => {
    assert.equal(dayOf('2025-10-02T01:30:00+02:00'), '2025-10-01');
    assert.equal(dayOf('2025-12-31T23:59:59-00:30'), '2026-01-01');
    assert.equal(dayOf('0099-06-01T00:00:00Z'), '0099-06-01');
    for (const bad of ['2025-02-29T00:00:00Z', '2025-10-02', '2025-10-02t00:00:00z', '2025-10-02T24:00:00Z'])
      assert.throws(() => dayOf(bad), RangeError, bad);
  });
});

describe('crypto', () => {
  test('sha256Hex', () => {
    assert.equal(
      sha256Hex(new TextEncoder().encode('abc')),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
  test('an Ed25519 key from a seed signs what verifyDetached accepts, and nothing else', () => {
    // RFC 8032 test vector 1: the seed's public key.
    const seed = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
    const { privateKey, publicKey } = ed25519KeyFromSeed(seed);
    const jwk = publicKey.export({ format: 'jwk' }) as { x: string };
    assert.equal(
      Buffer.from(jwk.x, 'base64url').toString('hex'),
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    );
    const data = new TextEncoder().encode('index.json bytes');
    const signature = sign(null, data, privateKey);
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    assert.ok(verifyDetached(pem, data, signature));
    assert.ok(verifyDetached(publicKey, data, signature));
    assert.ok(!verifyDetached(pem, new TextEncoder().encode('index.json byteS'), signature));
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();
    assert.ok(!verifyDetached(other, data, signature));
    assert.throws(() => ed25519KeyFromSeed(new Uint8Array(31)), RangeError);
  });
});

describe('errors', () => {
  test('every error carries a kind; a RegistryError its status too', () => {
    const e = new RegistryError(409, 'x');
    assert.ok(e instanceof AppError);
    assert.deepEqual([e.kind, e.status, e.name], ['conflict', 409, 'RegistryError']);
    assert.equal(new ConfigError(['A: b']).kind, 'usage');
    assert.deepEqual([400, 401, 403, 404, 409, 413, 422, 429, 500, 502, 503].map(kindOfStatus), [
      'invalid',
      'unauthorized',
      'forbidden',
      'not-found',
      'conflict',
      'invalid',
      'invalid',
      'unavailable',
      'internal',
      'internal',
      'unavailable',
    ]);
  });
});
