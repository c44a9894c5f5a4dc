import assert from 'node:assert/strict';
import { type EdgeResult, isEdgeResponse, loadEdgeHandler, toEdgeEvent } from '../../cdn/edge/load.js';
import { KEY_PATTERN } from '../../core/layout/key-shapes.js';

/** Runs the edge function (cdn/edge/viewer-request.js) the way the edge tests need it. */
const handler = loadEdgeHandler();

// Every uri the function hands to the origin is a documented key, or (pass-through) a path under one
// of the tree's top-level folders made only of key characters, without dot segments.
const TREE_PATH =
  /^\/(?:index\.json(?:\.sig)?|(?:snapshots|keys|feed|lists|manifest|servers)(?:\/[A-Za-z0-9._~-]+)+)$/;
export function assertInTree(result: EdgeResult, what: string): void {
  if (isEdgeResponse(result)) return;
  assert.ok(
    KEY_PATTERN.test(result.uri.slice(1)) ||
      (TREE_PATH.test(result.uri) && !/\/\.\.?(?:\/|$)/.test(result.uri)),
    `${what} -> ${result.uri} is outside the key space`,
  );
}

/** The edge's result for a request, asserted to stay in the tree. */
export function runEdge(url: string, method = 'GET'): EdgeResult {
  const result = handler(toEdgeEvent(method, url));
  assertInTree(result, url);
  return result;
}

/** The key a URL maps to (the uri without its leading `/`); fails on a generated response. */
export function keyOf(url: string): string {
  const result = runEdge(url);
  if (isEdgeResponse(result)) assert.fail(`${url} answered ${result.statusCode}: ${result.body?.data}`);
  assert.deepEqual(result.querystring, {}, 'the query string is consumed');
  return result.uri.slice(1);
}

/** The problem a URL is answered with; checks the headers every problem must carry. */
export function problemOf(url: string, status: number): { title: string; status: number; detail: string } {
  const result = runEdge(url);
  if (!isEdgeResponse(result)) return assert.fail(`${url} mapped to ${result.uri}, expected ${status}`);
  assert.equal(result.statusCode, status, `${url}: ${result.body?.data}`);
  assert.equal(result.headers['content-type']?.value, 'application/problem+json');
  assert.equal(result.headers['access-control-allow-origin']?.value, '*');
  assert.equal(result.body?.encoding, 'text');
  const body = JSON.parse(result.body?.data ?? '');
  assert.deepEqual(Object.keys(body), ['title', 'status', 'detail']);
  assert.equal(body.status, status);
  assert.equal(body.title, status === 400 ? 'Bad Request' : 'Not Found');
  return body;
}
