import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it, mock } from 'node:test';
import { isEdgeResponse, loadEdgeHandler, readEdgeSource, toEdgeEvent } from '../../cdn/edge/load.js';
import {
  FEED_EPOCH_DAY,
  feedPageKey,
  feedStartDay,
  listFirstPageKey,
  listPageAfterKey,
  serverLatestKey,
  serverVersionKey,
  serverVersionsKey,
} from '../../core/layout/keys.js';
import { pageFamilyFor } from '../../core/layout/pages.js';
import { LIST_VIEWS, type ListView } from '../../core/layout/views.js';
import { deployedEdgeSource, EDGE_CODE_LIMIT_BYTES } from '../../infra/cdk/edge-code.js';
import { keyOf, problemOf, runEdge } from '../helpers/edge.js';

const handler = loadEdgeHandler();
const NAME = 'io.github.alice/weather';
const ENCODED = 'io.github.alice%2Fweather';
const APIS = ['/v0', '/v0.1'] as const;
// "Today" for the feed rules; Date.now is replaced while the tests run.
const NOW = Date.UTC(2025, 9, 15, 12, 0, 0);

const run = runEdge;

before(() => {
  mock.method(Date, 'now', () => NOW);
});
after(() => mock.restoreAll());

describe('edge function source', () => {
  const source = readEdgeSource();

  it('fits the CloudFront Functions size limit as deployed (comments and indentation removed)', () => {
    const size = Buffer.byteLength(deployedEdgeSource(source));
    assert.ok(size <= EDGE_CODE_LIMIT_BYTES, `${size} bytes`);
  });

  it('is a plain script: no modules, no async', () => {
    assert.doesNotMatch(source, /\bimport\b/);
    assert.doesNotMatch(source, /\bexport\b/);
    assert.doesNotMatch(source, /\basync\b/);
    assert.doesNotMatch(source, /\bawait\b/);
    assert.doesNotMatch(source, /URLSearchParams|TextEncoder/);
    // Newer syntax than the runtime promises: trailing commas in calls (ES2017), `??` and `?.` (ES2020).
    assert.doesNotMatch(source, /,\s*\)/);
    assert.doesNotMatch(source, /\?\?|\?\.(?!\d)/);
    assert.match(source, /^function handler\(event\)/m);
  });

  it('runs when evaluated with a plain require, as documented', () => {
    const require = createRequire(import.meta.url);
    const evaluated = new Function('require', `${source}; return handler;`)(require);
    const result = evaluated(toEdgeEvent('GET', `/v0.1/servers/${ENCODED}/versions/latest`));
    assert.equal(result.uri, '/servers/io.github.alice/weather/latest.json');
  });
});

describe('toEdgeEvent', () => {
  it('builds the event CloudFront would: raw path, encoded values, multiValue for repeats', () => {
    const event = toEdgeEvent(
      'get',
      'https://registry.example/v0.1/servers/a%2Fb/versions?x=1%2B2&x=3&flag&=&#frag',
      {
        Host: 'registry.example',
      },
    );
    assert.equal(event.request.method, 'GET');
    assert.equal(event.request.uri, '/v0.1/servers/a%2Fb/versions');
    assert.deepEqual(
      { ...event.request.querystring },
      {
        x: { value: '1%2B2', multiValue: [{ value: '1%2B2' }, { value: '3' }] },
        flag: { value: '' },
        '': { value: '' },
      },
    );
    assert.equal(event.request.headers['host']?.value, 'registry.example');
  });
});

describe('per-server URLs (both /v0 and /v0.1)', () => {
  for (const api of APIS) {
    it(`${api}: versions, latest and one version, live and with deleted ones`, () => {
      const base = `${api}/servers/${ENCODED}/versions`;
      assert.equal(keyOf(base), serverVersionsKey(NAME, false));
      assert.equal(keyOf(base), 'servers/io.github.alice/weather/index.json');
      assert.equal(keyOf(`${base}?include_deleted=true`), 'servers/io.github.alice/weather/index.all.json');
      assert.equal(keyOf(`${base}?include_deleted=false`), 'servers/io.github.alice/weather/index.json');
      assert.equal(keyOf(`${base}/latest`), 'servers/io.github.alice/weather/latest.json');
      assert.equal(
        keyOf(`${base}/latest?include_deleted=true`),
        'servers/io.github.alice/weather/latest.all.json',
      );
      assert.equal(keyOf(`${base}/1.0.0`), 'servers/io.github.alice/weather/v/1.0.0.json');
      assert.equal(
        keyOf(`${base}/1.0.0?include_deleted=true`),
        'servers/io.github.alice/weather/va/1.0.0.json',
      );
    });

    it(`${api}: GET /servers/{name} points at /versions/latest`, () => {
      const body = problemOf(`${api}/servers/${ENCODED}`, 404);
      assert.match(
        body.detail,
        new RegExp(`${api.replace('.', '\\.')}/servers/io\\.github\\.alice%2Fweather/versions/latest`),
      );
    });
  }

  it('reads `+` in a path as a plus, encoded or not', () => {
    const expected = 'servers/io.github.alice/weather/v/1.0.0~2B20130313144700.json';
    assert.equal(keyOf(`/v0.1/servers/${ENCODED}/versions/1.0.0%2B20130313144700`), expected);
    assert.equal(keyOf(`/v0.1/servers/${ENCODED}/versions/1.0.0+20130313144700`), expected);
  });

  it('also reads the unencoded name (unambiguous: a valid name has exactly one `/`)', () => {
    assert.equal(keyOf('/v0.1/servers/io.github.alice/weather/versions'), serverVersionsKey(NAME, false));
    assert.equal(keyOf('/v0/servers/io.github.alice/weather/versions/latest'), serverLatestKey(NAME, false));
    assert.equal(
      keyOf('/v0.1/servers/io.github.alice/weather/versions/2.0'),
      serverVersionKey(NAME, '2.0', false),
    );
    // A server whose name part is literally "versions".
    assert.equal(
      keyOf('/v0.1/servers/io.github.alice/versions/versions'),
      serverVersionsKey('io.github.alice/versions', false),
    );
    assert.equal(
      keyOf('/v0.1/servers/io.github.alice%2Fversions/versions/latest'),
      serverLatestKey('io.github.alice/versions', false),
    );
  });

  it('takes an unencoded `/` after /versions/ as part of the version', () => {
    assert.equal(
      keyOf(`/v0.1/servers/${ENCODED}/versions/1.0/beta`),
      serverVersionKey(NAME, '1.0/beta', false),
    );
    assert.equal(
      keyOf(`/v0.1/servers/${ENCODED}/versions/1.0%2Fbeta`),
      serverVersionKey(NAME, '1.0/beta', false),
    );
  });

  it('answers 404 problems for invalid names and unknown endpoints', () => {
    for (const url of [
      '/v0.1/servers/io.github.alice/versions',
      '/v0.1/servers/noslash/versions',
      '/v0.1/servers/io.github.alice%2Fweather%2Fx/versions',
      '/v0.1/servers/io.github.alice/weather/x/versions',
      '/v0.1/servers/-bad%2Fname/versions',
      `/v0.1/servers/io.example%2F${'a'.repeat(200)}/versions`,
      '/v0.1/servers/',
      `/v0.1/servers/${ENCODED}/other`,
      `/v0.1/servers/${ENCODED}/versions/`,
      '/v0.1/publish',
      '/v0.1/ping',
      '/v0.1',
      '/v1/servers',
      '/robots.txt',
    ]) {
      problemOf(url, 404);
    }
    assert.equal(problemOf('/v0.1/servers/-bad%2Fname/versions', 404).detail, 'Server not found');
    // Read unencoded, this is the server `noslash/versions` without `/versions`.
    assert.match(
      problemOf('/v0.1/servers/noslash/versions', 404).detail,
      /noslash%2Fversions\/versions\/latest$/,
    );
  });

  it('refuses malformed percent-encoding with 400', () => {
    problemOf('/v0.1/servers/io.github.alice%2/versions', 400);
    problemOf(`/v0.1/servers/${ENCODED}/versions/%E0%A4%A`, 400);
    problemOf(`/v0.1/servers/${ENCODED}/versions/%ED%A0%80`, 400); // a UTF-16 surrogate in UTF-8
    problemOf('/snapshots/%zz', 400);
  });

  it('checks include_deleted on per-server URLs and ignores list-only parameters', () => {
    problemOf(`/v0.1/servers/${ENCODED}/versions?include_deleted=maybe`, 400);
    problemOf(`/v0.1/servers/${ENCODED}/versions/latest?include_deleted=TRUE`, 400);
    assert.equal(
      keyOf(`/v0.1/servers/${ENCODED}/versions?limit=5&cursor=x&search=y`),
      serverVersionsKey(NAME, false),
    );
  });
});

// Versions chosen to stress the encoding: plus signs, spaces, reserved and unicode characters, slashes,
// dot segments, percent signs that look like escapes, and lengths around the 200-character limit.
const TRICKY_VERSIONS = [
  '1.0.0',
  '1.0.0+20130313144700',
  '1.0.0-rc.1+build.5',
  '1.0 beta',
  ' 1.0 ',
  '1.0/beta',
  '/',
  '//x//',
  '.',
  '..',
  '...',
  '../../etc/passwd',
  '..%2F..',
  '%2e%2e',
  '%252F',
  '100%',
  '~1.0',
  "a!b'c(d)e*f",
  'a:b:c',
  'a?b#c&d=e',
  'é',
  'Ünïcödé-版本',
  '🚀.1',
  'tab\there',
  'nul\u0000x',
  'latest ',
  'LATEST',
  'v'.repeat(255),
  'é'.repeat(100),
  `${'a'.repeat(118)}+${'b'.repeat(100)}`,
  `${'a'.repeat(119)}+${'b'.repeat(100)}`,
  `${'a'.repeat(117)}+${'b'.repeat(100)}`,
  '+'.repeat(255),
  '.'.repeat(255),
];

describe('sync: the edge maps to exactly the keys core/layout/keys.ts builds', () => {
  it('for every tricky version, encoded in the path', () => {
    for (const api of APIS) {
      for (const version of TRICKY_VERSIONS) {
        const path = `${api}/servers/${ENCODED}/versions/${encodeURIComponent(version)}`;
        assert.equal(keyOf(path), serverVersionKey(NAME, version, false), path);
        assert.equal(keyOf(`${path}?include_deleted=true`), serverVersionKey(NAME, version, true), path);
      }
    }
  });

  it('for every tricky version, in a list cursor of every view', () => {
    const query: Record<ListView, string> = {
      live: '',
      all: '&include_deleted=true',
      latest: '&version=latest',
      'latest.all': '&version=latest&include_deleted=true',
    };
    for (const view of LIST_VIEWS) {
      assert.equal(keyOf(`/v0.1/servers?limit=100${query[view]}`), listFirstPageKey(view, 60));
      for (const version of TRICKY_VERSIONS) {
        const url = `/v0.1/servers?cursor=${encodeURIComponent(`${NAME}:${version}`)}${query[view]}`;
        assert.equal(keyOf(url), listPageAfterKey(view, 25, NAME, version), url);
        // URLSearchParams encodes a space as `+`, which the query reads back as a space.
        const form = `/v0.1/servers?${new URLSearchParams({ cursor: `${NAME}:${version}` })}${query[view]}`;
        assert.equal(keyOf(form), listPageAfterKey(view, 25, NAME, version), form);
      }
    }
  });

  it('for updated_since timestamps', () => {
    for (const t of [
      '2025-10-01T00:00:00Z',
      '2025-10-01T00:00:00.123456Z',
      '2025-10-02T01:30:00+02:00',
      '2025-10-02T22:30:00-02:00',
      '2025-09-01T00:30:00+01:00',
      '2025-08-31T23:00:00-01:00',
      '2024-02-29T12:00:00Z',
      '2000-01-01T00:00:00Z',
      '1970-01-01T00:00:00Z',
      '0001-01-01T00:00:00Z',
      '2025-10-15T23:59:59Z',
      '2025-10-16T01:00:00+02:00',
    ]) {
      const url = `/v0.1/servers?updated_since=${encodeURIComponent(t)}`;
      assert.equal(keyOf(url), feedPageKey(feedStartDay(t), 0), t);
    }
  });
});

describe('GET /servers (both /v0 and /v0.1)', () => {
  for (const api of APIS) {
    it(`${api}: first pages, cursor pages and feed pages`, () => {
      assert.equal(keyOf(`${api}/servers`), 'lists/live/25/first.json');
      assert.equal(keyOf(`${api}/servers?include_deleted=true`), 'lists/all/25/first.json');
      assert.equal(keyOf(`${api}/servers?version=latest`), 'lists/latest/25/first.json');
      assert.equal(
        keyOf(`${api}/servers?version=latest&include_deleted=true`),
        'lists/latest.all/25/first.json',
      );
      assert.equal(
        keyOf(`${api}/servers?cursor=io.github.alice%2Fweather%3A1.0.0`),
        'lists/live/25/after/io.github.alice/weather/1.0.0.json',
      );
      assert.equal(
        keyOf(`${api}/servers?cursor=io.github.alice/weather:1.0.0%2Bb&include_deleted=true&limit=50`),
        'lists/all/25/after/io.github.alice/weather/1.0.0~2Bb.json',
      );
      assert.equal(keyOf(`${api}/servers?updated_since=2025-10-02T13:15:04.280Z`), 'feed/2025-09-29/0.json');
      assert.equal(keyOf(`${api}/servers?cursor=feed:2025-10-02:3`), 'feed/2025-10-02/3.json');
      assert.equal(keyOf(`${api}/servers?cursor=feed%3A2025-10-02%3A3`), 'feed/2025-10-02/3.json');
    });
  }

  it('splits a list cursor at the first colon; the version may hold more', () => {
    assert.equal(
      keyOf('/v0.1/servers?cursor=io.github.alice/weather:1.0:x'),
      listPageAfterKey('live', 25, NAME, '1.0:x'),
    );
  });

  // ?search= has its own file: viewer-request-search.test.ts.

  it('accepts limit 1..100 and refuses anything else', () => {
    for (const [limit, family] of [
      ['1', 10],
      ['50', 25],
      ['100', 60],
      ['030', 25],
    ])
      assert.equal(keyOf(`/v0.1/servers?limit=${limit}`), `lists/live/${family}/first.json`);
    // Every limit picks the family pageFamilyFor picks, for first pages and cursor pages alike.
    for (let limit = 1; limit <= 100; limit++) {
      const family = pageFamilyFor(limit);
      assert.equal(keyOf(`/v0.1/servers?limit=${limit}`), listFirstPageKey('live', family));
      assert.equal(
        keyOf(`/v0.1/servers?limit=${limit}&cursor=${NAME}:1.0.0&version=latest`),
        listPageAfterKey('latest', family, NAME, '1.0.0'),
      );
    }
    for (const limit of ['0', '101', 'abc', '-1', '1.5', '1e2', '%20', '1000']) {
      const body = problemOf(`/v0.1/servers?limit=${limit}`, 400);
      assert.equal(body.detail, 'limit must be an integer between 1 and 100');
    }
  });

  it('accepts only version=latest', () => {
    const body = problemOf('/v0.1/servers?version=1.0.0', 400);
    assert.match(body.detail, /use \/v0\.1\/servers\/\{name\}\/versions\/\{version\}/);
    problemOf('/v0.1/servers?version=Latest', 400);
  });

  it('accepts include_deleted=true|false only', () => {
    assert.equal(keyOf('/v0.1/servers?include_deleted=false'), 'lists/live/25/first.json');
    for (const value of ['maybe', '1', 'TRUE', 'yes'])
      problemOf(`/v0.1/servers?include_deleted=${value}`, 400);
  });

  it('treats an empty parameter as absent, as the official registry does', () => {
    assert.equal(
      keyOf('/v0.1/servers?search=&cursor=&limit=&version=&include_deleted=&updated_since='),
      'lists/live/25/first.json',
    );
  });

  it('refuses a repeated parameter as ambiguous', () => {
    problemOf('/v0.1/servers?limit=10&limit=20', 400);
    problemOf('/v0.1/servers?include_deleted=true&include_deleted=false', 400);
  });

  it('ignores parameters it does not know', () => {
    assert.equal(keyOf('/v0.1/servers?utm_source=x&__proto__=y&constructor=z'), 'lists/live/25/first.json');
  });
});

describe('updated_since', () => {
  it('refuses malformed timestamps with the official message', () => {
    for (const t of [
      'yesterday',
      '2025-10-02',
      '2025-10-02T13:15:04',
      '2025-10-02t13:15:04Z',
      '2025-13-01T00:00:00Z',
      '2025-02-29T00:00:00Z',
      '2025-10-02T24:00:00Z',
      '2025-10-02T00:00:60Z',
      '2025-10-02T00:00:00%2B24:00',
      '2025-10-02T00:00:00+02:00', // a raw `+` is a space in a query string, as in the official registry
      '1759410904',
    ]) {
      const body = problemOf(`/v0.1/servers?updated_since=${t}`, 400);
      assert.equal(
        body.detail,
        'Invalid updated_since format: expected RFC3339 timestamp (e.g., 2025-08-07T13:15:04.280Z)',
        t,
      );
    }
  });

  it('refuses include_deleted=false (official message) and version=latest', () => {
    const body = problemOf('/v0.1/servers?updated_since=2025-10-02T00:00:00Z&include_deleted=false', 400);
    assert.equal(
      body.detail,
      'Cannot set include_deleted=false when using updated_since (incremental sync requires deleted servers)',
    );
    problemOf('/v0.1/servers?updated_since=2025-10-02T00:00:00Z&version=latest', 400);
    assert.equal(
      keyOf('/v0.1/servers?updated_since=2025-10-02T00:00:00Z&include_deleted=true'),
      'feed/2025-09-29/0.json',
    );
  });

  it('starts at the feed epoch for earlier days', () => {
    assert.equal(keyOf('/v0.1/servers?updated_since=2020-01-01T00:00:00Z'), `feed/${FEED_EPOCH_DAY}/0.json`);
    assert.equal(keyOf('/v0.1/servers?updated_since=0000-01-01T00:00:00Z'), `feed/${FEED_EPOCH_DAY}/0.json`);
  });

  it('serves today from the feed and answers days after today with an empty list itself', () => {
    assert.equal(keyOf('/v0.1/servers?updated_since=2025-10-15T23:59:59.999Z'), 'feed/2025-10-13/0.json');
    for (const t of ['2025-10-16T00:00:00Z', '2025-10-15T23:00:00-02:00', '9999-12-31T23:59:59-23:59']) {
      const result = run(`/v0.1/servers?updated_since=${encodeURIComponent(t)}&limit=10`);
      assert.ok(isEdgeResponse(result), t);
      assert.equal(result.statusCode, 200);
      assert.equal(result.headers['content-type']?.value, 'application/json');
      assert.equal(result.headers['access-control-allow-origin']?.value, '*');
      assert.deepEqual(JSON.parse(result.body?.data ?? ''), { servers: [], metadata: { count: 0 } });
    }
  });

  it('follows a feed cursor, which wins over updated_since', () => {
    assert.equal(
      keyOf('/v0.1/servers?updated_since=2025-10-02T00:00:00Z&cursor=feed:2025-10-03:2'),
      'feed/2025-10-03/2.json',
    );
    assert.equal(
      keyOf('/v0.1/servers?updated_since=2999-01-01T00:00:00Z&cursor=feed:2025-10-03:0'),
      'feed/2025-10-03/0.json',
    );
    problemOf('/v0.1/servers?cursor=feed:2025-10-03:2&include_deleted=false', 400);
    problemOf('/v0.1/servers?cursor=feed:2025-10-03:2&version=latest', 400);
  });
});

describe('cursors', () => {
  it('refuses malformed cursors with "invalid cursor"', () => {
    for (const cursor of [
      'nocolon',
      'io.github.alice/weather:',
      ':1.0.0',
      'io.github.alice:1.0.0',
      'a/b/c:1.0.0',
      '../..:1.0.0',
      'feed:',
      'feed:2025-10-02',
      'feed:2025-10-02:',
      'feed:2025-10-02:x',
      'feed:2025-10-02:01',
      'feed:2025-10-02:-1',
      'feed:20251002:0',
      'feed:2025-10-02:0:extra',
      'feed:../../x:0',
    ]) {
      const body = problemOf(`/v0.1/servers?cursor=${encodeURIComponent(cursor)}`, 400);
      assert.match(body.detail, /^invalid cursor/, cursor);
    }
  });

  it('refuses a list cursor together with updated_since', () => {
    const body = problemOf(
      `/v0.1/servers?updated_since=2025-10-02T00:00:00Z&cursor=${encodeURIComponent(`${NAME}:1.0.0`)}`,
      400,
    );
    assert.match(body.detail, /^invalid cursor/);
  });
});

describe('the rest of the tree', () => {
  it('passes tree objects through unchanged and maps / to index.json', () => {
    for (const path of [
      '/index.json',
      '/index.json.sig',
      '/snapshots/latest.json',
      '/snapshots/latest.json.sig',
      '/snapshots/2025-10-02/servers.json.gz',
      '/snapshots/2025-10-02/manifest.json',
      '/snapshots/2025-10-02/manifest.json.sig',
      '/manifest/42.json',
      '/keys/site-signing-key.pem',
      '/keys/site-signing-key.jwk.json',
      '/feed/2025-10-02/0.json',
      '/lists/live/25/first.json',
      '/servers/io.github.alice/weather/v/1.0.0~2Bb.json',
    ]) {
      assert.equal(keyOf(path), path.slice(1));
      assert.equal(keyOf(`${path}?x=1`), path.slice(1), 'the query string is dropped');
    }
    assert.equal(keyOf('/'), 'index.json');
    assert.equal(
      keyOf('/servers/io.github.alice/weather/v/1.0.0%7E2Bb.json'),
      'servers/io.github.alice/weather/v/1.0.0~2Bb.json',
    );
  });

  it('answers CORS preflight itself, echoing the requested headers', () => {
    const asked = handler(
      toEdgeEvent('OPTIONS', '/v0.1/servers?limit=5', {
        origin: 'https://example.org',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'if-none-match',
      }),
    );
    assert.ok(isEdgeResponse(asked));
    assert.equal(asked.statusCode, 204);
    assert.equal(asked.body, undefined);
    assert.deepEqual(asked.headers, {
      'access-control-allow-origin': { value: '*' },
      'access-control-allow-methods': { value: 'GET, HEAD, OPTIONS' },
      'access-control-allow-headers': { value: 'if-none-match' },
      'access-control-max-age': { value: '86400' },
    });
    const bare = handler(toEdgeEvent('OPTIONS', '/anything/at/all'));
    assert.ok(isEdgeResponse(bare) && bare.statusCode === 204);
    assert.equal(bare.headers['access-control-allow-headers']?.value, '*');
  });

  it('leaves requests other than GET, HEAD and OPTIONS alone', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const event = toEdgeEvent(method, '/v0.1/publish?x=1');
      const result = handler(event);
      assert.equal(result, event.request);
      assert.ok(
        !isEdgeResponse(result) && result.uri === '/v0.1/publish' && result.querystring['x']?.value === '1',
      );
    }
    assert.equal(keyOf('/index.json'), 'index.json');
    const head = run(`/v0.1/servers/${ENCODED}/versions`, 'HEAD');
    assert.ok(!isEdgeResponse(head) && head.uri === '/servers/io.github.alice/weather/index.json');
  });
});

describe('path tricks never leave the key space', () => {
  const tricks = [
    '/..',
    '/../index.json',
    '/%2e%2e/index.json',
    '/snapshots/../../etc/passwd',
    '/snapshots/%2e%2e/%2e%2e/etc/passwd',
    '/snapshots/%2E%2E%2F%2E%2E%2Fetc',
    '/snapshots/.',
    '/feed/..',
    '/servers/..%2F..%2Fetc',
    '/keys/%00',
    '/index.json%00',
    '/lists/live/25/first.json%0A',
    '/snapshots/a%20b',
    '/snapshots/%252F',
    '/snapshots/a+b',
    '/v0.1/servers/..%2F..%2Fetc/versions',
    '/v0.1/servers/%2e%2e/%2e%2e/versions',
    '/v0.1/servers/../index.json',
    '/v0.1/servers/io.github.alice%252Fweather/versions',
    '/v0.1/servers/io.github.alice%2F..%2F..%2Fx/versions',
    '/v0.1/servers/io.github.alice%2Fweather%2Fextra/versions',
    '/v0.1/servers/io.github.alice/weather/extra/versions',
    '/v0.1/servers/io.github.alice%00%2Fweather/versions',
    '/v0.1/servers/io.github.alice%2Fweather%0A/versions',
    '/v0.1/servers/io.github.alice%2Fweather%09/versions/latest',
    '/v0.1/servers/io.github.%C3%A9%2Fweather/versions',
    '/v0.1/servers/%2Fweather/versions',
    '/v0.1/servers/io.github.alice%2F/versions',
  ];

  for (const trick of tricks) {
    it(`${trick} -> 4xx problem`, () => {
      const result = run(trick);
      assert.ok(isEdgeResponse(result), `${trick} mapped to ${isEdgeResponse(result) ? '' : result.uri}`);
      assert.ok(result.statusCode >= 400 && result.statusCode < 500);
      assert.equal(result.headers['content-type']?.value, 'application/problem+json');
    });
  }

  it('maps hostile versions to escaped keys inside the server folder', () => {
    for (const version of ['..', '%2e%2e', '..%2F..%2F..%2Fetc', '%00', '%0A%0D', '%252F', '.%2F.']) {
      const key = keyOf(`/v0.1/servers/${ENCODED}/versions/${version}`);
      assert.ok(key.startsWith('servers/io.github.alice/weather/v/'), key);
      assert.doesNotMatch(key.slice('servers/io.github.alice/weather/v/'.length), /\//, key);
    }
  });

  it('fuzzed URLs either map into the tree or get a 4xx problem', () => {
    const pieces = [
      '/',
      '%2F',
      '%2f',
      '..',
      '.',
      '%2e',
      '%00',
      '%25',
      '+',
      ' ',
      '%20',
      ':',
      '%3A',
      'feed',
      'v0.1',
      'servers',
      'versions',
      'latest',
      'io.github.alice',
      'weather',
      '~',
      '%7E',
      'é',
      '%C3',
      '?',
      '&',
      '=',
      'cursor',
      'updated_since',
      'include_deleted',
      'true',
      'index.json',
      'snapshots',
      '\u0000',
      '\n',
      '%',
    ];
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    for (let i = 0; i < 5000; i += 1) {
      let url = i % 2 === 0 ? '/v0.1/servers/' : '/';
      const length = 1 + (next() % 10);
      for (let j = 0; j < length; j += 1) url += pieces[next() % pieces.length];
      const result = run(url); // run() asserts the uri is in the tree
      if (isEdgeResponse(result))
        assert.ok(result.statusCode === 200 || (result.statusCode >= 400 && result.statusCode < 500), url);
    }
  });
});
