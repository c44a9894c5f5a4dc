// biome-ignore-all lint: nginx njs runtime (njs 0.7: ES5 and a little ES6)
// The local CDN in nginx (cdn/nginx/nginx.ts writes the module): appended after the unchanged
// cdn/edge/viewer-request.js, whose `handler` maps the request to a tree key exactly as it does on
// CloudFront and in the Node local CDN (cdn/local-server.ts); this part builds the CloudFront event
// from the nginx request (cdn/edge/load.ts toEdgeEvent) and answers from the filesystem target with
// the headers the builder recorded in the object's sidecar (store/filesystem.ts). nginx compresses
// (gzip, and brotli where its module is installed) and turns the ETag weak when it does.
// SITE_ROOT, WRITE_API, BROTLI and READ_PATH are defined by the generated header.
var fs = require('fs');

function addValue(target, name, value) {
  var existing = target[name];
  if (existing === undefined) {
    target[name] = { value: value };
    return;
  }
  if (!existing.multiValue) existing.multiValue = [{ value: existing.value }];
  existing.multiValue.push({ value: value });
}

function toEvent(r) {
  var target = r.variables.request_uri || '/';
  var absolute = /^[a-z][a-z0-9+.-]*:\/\/[^\/?]*/i.exec(target);
  if (absolute) target = target.slice(absolute[0].length);
  var question = target.indexOf('?');
  var path = question === -1 ? target : target.slice(0, question);
  var query = question === -1 ? '' : target.slice(question + 1);
  var querystring = Object.create(null);
  var pairs = query.split('&');
  for (var i = 0; i < pairs.length; i++) {
    var pair = pairs[i];
    if (pair === '') continue;
    var eq = pair.indexOf('=');
    addValue(querystring, eq === -1 ? pair : pair.slice(0, eq), eq === -1 ? '' : pair.slice(eq + 1));
  }
  var headers = Object.create(null);
  var raw = r.rawHeadersIn;
  for (var j = 0; j < raw.length; j++) addValue(headers, raw[j][0].toLowerCase(), raw[j][1]);
  return {
    version: '1.0',
    context: { eventType: 'viewer-request' },
    request: {
      method: r.method,
      uri: path.charAt(0) === '/' ? path : '/' + path,
      querystring: querystring,
      headers: headers,
    },
  };
}

function isRead(method, url) {
  if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') return false;
  return READ_PATH.test(url.split('?')[0]);
}

function sendProblem(r, status, title, detail, extra) {
  r.headersOut['Access-Control-Allow-Origin'] = '*';
  r.headersOut['Cache-Control'] = 'no-store';
  if (extra) for (var name in extra) r.headersOut[name] = extra[name];
  r.headersOut['Content-Type'] = 'application/problem+json';
  r.return(status, JSON.stringify({ title: title, status: status, detail: detail }));
}

// The answer for a key with no object: the same words as notFoundDetail in cdn/local-server.ts.
function notFound(r, key) {
  var m = /^servers\/[^\/]+\/[^\/]+\/(v|va|index|index\.all|latest|latest\.all)[\/.]/.exec(key);
  var detail = !m
    ? 'Not found: /' + key
    : m[1] === 'v' || m[1] === 'va'
      ? 'Server version not found'
      : 'Server not found';
  sendProblem(r, 404, 'Not Found', detail);
}

// As the stores require of every key (store/types.ts assertValidKey): no empty, `.` or `..` segment,
// and nothing under the sidecar tree.
function isTreeKey(key) {
  var segs = key.split('/');
  if (segs[0] === '.meta') return false;
  for (var i = 0; i < segs.length; i++) {
    if (segs[i] === '' || segs[i] === '.' || segs[i] === '..' || segs[i].indexOf('\0') >= 0) return false;
  }
  return true;
}

// RFC 9110 If-None-Match, compared weakly (etagMatches in cdn/local-server.ts).
function etagMatches(header, etag) {
  if (!header) return false;
  if (header.trim() === '*') return true;
  var strip = function (tag) {
    tag = tag.trim();
    return tag.indexOf('W/') === 0 ? tag.slice(2) : tag;
  };
  var tags = header.split(',');
  for (var i = 0; i < tags.length; i++) if (strip(tags[i]) === strip(etag)) return true;
  return false;
}

// Whether nginx will compress this answer (the configuration's gzip and brotli rules): the ETag of a
// compressed form is then weak, as CloudFront and the Node local CDN make it.
var COMPRESSIBLE = /^(?:application\/(?:[\w.+-]*\+)?json|text\/)/;
function compressed(r, meta, size) {
  if (meta.contentEncoding || size < 1024 || !COMPRESSIBLE.test(meta.contentType)) return false;
  if (r.httpVersion !== '1.1' && r.httpVersion !== '2.0') return false;
  var q = {};
  var parts = (r.headersIn['Accept-Encoding'] || '').toLowerCase().split(',');
  for (var i = 0; i < parts.length; i++) {
    var params = parts[i].trim().split(';');
    var value = 1;
    for (var j = 1; j < params.length; j++) {
      var p = params[j].trim();
      if (p.indexOf('q=') === 0) value = Number(p.slice(2)) || 0;
    }
    if (params[0]) q[params[0]] = value;
  }
  var accepts = function (coding) {
    return (coding in q ? q[coding] : '*' in q ? q['*'] : 0) > 0;
  };
  return accepts('gzip') || (BROTLI && accepts('br'));
}

function serve(r) {
  var method = r.method;
  // With a write API behind it, one URL answers everything: what is not a read (isReadRequest in
  // cdn/local-server.ts, whose READ_PATH the header copies) and every preflight go to the API.
  if (WRITE_API && (method === 'OPTIONS' || !isRead(method, r.variables.request_uri || '/'))) {
    return r.internalRedirect('@api');
  }
  if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') {
    return sendProblem(
      r,
      405,
      'Method Not Allowed',
      method + ' is not supported: the read API is static (GET, HEAD, OPTIONS)',
      {
        Allow: 'GET, HEAD, OPTIONS',
      },
    );
  }
  var result = handler(toEvent(r));
  if (result.statusCode) {
    r.headersOut['Access-Control-Allow-Origin'] = '*';
    for (var name in result.headers) r.headersOut[name] = result.headers[name].value;
    return r.return(result.statusCode, result.body ? result.body.data : '');
  }
  var key = result.uri.replace(/^\/+/, '');
  if (!isTreeKey(key)) return notFound(r, key);
  var meta;
  var body;
  try {
    meta = JSON.parse(fs.readFileSync(SITE_ROOT + '/.meta/' + key + '.json', 'utf8'));
    body = fs.readFileSync(SITE_ROOT + '/' + key);
  } catch (e) {
    return notFound(r, key);
  }
  r.headersOut['Access-Control-Allow-Origin'] = '*';
  r.headersOut.ETag = compressed(r, meta, body.length) ? 'W/' + meta.etag : meta.etag;
  r.headersOut['Cache-Control'] = meta.cacheControl;
  // `/` depends on Accept (the browse page or the root document), as cdn/local-server.ts says too.
  // Accept-Encoding is named here as well, so that whichever Vary header the edge cache in front
  // reads (this one or gzip_vary's), it keeps compressed and plain answers apart.
  if (/^\/(\?|$)/.test(r.variables.request_uri || '/')) r.headersOut['Vary'] = 'Accept, Accept-Encoding';
  if (etagMatches(r.headersIn['If-None-Match'], meta.etag)) {
    r.status = 304; // no body, no Content-Length (r.return would send one of 0)
    r.sendHeader();
    return r.finish();
  }
  // A type with `charset=utf-8` (HTML, JavaScript) goes out bare and nginx's charset filter adds the
  // charset back: gzip_types compares the whole header value, so with it nothing would compress.
  var typed = /^([^;]+);\s*charset=utf-8$/i.exec(meta.contentType);
  r.headersOut['Content-Type'] = typed ? typed[1] : meta.contentType;
  if (meta.contentEncoding) r.headersOut['Content-Encoding'] = meta.contentEncoding;
  r.return(200, body);
}

export default { serve: serve };
