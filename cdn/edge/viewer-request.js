// biome-ignore-all lint: CloudFront Functions runtime
// Viewer-request function (cloudfront-js-2.0): the single source of the URL -> object key mapping of
// docs/static-tree.md, run by CloudFront and by the local CDN server (cdn/edge/load.ts evaluates this
// file). core/layout/keys.ts builds the same keys for the writer; keep the two in sync
// (test/cdn/viewer-request.test.ts proves they agree). Runtime limits: ES5 + a little ES6, no
// modules, no network, 10 KB of code, ~1 ms: every key comes from string work on the URL alone.
var crypto = require('crypto');

var EPOCH = '2025-09-01';
var DAY_MS = 864e5;
var NAME = /^[A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9]\/[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]$/;
var TIME = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|([+-])(\d\d):(\d\d))$/;
var FEED_CURSOR = /^feed:(\d{4}-\d\d-\d\d):(0|[1-9]\d{0,8})$/;
// Paths under the tree served as they are; dot segments are refused separately.
var TREE =
  /^\/(index\.(json(\.sig)?|html)|(snapshots|keys|feed|lists|manifest|servers|search|app)(\/[A-Za-z0-9._~-]+)+)$/;
var BAD_TIME = 'Invalid updated_since format: expected RFC3339 timestamp (e.g., 2025-08-07T13:15:04.280Z)';
// ?search= answers one word prefix from the result pages (core/layout/search-page-keys.ts).
var SEARCH = /^[a-z0-9]{2,40}$/;
var NO_SEARCH =
  'search here takes one word prefix of 2 to 40 letters a-z or digits, matched against the words of server names and titles; for anything else use the search index (/search/index.json) or the browse page (/)';
var SEARCH_DELETED =
  'search cannot be combined with include_deleted=true: the result pages hold live servers only';
var SEARCH_FEED = 'search cannot be combined with updated_since or a feed cursor';
var KEEP_DELETED =
  'Cannot set include_deleted=false when using updated_since (incremental sync requires deleted servers)';
var FEED_ALL_VERSIONS =
  'updated_since cannot be combined with version=latest: the change feed lists every version';
var TITLES = { 200: 'OK', 400: 'Bad Request', 404: 'Not Found' };

function fail(status, detail) {
  throw { edgeStatus: status, detail: detail };
}

function respond(status, type, data) {
  return {
    statusCode: status,
    statusDescription: TITLES[status],
    headers: { 'content-type': { value: type }, 'access-control-allow-origin': { value: '*' } },
    body: { encoding: 'text', data: data },
  };
}

function problem(status, detail) {
  var body = JSON.stringify({ title: TITLES[status], status: status, detail: detail });
  return respond(status, 'application/problem+json', body);
}

function decode(s) {
  try {
    return decodeURIComponent(s);
  } catch (e) {
    fail(400, 'invalid URL encoding');
  }
}

function isName(s) {
  return s.length <= 200 && NAME.test(s);
}

// A query value as the official registry reads it (form decoding: `+` is a space); an empty value is
// the same as none, as in the official registry. A repeated parameter is refused as ambiguous.
function param(qs, name) {
  var p = qs[name];
  if (!p) return undefined;
  if (p.multiValue && p.multiValue.length > 1) fail(400, name + ' must be given at most once');
  return p.value ? decode(p.value.replace(/\+/g, ' ')) : undefined;
}

function includeDeleted(qs) {
  var v = param(qs, 'include_deleted');
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') fail(400, 'include_deleted must be true or false');
  return v === 'true';
}

// Same algorithm as encodeVersionSegment in core/layout/keys.ts: UTF-8 bytes, [A-Za-z0-9._-] kept,
// every other byte ~XX; all-dots segments escaped; long segments = 120 chars + '~~' + sha256 prefix.
function segment(v) {
  var e = encodeURIComponent(v)
    .replace(/[!'()*~]/g, function (c) {
      return '%' + c.charCodeAt(0).toString(16).toUpperCase();
    })
    .replace(/%/g, '~');
  if (/^\.+$/.test(e)) e = e.replace(/\./g, '~2E');
  if (e.length > 200) {
    var esc = e.lastIndexOf('~', 119);
    e =
      e.slice(0, esc >= 118 ? esc : 120) +
      '~~' +
      crypto.createHash('sha256').update(v).digest('hex').slice(0, 32);
  }
  return e;
}

function monthDays(y, m) {
  if (m === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

// The feed segment for updated_since: that of its UTC day, the epoch's for earlier days, null after today.
function feedDay(t) {
  var m = TIME.exec(t);
  if (!m) fail(400, BAD_TIME);
  var y = +m[1];
  var mo = +m[2];
  var d = +m[3];
  var zone = m[8] !== 'Z';
  if (
    mo < 1 ||
    mo > 12 ||
    d < 1 ||
    d > monthDays(y, mo) ||
    +m[4] > 23 ||
    +m[5] > 59 ||
    +m[6] > 59 ||
    (zone && (+m[10] > 23 || +m[11] > 59))
  ) {
    fail(400, BAD_TIME);
  }
  // Date.UTC reads years 0..99 as 19xx; any year this early is before the epoch anyway.
  if (y < 2000) return EPOCH;
  var offset = zone ? (m[9] === '-' ? -1 : 1) * (+m[10] * 60 + +m[11]) : 0;
  var day = Math.floor((Date.UTC(y, mo - 1, d, +m[4], +m[5]) - offset * 6e4) / DAY_MS);
  if (day > Math.floor(Date.now() / DAY_MS)) return null;
  // Segments are 7-day blocks from the epoch (core/layout/keys.ts feedSegmentOf).
  var since = day - Date.parse(EPOCH) / DAY_MS;
  if (since < 0) return EPOCH;
  return new Date((day - (since % 7)) * DAY_MS).toISOString().slice(0, 10);
}

// GET /v0.1/servers: a list page, a feed page, or an answer of our own.
function list(qs) {
  var search = param(qs, 'search');
  var limit = param(qs, 'limit');
  if (limit !== undefined && !(/^\d{1,3}$/.test(limit) && +limit >= 1 && +limit <= 100)) {
    fail(400, 'limit must be an integer between 1 and 100');
  }
  var all = includeDeleted(qs);
  var version = param(qs, 'version');
  if (version !== undefined && version !== 'latest') {
    fail(400, "version only accepts 'latest'; use /v0.1/servers/{name}/versions/{version}");
  }
  var since = param(qs, 'updated_since');
  var cursor = param(qs, 'cursor');
  var isFeed = cursor !== undefined && cursor.indexOf('feed:') === 0;
  if (search !== undefined) {
    // Lower-cased ASCII only: folding accents needs Unicode tables the edge does not have.
    search = search.trim().toLowerCase();
    if (!SEARCH.test(search)) fail(400, NO_SEARCH);
    if (all) fail(400, SEARCH_DELETED);
    if (since !== undefined || isFeed) fail(400, SEARCH_FEED);
  }
  if (since !== undefined || isFeed) {
    var day = since === undefined ? EPOCH : feedDay(since);
    if (all === false) fail(400, KEEP_DELETED);
    if (version) fail(400, FEED_ALL_VERSIONS);
    if (cursor !== undefined) {
      var f = FEED_CURSOR.exec(cursor);
      if (!f) fail(400, 'invalid cursor: with updated_since, pass the nextCursor of the previous feed page');
      return 'feed/' + f[1] + '/' + f[2] + '.json';
    }
    if (day === null) return respond(200, 'application/json', '{"servers":[],"metadata":{"count":0}}');
    return 'feed/' + day + '/0.json';
  }
  var view = (version ? 'latest' : 'live') + (all ? '.all' : '');
  if (view === 'live.all') view = 'all';
  // Page family for limit: pageFamilyFor in core/layout/pages.ts.
  var family = limit === undefined ? 25 : +limit >= 60 ? 60 : +limit >= 25 ? 25 : 10;
  view = search === undefined ? 'lists/' + view + '/' + family : 'search/q/' + family + '/' + search;
  if (cursor === undefined) return view + '/first.json';
  var colon = cursor.indexOf(':');
  var name = cursor.slice(0, colon);
  var after = cursor.slice(colon + 1);
  if (colon < 0 || !isName(name) || after === '') fail(400, 'invalid cursor');
  return view + '/after/' + name + '/' + segment(after) + '.json';
}

// GET /v0.1/servers/{name}/versions[/{version}], segs = the raw path segments after /servers/. The name
// is normally one segment with an encoded `/`; the unencoded two-segment form is also read, because a
// valid name has exactly one `/` and its namespace none, so the decoded first segment alone tells the
// two apart.
function server(segs, qs, api) {
  var first = decode(segs[0]);
  var encoded = first.indexOf('/') >= 0;
  var name = encoded ? first : first + '/' + decode(segs[1] || '');
  var i = encoded ? 1 : 2;
  if (!isName(name)) fail(404, 'Server not found');
  if (segs.length === i) {
    fail(404, 'Server not found: use ' + api + '/servers/' + encodeURIComponent(name) + '/versions/latest');
  }
  if (segs[i] !== 'versions') fail(404, 'Not found: use ' + api + '/servers/{name}/versions[/{version}]');
  var all = includeDeleted(qs);
  var dir = 'servers/' + name + '/';
  if (segs.length === i + 1) return dir + (all ? 'index.all' : 'index') + '.json';
  // Whatever follows /versions/ is the version: an unencoded `/` in it cannot be anything else.
  var v = decode(segs.slice(i + 1).join('/'));
  if (v === '') fail(404, 'Server version not found');
  if (v === 'latest') return dir + (all ? 'latest.all' : 'latest') + '.json';
  return dir + (all ? 'va/' : 'v/') + segment(v) + '.json';
}

// `/`: the browse page for a browser (text/html asked before JSON), the root document for anyone else.
function root(headers) {
  var a = headers.accept ? headers.accept.value : '';
  var h = a.indexOf('text/html');
  var j = a.indexOf('application/json');
  return h >= 0 && (j < 0 || h < j) ? 'index.html' : 'index.json';
}

function route(uri, qs, headers) {
  if (uri === '/') return root(headers);
  var segs = uri.split('/');
  var api = segs[1];
  if (api === 'v0' || api === 'v0.1') {
    if (segs[2] !== 'servers') fail(404, 'Not found: this registry serves /' + api + '/servers');
    return segs.length === 3 ? list(qs) : server(segs.slice(3), qs, '/' + api);
  }
  var path = decode(uri);
  if (!TREE.test(path) || /\/\.\.?(\/|$)/.test(path)) fail(404, 'Not found');
  return path.slice(1);
}

// CORS preflight, answered here so that it never reaches the bucket (S3 has no CORS rules to answer it).
function preflight(headers) {
  var asked = headers['access-control-request-headers'];
  var h = {
    'access-control-allow-origin': { value: '*' },
    'access-control-allow-methods': { value: 'GET, HEAD, OPTIONS' },
    'access-control-allow-headers': { value: asked ? asked.value : '*' },
    'access-control-max-age': { value: '86400' },
  };
  return { statusCode: 204, statusDescription: 'No Content', headers: h };
}

function handler(event) {
  var request = event.request;
  if (request.method === 'OPTIONS') return preflight(request.headers || {});
  // Writes are not ours to map: the CDN behaviour only allows reads, and the local server routes the rest.
  if (request.method !== 'GET' && request.method !== 'HEAD') return request;
  try {
    var key = route(request.uri, request.querystring || {}, request.headers || {});
    if (typeof key !== 'string') return key;
    request.uri = '/' + key;
    request.querystring = {};
    return request;
  } catch (e) {
    if (e && e.edgeStatus) return problem(e.edgeStatus, e.detail);
    throw e;
  }
}
