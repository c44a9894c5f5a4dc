/**
 * The viewer-request function as the full stack deploys it: cdn/edge/viewer-request.js (the read
 * side, the same file the local CDN runs) wrapped in one routing step that CloudFront alone needs.
 * The local CDN never sees writes (the local server routes them itself), so this step lives here and
 * not in the shared file:
 *
 * - a write method (PUT, PATCH, POST, DELETE) on a read path — the edit `PUT
 *   /v0*\/servers/{name}/versions/{version}` and the status `PATCH …/status` share their paths with
 *   reads — is sent, untouched, to the API origin with `cf.selectRequestOriginById`;
 * - every other request drops its `Authorization` header (reads are public: a header in the cache
 *   key would only split the cache) and goes through the read mapping.
 *
 * CloudFront Functions take at most 10 KB of code, so comment lines, blank lines and indentation are
 * removed from the read source (it has no template literals, so no line's text changes meaning).
 */

/** The origin id the distribution gives the API (the ALB behind the VPC origin). */
export const API_ORIGIN_ID = 'api';
/** CloudFront Functions' code size limit, in bytes. */
export const EDGE_CODE_LIMIT_BYTES = 10_240;
export const WRITE_METHODS = ['PUT', 'PATCH', 'POST', 'DELETE'] as const;

/** The read source without comment lines, blank lines and indentation (no template literals allowed in it). */
export function compactEdgeSource(source: string): string {
  const compact = source
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('//'))
    .join('\n');
  if (compact.includes('`'))
    throw new Error('the edge source has a template literal; compacting could change it');
  return compact;
}

/** The deployed function: the compacted read source inside the write-routing step. */
export function deployedEdgeSource(readSource: string, apiOriginId: string = API_ORIGIN_ID): string {
  if (!/^[A-Za-z0-9_-]+$/.test(apiOriginId)) throw new Error('the API origin id must be [A-Za-z0-9_-]');
  const writes = WRITE_METHODS.map((m) => `${m}:1`).join(',');
  const code = [
    "import cf from 'cloudfront';",
    'var readSide = (function () {',
    compactEdgeSource(readSource),
    'return handler;',
    '})();',
    `var WRITES = {${writes}};`,
    'function handler(event) {',
    'var request = event.request;',
    'if (WRITES[request.method] === 1) {',
    `cf.selectRequestOriginById('${apiOriginId}');`,
    'return request;',
    '}',
    'if (request.headers) delete request.headers.authorization;',
    'return readSide(event);',
    '}',
    '',
  ].join('\n');
  const size = Buffer.byteLength(code);
  if (size > EDGE_CODE_LIMIT_BYTES) {
    throw new Error(`the deployed edge function is ${size} bytes; CloudFront takes ${EDGE_CODE_LIMIT_BYTES}`);
  }
  return code;
}
