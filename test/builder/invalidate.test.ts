// test-tier: slow
/**
 * The CloudFront invalidator over the real CloudFront REST-XML API, against a loopback peer
 * (test/helpers/cloudfront-peer.ts), plus the pure path planning of builder/invalidate/paths.ts
 * (encoding, wildcard collapse).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import {
  type CdnInvalidator,
  type CloudFrontInvalidatorOptions,
  createCloudFrontInvalidator,
  InvalidationError,
} from '../../builder/invalidate/cloudfront.js';
import { planInvalidationPaths, toInvalidationPath } from '../../builder/invalidate/paths.js';
import { type CloudFrontPeer, startCloudFrontPeer } from '../helpers/cloudfront-peer.js';

const noSleep = async (): Promise<void> => {};
const isWildcard = (path: string): boolean => path.endsWith('*');

/** True when the submitted paths invalidate `/{key}` (exactly or by a prefix wildcard). */
function covers(paths: readonly string[], key: string): boolean {
  const target = toInvalidationPath(key);
  return paths.some((p) => p === target || (isWildcard(p) && target.startsWith(p.slice(0, -1))));
}

describe('CloudFront invalidator against a loopback CloudFront API', () => {
  let peer: CloudFrontPeer;
  const invalidators: CdnInvalidator[] = [];

  before(async () => {
    peer = await startCloudFrontPeer({ distributionId: 'E1EXAMPLE23' });
  });
  afterEach(() => peer.reset());
  after(async () => {
    for (const invalidator of invalidators) invalidator.close();
    await peer?.close();
  });

  function invalidatorFor(overrides: Partial<CloudFrontInvalidatorOptions> = {}): CdnInvalidator {
    const invalidator = createCloudFrontInvalidator({
      distributionId: peer.distributionId,
      endpoint: peer.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      sleep: noSleep,
      ...overrides,
    });
    invalidators.push(invalidator);
    return invalidator;
  }

  test('submits /{key} for each key, deduplicated and sorted, in one request', async () => {
    const keys = [
      'servers/io.github.a/b/index.json',
      'index.json',
      'servers/io.github.a/b/latest.json',
      'index.json',
      'lists/live/first.json',
      // A version with build metadata: its `~2B` escape goes out as %7E2B (a literal `~` is refused).
      'servers/io.github.a/b/v/1.0.0~2Bbuild.5.json',
    ];
    const result = await invalidatorFor().invalidate(keys);
    const expected = [
      '/index.json',
      '/lists/live/first.json',
      '/servers/io.github.a/b/index.json',
      '/servers/io.github.a/b/latest.json',
      '/servers/io.github.a/b/v/1.0.0%7E2Bbuild.5.json',
    ];
    assert.deepEqual(result.paths, expected);
    assert.equal(result.collapsed, false);
    assert.equal(peer.requests.length, 1);
    assert.equal(peer.requests[0]?.url, `/2020-05-31/distribution/${peer.distributionId}/invalidation`);
    assert.equal(peer.requests[0]?.outcome, 201);
    assert.deepEqual(peer.requests[0]?.batch?.paths, expected);
    assert.equal(peer.requests[0]?.batch?.quantity, expected.length);
    assert.deepEqual(
      result.invalidationIds,
      peer.invalidations.map((i) => i.id),
    );
  });

  test('the created invalidation can be read back with GetInvalidation at its Location', async () => {
    const result = await invalidatorFor().invalidate(['index.json']);
    const id = result.invalidationIds[0];
    const response = await fetch(
      `${peer.endpoint}/2020-05-31/distribution/${peer.distributionId}/invalidation/${id}`,
    );
    assert.equal(response.status, 200);
    const xml = await response.text();
    assert.match(xml, new RegExp(`<Id>${id}</Id><Status>Completed</Status>`));
    assert.match(xml, /<Quantity>1<\/Quantity><Items><Path>\/index\.json<\/Path><\/Items>/);
  });

  test('no keys: no request', async () => {
    const result = await invalidatorFor().invalidate([]);
    assert.deepEqual(result, { invalidationIds: [], paths: [], collapsed: false });
    assert.equal(peer.requests.length, 0);
  });

  test('an invalid key throws before any request', async () => {
    await assert.rejects(invalidatorFor().invalidate(['index.json', '/abs']), /invalid object key/);
    await assert.rejects(invalidatorFor().invalidate(['a/../b']), /invalid object key/);
    assert.equal(peer.requests.length, 0);
  });

  test('batches at maxPathsPerRequest, in sorted order, one invalidation per batch', async () => {
    const keys = Array.from({ length: 8 }, (_, i) => `feed/2026-01-0${8 - i}/0.json`);
    const result = await invalidatorFor({ maxPathsPerRequest: 3, wildcardThreshold: 100 }).invalidate(keys);
    const sizes = peer.requests.map((r) => r.batch?.paths.length);
    assert.deepEqual(sizes, [3, 3, 2]);
    const sent = peer.requests.flatMap((r) => r.batch?.paths ?? []);
    assert.deepEqual(sent, [...sent].sort(), 'batches follow the sorted order');
    assert.deepEqual(sent, result.paths);
    assert.equal(new Set(sent).size, 8);
    assert.equal(result.invalidationIds.length, 3);
    assert.equal(new Set(result.invalidationIds).size, 3);
    assert.equal(result.collapsed, false);
  });

  test('exactly maxPathsPerRequest paths fit in one request', async () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `servers/io.x/s${i}/index.json`);
    const result = await invalidatorFor().invalidate(keys);
    assert.equal(result.collapsed, false);
    assert.deepEqual(
      peer.requests.map((r) => r.batch?.paths.length),
      [1000],
    );
  });

  test('above the threshold, keys collapse into prefix wildcards that cover them all', async () => {
    const keys = [
      ...Array.from({ length: 40 }, (_, i) => `servers/io.github.n${i}/s/index.json`),
      'lists/live/first.json',
      'lists/all/first.json',
      'index.json',
      'snapshots/latest.json',
    ];
    const result = await invalidatorFor({ wildcardThreshold: 10, maxWildcardPaths: 3 }).invalidate(keys);
    assert.equal(result.collapsed, true);
    assert.deepEqual(result.paths, [
      '/index.json',
      '/lists/all/first.json',
      '/lists/live/first.json',
      '/servers/*',
      '/snapshots/latest.json',
    ]);
    for (const key of keys) assert.ok(covers(result.paths, key), key);
    assert.equal(peer.requests.length, 1);
    assert.deepEqual(peer.requests[0]?.batch?.paths, result.paths);
  });

  test('collapses to /* when not even the top-level directories fit', async () => {
    const keys = ['index.json', 'index.json.sig', 'servers/a/b/index.json', 'feed/2026-01-01/0.json'];
    const result = await invalidatorFor({ wildcardThreshold: 3 }).invalidate(keys);
    assert.deepEqual(result.paths, ['/*']);
    assert.equal(result.collapsed, true);
    assert.deepEqual(peer.requests[0]?.batch?.paths, ['/*']);
  });

  test('every request has its own CallerReference: prefix, time, batch index, random', async () => {
    const invalidator = invalidatorFor({ maxPathsPerRequest: 2, callerReferencePrefix: 'registry-test' });
    const keys = ['a.json', 'b.json', 'c.json', 'd.json', 'e.json'];
    await invalidator.invalidate(keys);
    await invalidator.invalidate(keys); // the same keys again: new requests, new references
    const references = peer.requests.map((r) => r.batch?.callerReference ?? '');
    assert.equal(references.length, 6);
    assert.equal(new Set(references).size, 6);
    for (const [i, reference] of references.entries()) {
      assert.match(reference, new RegExp(`^registry-test-\\d{13}-${i % 3}-[0-9a-f]{12}$`));
    }
    assert.equal(peer.invalidations.length, 6, 'CloudFront created six invalidations');
  });

  test('503, TooManyInvalidationsInProgress, a reset connection: retried, then success', async () => {
    const delays: number[] = [];
    peer.failNext(1, { status: 503, code: 'ServiceUnavailable' });
    peer.failNext(1, {
      status: 400,
      code: 'TooManyInvalidationsInProgress',
      message:
        'Processing your request will cause you to exceed the maximum number of in-progress invalidations.',
    });
    peer.failNext(1, 'drop');
    peer.failNext(1, { status: 400, code: 'Throttling', message: 'Rate exceeded' });
    const invalidator = invalidatorFor({
      maxAttempts: 5,
      baseDelayMs: 100,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    const result = await invalidator.invalidate(['index.json']);
    assert.deepEqual(
      peer.requests.map((r) => r.outcome),
      [503, 400, 'dropped', 400, 201],
    );
    assert.equal(result.invalidationIds.length, 1);
    assert.equal(peer.invalidations.length, 1);
    const references = new Set(peer.requests.map((r) => r.batch?.callerReference));
    assert.equal(references.size, 1, 'every attempt of a request sends the same CallerReference');
    // Full jitter: attempt n waits in [0, base * 2^(n-1)).
    assert.equal(delays.length, 4);
    for (const [i, ms] of delays.entries()) assert.ok(ms >= 0 && ms < 100 * 2 ** i, `${i}: ${ms}`);
  });

  test('a lost response is retried without creating a second invalidation', async () => {
    peer.failNext(1, 'lose-response');
    const result = await invalidatorFor().invalidate(['index.json', 'lists/live/first.json']);
    assert.deepEqual(
      peer.requests.map((r) => r.outcome),
      ['dropped', 201],
    );
    assert.equal(peer.invalidations.length, 1, 'the retry got the first invalidation back');
    assert.deepEqual(result.invalidationIds, [peer.invalidations[0]?.id]);
  });

  test('403 AccessDenied: one attempt, an InvalidationError that says what failed', async () => {
    peer.failNext(1, { status: 403, code: 'AccessDenied', message: 'User is not authorized' });
    const keys = ['index.json', 'lists/live/first.json', 'snapshots/latest.json'];
    await assert.rejects(invalidatorFor().invalidate(keys), (e: unknown) => {
      assert.ok(e instanceof InvalidationError);
      assert.equal(e.code, 'AccessDenied');
      assert.equal(e.status, 403);
      assert.equal(e.retryable, false);
      assert.equal(e.attempts, 1);
      assert.equal(e.distributionId, peer.distributionId);
      assert.equal(e.pathCount, 3);
      assert.deepEqual(e.unsubmittedPaths, keys.map((k) => `/${k}`).sort());
      assert.deepEqual(e.invalidationIds, []);
      assert.equal(
        e.message,
        `CloudFront invalidation of 3 paths on distribution ${peer.distributionId} failed: ` +
          'AccessDenied (HTTP 403): User is not authorized (not retryable)',
      );
      return true;
    });
    assert.equal(peer.requests.length, 1);
  });

  test('NoSuchDistribution and InvalidArgument are not retried either', async () => {
    const wrong = invalidatorFor({ distributionId: 'E0NOTHERE' });
    await assert.rejects(wrong.invalidate(['index.json']), (e: unknown) => {
      assert.ok(e instanceof InvalidationError);
      assert.equal(e.code, 'NoSuchDistribution');
      assert.equal(e.status, 404);
      assert.match(e.message, /distribution E0NOTHERE failed: NoSuchDistribution/);
      return true;
    });
    peer.failNext(1, { status: 400, code: 'InvalidArgument', message: 'invalid invalidation paths' });
    await assert.rejects(invalidatorFor().invalidate(['index.json']), { code: 'InvalidArgument' });
    assert.equal(peer.requests.length, 2);
  });

  test('always 500: gives up after maxAttempts with a retryable InvalidationError', async () => {
    peer.failNext(10, { status: 500, code: 'InternalError', message: 'We encountered an internal error.' });
    await assert.rejects(invalidatorFor({ maxAttempts: 4 }).invalidate(['index.json']), (e: unknown) => {
      assert.ok(e instanceof InvalidationError);
      assert.equal(e.retryable, true);
      assert.equal(e.attempts, 4);
      assert.equal(e.code, 'InternalError');
      assert.match(
        e.message,
        /of 1 paths on distribution E1EXAMPLE23 failed: InternalError \(HTTP 500\): .*gave up after 4 attempts; retry later/,
      );
      return true;
    });
    assert.equal(peer.requests.length, 4);
  });

  test('dropped connections until the end: the network error code is reported', async () => {
    peer.failNext(3, 'drop');
    await assert.rejects(invalidatorFor({ maxAttempts: 3 }).invalidate(['index.json']), (e: unknown) => {
      assert.ok(e instanceof InvalidationError);
      assert.equal(e.code, 'ECONNRESET');
      assert.equal(e.status, undefined);
      assert.equal(e.retryable, true);
      return true;
    });
    assert.equal(peer.requests.length, 3);
  });

  test('a failed batch reports the invalidations already created and the paths still to do', async () => {
    peer.failNext(1, { status: 403, code: 'AccessDenied' }, { after: 1 });
    const keys = ['a.json', 'b.json', 'c.json', 'd.json', 'e.json'];
    await assert.rejects(invalidatorFor({ maxPathsPerRequest: 2 }).invalidate(keys), (e: unknown) => {
      assert.ok(e instanceof InvalidationError);
      assert.equal(e.pathCount, 2);
      assert.deepEqual(e.invalidationIds, [peer.invalidations[0]?.id]);
      assert.deepEqual(e.unsubmittedPaths, ['/c.json', '/d.json', '/e.json']);
      assert.match(e.message, /1 earlier request\(s\) of this call succeeded/);
      return true;
    });
    assert.deepEqual(
      peer.requests.map((r) => r.outcome),
      [201, 403],
      'the third batch is not sent',
    );
  });

  test('options outside CloudFront quotas are refused at creation', () => {
    const base = { distributionId: 'E1EXAMPLE23', endpoint: peer.endpoint };
    assert.throws(
      () => createCloudFrontInvalidator({ ...base, maxPathsPerRequest: 3001 }),
      /maxPathsPerRequest/,
    );
    assert.throws(() => createCloudFrontInvalidator({ ...base, wildcardThreshold: 0 }), /wildcardThreshold/);
    assert.throws(() => createCloudFrontInvalidator({ ...base, maxWildcardPaths: 16 }), /maxWildcardPaths/);
    assert.throws(() => createCloudFrontInvalidator({ ...base, maxAttempts: 0 }), /maxAttempts/);
    assert.throws(
      () => createCloudFrontInvalidator({ ...base, callerReferencePrefix: 'a b' }),
      /callerReference/,
    );
    assert.throws(() => createCloudFrontInvalidator({ ...base, distributionId: '' }), /distributionId/);
  });
});

describe('invalidation paths', () => {
  test('a key becomes /{key}; only non-ASCII and RFC 1738 unsafe characters are encoded', () => {
    assert.equal(
      toInvalidationPath('servers/io.github.a/b-c_d/index.json'),
      '/servers/io.github.a/b-c_d/index.json',
    );
    assert.equal(toInvalidationPath('v/1.0.0~2Bb~~0123.json'), '/v/1.0.0%7E2Bb%7E%7E0123.json');
    assert.equal(toInvalidationPath('a b/é?#%.json'), '/a%20b/%C3%A9%3F%23%25.json');
    assert.equal(toInvalidationPath("x/!$&'()+,;=:@.json"), "/x/!$&'()+,;=:@.json");
    assert.equal(toInvalidationPath('x/"<>[]^`{|}'), '/x/%22%3C%3E%5B%5D%5E%60%7B%7C%7D');
  });

  test('a key with a `*` becomes the wildcard that stops at it (a `*` may only end a path)', () => {
    assert.equal(toInvalidationPath('a/b*c.json'), '/a/b*');
    assert.equal(toInvalidationPath('a*/b.json'), '/a*');
  });

  test('a path over 4,000 characters becomes a wildcard of its first 3,999, never splitting an escape', () => {
    const long = Array.from({ length: 20 }, () => 'x'.repeat(250)).join('/');
    const path = toInvalidationPath(long);
    assert.equal(path.length, 4000);
    assert.ok(path.endsWith('*') && `/${long}`.startsWith(path.slice(0, -1)));
    const tildes = Array.from({ length: 20 }, () => '~'.repeat(80)).join('/');
    const escaped = toInvalidationPath(tildes);
    assert.ok(escaped.length <= 4000);
    assert.match(escaped, /(%7E|\/)\*$/);
  });

  test('within budget: exact paths, deduplicated and sorted', () => {
    const plan = planInvalidationPaths(['b.json', 'a.json', 'b.json'], { maxPaths: 2, maxWildcards: 1 });
    assert.deepEqual(plan, { paths: ['/a.json', '/b.json'], collapsed: false });
  });

  test('collapse refines the directories with the fewest changed keys first', () => {
    const keys = [
      ...Array.from({ length: 5 }, (_, i) => `servers/big/s${i}/index.json`),
      'servers/small/s/index.json',
      'feed/2026-01-01/0.json',
      'feed/2026-01-01/1.json',
    ];
    // 3 paths, 2 wildcards: / → /feed/*, /servers/*; /feed/* (2 keys) before /servers/* (6 keys) →
    // /feed/2026-01-01/* → its two pages; /servers/* → /servers/big/*, /servers/small/* is a fourth path.
    assert.deepEqual(planInvalidationPaths(keys, { maxPaths: 3, maxWildcards: 2 }), {
      paths: ['/feed/2026-01-01/0.json', '/feed/2026-01-01/1.json', '/servers/*'],
      collapsed: true,
    });
    // One path more: /servers/* splits; /servers/small/* (1 key) refines down to its key; the five
    // directories under /servers/big/* would not fit.
    assert.deepEqual(planInvalidationPaths(keys, { maxPaths: 4, maxWildcards: 2 }).paths, [
      '/feed/2026-01-01/0.json',
      '/feed/2026-01-01/1.json',
      '/servers/big/*',
      '/servers/small/s/index.json',
    ]);
    // Refining the biggest directory first would have spent the wildcard budget on /servers/big/* and
    // /servers/small/* and left /feed/* whole.
  });

  test('too many wildcards alone (keys with `*`) also collapse', () => {
    const keys = ['a/x*1', 'a/y*2', 'b/z*3'];
    const plan = planInvalidationPaths(keys, { maxPaths: 10, maxWildcards: 2 });
    assert.equal(plan.collapsed, true);
    assert.ok(plan.paths.filter(isWildcard).length <= 2);
    for (const key of keys) assert.ok(covers(plan.paths, key), key);
  });

  test('random trees: the plan always covers every key and respects both budgets', () => {
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const count = 1 + random(300);
      const keys = Array.from({ length: count }, () => {
        const depth = 1 + random(4);
        return Array.from({ length: depth }, (_, d) => `${'abcdef'[random(d === 0 ? 3 : 6)]}${random(5)}`)
          .join('/')
          .concat('.json');
      });
      const budget = { maxPaths: 1 + random(60), maxWildcards: 1 + random(15) };
      const plan = planInvalidationPaths(keys, budget);
      assert.ok(plan.paths.length <= budget.maxPaths, `round ${round}: ${plan.paths.length} paths`);
      assert.ok(plan.paths.filter(isWildcard).length <= budget.maxWildcards, `round ${round}: wildcards`);
      assert.deepEqual(plan.paths, [...new Set(plan.paths)].sort(), `round ${round}: sorted, distinct`);
      for (const key of keys) assert.ok(covers(plan.paths, key), `round ${round}: ${key} not covered`);
    }
  });
});
