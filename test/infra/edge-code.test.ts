import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { edgeHandlerFrom, loadEdgeHandler, readEdgeSource, toEdgeEvent } from '../../cdn/edge/load.js';
import {
  API_ORIGIN_ID,
  compactEdgeSource,
  deployedEdgeSource,
  EDGE_CODE_LIMIT_BYTES,
} from '../../infra/cdk/edge-code.js';

/**
 * The function the full stack deploys is the read function, compacted, inside a write-routing step:
 * for every read it must answer exactly what cdn/edge/viewer-request.js answers (the local CDN's
 * behaviour, tested in test/cdn), and only write methods may leave for the API.
 */
const original = loadEdgeHandler();
let selected: string[] = [];
const deployed = edgeHandlerFrom(deployedEdgeSource(readEdgeSource()), 'deployed', {
  cloudfront: { selectRequestOriginById: (id: string) => selected.push(id) },
});

const URLS = [
  '/',
  '/index.json',
  '/index.json.sig',
  '/v0/servers',
  '/v0.1/servers?limit=30&cursor=io.github.alice%2Fweather:1.0.0',
  '/v0.1/servers?version=latest&include_deleted=true',
  '/v0.1/servers?updated_since=2026-01-02T03:04:05Z',
  '/v0.1/servers?cursor=feed:2026-01-02:3',
  '/v0.1/servers?search=weather',
  '/v0.1/servers?search=Weather&limit=10&cursor=io.github.alice%2Fweather:1.0.0',
  '/v0.1/servers?search=a+b',
  '/v0.1/servers?limit=1000',
  '/v0.1/servers/io.github.alice%2Fweather/versions',
  '/v0.1/servers/io.github.alice%2Fweather/versions/latest?include_deleted=true',
  '/v0/servers/io.github.alice/weather/versions/1.0.0%2Bbuild',
  `/v0/servers/io.github.alice%2Fweather/versions/${'x'.repeat(300)}`,
  '/v0/servers/io.github.alice%2Fweather',
  '/v0/servers/not-a-name/versions',
  '/v0/servers/%E0%A4%A/versions',
  '/snapshots/latest.json',
  '/feed/2026-01-02/0.json',
  '/keys/../index.json',
  '/nothing/here',
];

describe('the deployed edge function (infra/cdk/edge-code.ts)', () => {
  it('answers every read exactly as cdn/edge/viewer-request.js does, and selects no origin', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      for (const url of URLS) {
        selected = [];
        const headers = { 'access-control-request-headers': 'content-type' };
        assert.deepEqual(
          deployed(toEdgeEvent(method, url, headers)),
          original(toEdgeEvent(method, url, headers)),
          `${method} ${url}`,
        );
        assert.deepEqual(selected, []);
      }
    }
  });

  it('drops Authorization from reads and sends write methods, untouched, to the API origin', () => {
    const read = deployed(toEdgeEvent('GET', '/v0/servers', { authorization: 'Bearer t' }));
    assert.ok('uri' in read);
    assert.equal(read.headers['authorization'], undefined);
    for (const method of ['PUT', 'PATCH', 'POST', 'DELETE']) {
      selected = [];
      const url = '/v0.1/servers/io.github.alice%2Fweather/versions/1.0.0?x=1';
      const event = toEdgeEvent(method, url, { authorization: 'Bearer t' });
      const before = JSON.stringify(event.request);
      const result = deployed(event);
      assert.equal(JSON.stringify(result), before, `${method} passes unchanged`);
      assert.deepEqual(selected, [API_ORIGIN_ID]);
    }
  });

  it('fits CloudFront’s 10 KB with room to spare, and refuses what compacting could change or what would not fit', () => {
    const size = Buffer.byteLength(deployedEdgeSource(readEdgeSource()));
    assert.ok(size <= EDGE_CODE_LIMIT_BYTES, `${size} bytes`);
    assert.throws(
      () => deployedEdgeSource(`function handler(e) { return e; }\n${'var x = 1;\n'.repeat(1000)}`),
      /bytes; CloudFront takes/,
    );
    assert.throws(() => compactEdgeSource('var s = `a\n  b`;'), /template literal/);
    assert.equal(compactEdgeSource('  // note\n\n  var a = 1; // kept\n'), 'var a = 1; // kept');
    assert.throws(() => deployedEdgeSource(readEdgeSource(), "api'); evil('"), /origin id/);
  });
});
