import { createHash } from 'node:crypto';
import { addDays, dayOf } from '../days.js';
import { isValidServerName } from '../names.js';
import type { PageFamily } from './pages.js';
import type { ListView } from './views.js';

/**
 * Every object key of the static tree, and the encodings they use (docs/static-tree.md). This is the
 * only module that builds keys. The edge function (cdn/edge/viewer-request.js) maps official URLs
 * onto the same keys with its own ES5 copy of these encodings; test/cdn/viewer-request.test.ts proves
 * the two agree, so change both together.
 *
 * Keys are relative to the bucket / site-output root and never start with `/`. Every character in a
 * key is one of `[A-Za-z0-9._~/-]`, so a key survives URL encoding, S3 (which reads `+` in a path as
 * a space) and case-sensitive or case-folding filesystems unchanged.
 */

/** Encoded version segments longer than this are shortened, keeping file names well under 255 bytes. */
const MAX_SEGMENT = 200;
/** How much of the readable encoding a shortened segment keeps before `~~` and the hash. */
const KEPT_PREFIX = 120;
const HASH_CHARS = 32;

const DAY_PATTERN = /^\d{4}-\d\d-\d\d$/;
const PAGE_PATTERN = /^(?:0|[1-9]\d*)$/;
// Unpaired UTF-16 surrogates have no UTF-8 form; the edge can never see one (decodeURIComponent rejects
// them), so refusing them here keeps both sides total over the same inputs.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const isKeptByte = (byte: number): boolean =>
  (byte >= 0x30 && byte <= 0x39) || // 0-9
  (byte >= 0x41 && byte <= 0x5a) || // A-Z
  (byte >= 0x61 && byte <= 0x7a) || // a-z
  byte === 0x2e || // .
  byte === 0x5f || // _
  byte === 0x2d; // -

/**
 * The file-name form of a version: UTF-8 bytes, `[A-Za-z0-9._-]` kept, every other byte `~XX`
 * (uppercase hex); an all-dots segment has its dots escaped; a segment longer than 200 characters
 * becomes its first 120 characters (never cutting a `~XX`) + `~~` + 32 hex chars of sha256(version).
 *
 * @example encodeVersionSegment('1.0.0+20130313144700') // '1.0.0~2B20130313144700'
 * @example encodeVersionSegment('..') // '~2E~2E'
 */
export function encodeVersionSegment(version: string): string {
  if (version === '') throw new RangeError('a version cannot be empty');
  if (LONE_SURROGATE.test(version)) throw new RangeError('a version must be valid Unicode');
  let encoded = '';
  for (const byte of Buffer.from(version, 'utf8')) {
    encoded += isKeptByte(byte)
      ? String.fromCharCode(byte)
      : `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  // `.` and `..` are directory references on every filesystem and in URL paths.
  if (/^\.+$/.test(encoded)) encoded = encoded.replaceAll('.', '~2E');
  if (encoded.length <= MAX_SEGMENT) return encoded;
  // An escape `~XX` starting at 118 or 119 would straddle the cut, so cut before it instead.
  const lastEscape = encoded.lastIndexOf('~', KEPT_PREFIX - 1);
  const cut = lastEscape >= KEPT_PREFIX - 2 ? lastEscape : KEPT_PREFIX;
  const hash = createHash('sha256').update(version, 'utf8').digest('hex').slice(0, HASH_CHARS);
  return `${encoded.slice(0, cut)}~~${hash}`;
}

function checkedName(name: string): string {
  // Names go into keys verbatim; only a valid name is guaranteed to be exactly two safe segments.
  if (!isValidServerName(name)) throw new RangeError(`not a valid server name: ${JSON.stringify(name)}`);
  return name;
}

/**
 * The folder holding every document of one server.
 *
 * @example serverPrefix('io.github.alice/weather') // 'servers/io.github.alice/weather/'
 */
export function serverPrefix(name: string): string {
  return `servers/${checkedName(name)}/`;
}

/**
 * `GET /v0.1/servers/{name}/versions[?include_deleted=true]`.
 *
 * @example serverVersionsKey('io.github.alice/weather', false) // 'servers/io.github.alice/weather/index.json'
 * @example serverVersionsKey('io.github.alice/weather', true) // 'servers/io.github.alice/weather/index.all.json'
 */
export function serverVersionsKey(name: string, includeDeleted: boolean): string {
  return `${serverPrefix(name)}${includeDeleted ? 'index.all' : 'index'}.json`;
}

/**
 * `GET /v0.1/servers/{name}/versions/latest[?include_deleted=true]`; the live form is absent while
 * the latest version is deleted.
 *
 * @example serverLatestKey('io.github.alice/weather', false) // 'servers/io.github.alice/weather/latest.json'
 * @example serverLatestKey('io.github.alice/weather', true) // 'servers/io.github.alice/weather/latest.all.json'
 */
export function serverLatestKey(name: string, includeDeleted: boolean): string {
  return `${serverPrefix(name)}${includeDeleted ? 'latest.all' : 'latest'}.json`;
}

/**
 * `GET /v0.1/servers/{name}/versions/{version}[?include_deleted=true]`; the `v/` form is absent for
 * deleted versions, the `va/` form holds every version.
 *
 * @example serverVersionKey('io.github.alice/weather', '1.0.0+b1', false) // 'servers/io.github.alice/weather/v/1.0.0~2Bb1.json'
 * @example serverVersionKey('io.github.alice/weather', '1.0.0', true) // 'servers/io.github.alice/weather/va/1.0.0.json'
 */
export function serverVersionKey(name: string, version: string, includeDeleted: boolean): string {
  return `${serverPrefix(name)}${includeDeleted ? 'va' : 'v'}/${encodeVersionSegment(version)}.json`;
}

/**
 * The server's browse page: every live version with its status, install hints and JSON links (HTML,
 * readable without JavaScript); absent, like the live versions list, when no version is live.
 *
 * @example serverPageKey('io.github.alice/weather') // 'servers/io.github.alice/weather/index.html'
 */
export function serverPageKey(name: string): string {
  return `${serverPrefix(name)}index.html`;
}

/** The browse page: what `/` serves to a browser (the edge function picks it by Accept). */
export const BROWSE_PAGE_KEY = 'index.html';

/**
 * The browse page's script, named by its content hash (immutable; earlier ones stay, for pages
 * still cached that name them).
 *
 * @example browseScriptKey('0123456789abcdef') // 'app/browse.0123456789abcdef.js'
 */
export function browseScriptKey(hash: string): string {
  if (!/^[0-9a-f]{16}$/.test(hash)) throw new RangeError(`not a 16-hex-digit hash: ${JSON.stringify(hash)}`);
  return `app/browse.${hash}.js`;
}

/**
 * Which list pages: a view and a page family (`limit` → family: core/layout/pages.ts). Stored with
 * each page in the builder's records as `{view}/{family}`.
 *
 * @example listPagesId('live', 25) // 'live/25'
 */
export type ListPagesId = `${ListView}/${PageFamily}`;
export function listPagesId(view: ListView, family: PageFamily): ListPagesId {
  return `${view}/${family}`;
}

/**
 * The first page of a list view (`GET /v0.1/servers[?limit=…]` without a cursor).
 *
 * @example listFirstPageKey('live', 25) // 'lists/live/25/first.json'
 */
export function listFirstPageKey(view: ListView, family: PageFamily): string {
  return `lists/${view}/${family}/first.json`;
}

/**
 * The page that follows the item (name, version): `GET /v0.1/servers?cursor={name}:{version}[&limit=…]`.
 *
 * @example listPageAfterKey('all', 10, 'io.github.alice/weather', '1.0.0') // 'lists/all/10/after/io.github.alice/weather/1.0.0.json'
 */
export function listPageAfterKey(view: ListView, family: PageFamily, name: string, version: string): string {
  return `lists/${view}/${family}/after/${checkedName(name)}/${encodeVersionSegment(version)}.json`;
}

/**
 * The `nextCursor` of a list page, in the official registry's `{name}:{version}` form.
 *
 * @example listCursor('io.github.alice/weather', '1.0.0') // 'io.github.alice/weather:1.0.0'
 */
export function listCursor(name: string, version: string): string {
  return `${name}:${version}`;
}

/** The first day of the change feed; `updated_since` earlier than this starts here. */
export const FEED_EPOCH_DAY = '2025-09-01';

function checkedDay(day: string): string {
  if (!DAY_PATTERN.test(day)) throw new RangeError(`not a YYYY-MM-DD day: ${JSON.stringify(day)}`);
  return day;
}

function checkedPage(page: number): number {
  if (!PAGE_PATTERN.test(String(page))) throw new RangeError(`not a page number: ${page}`);
  return page;
}

/**
 * Page `page` (from 0) of the change feed for one UTC day; immutable once the day is sealed.
 *
 * @example feedPageKey('2025-10-02', 0) // 'feed/2025-10-02/0.json'
 */
export function feedPageKey(day: string, page: number): string {
  return `feed/${checkedDay(day)}/${checkedPage(page)}.json`;
}

/**
 * The `nextCursor` of a feed page.
 *
 * @example feedCursor('2025-10-02', 1) // 'feed:2025-10-02:1'
 */
export function feedCursor(day: string, page: number): string {
  return `feed:${checkedDay(day)}:${checkedPage(page)}`;
}

/** Days per feed segment: `updated_since=T` starts at the first page of T's segment. */
export const FEED_SEGMENT_DAYS = 7;

/**
 * The segment (its first day) holding `day`: segments are the 7-day blocks counted from the feed
 * epoch (a Monday), so the edge finds one from a timestamp by arithmetic alone.
 *
 * @example feedSegmentOf('2025-09-10') // '2025-09-08'
 * @example feedSegmentOf('2024-01-01') // '2025-09-01'
 */
export function feedSegmentOf(day: string): string {
  if (day < FEED_EPOCH_DAY) return FEED_EPOCH_DAY;
  const since = Math.round(
    (Date.parse(`${checkedDay(day)}T00:00:00Z`) - Date.parse(`${FEED_EPOCH_DAY}T00:00:00Z`)) / 864e5,
  );
  return addDays(FEED_EPOCH_DAY, since - (since % FEED_SEGMENT_DAYS));
}

/**
 * The feed segment that answers `updated_since=T` (its first page is the object served): the
 * segment of T's UTC day, or the epoch's for earlier days. (Days after today are answered by the
 * edge function itself with an empty list.)
 *
 * @example feedStartDay('2024-01-01T00:00:00Z') // '2025-09-01'
 * @example feedStartDay('2025-09-10T12:00:00Z') // '2025-09-08'
 */
export function feedStartDay(updatedSince: string): string {
  return feedSegmentOf(dayOf(updatedSince));
}

/** The registry root document. @example ROOT_KEY // 'index.json' */
export const ROOT_KEY = 'index.json';

/** Points at the newest dated snapshot. @example SNAPSHOT_POINTER_KEY // 'snapshots/latest.json' */
export const SNAPSHOT_POINTER_KEY = 'snapshots/latest.json';

/**
 * The immutable objects of one nightly snapshot.
 *
 * @example snapshotKeys('2025-10-02') // { data: 'snapshots/2025-10-02/servers.json.gz', manifest: 'snapshots/2025-10-02/manifest.json', signature: 'snapshots/2025-10-02/manifest.json.sig' }
 */
export function snapshotKeys(day: string): { data: string; manifest: string; signature: string } {
  const dir = `snapshots/${checkedDay(day)}`;
  return {
    data: `${dir}/servers.json.gz`,
    manifest: `${dir}/manifest.json`,
    signature: signatureKeyFor(`${dir}/manifest.json`),
  };
}

/**
 * The immutable manifest of one build: every key it wrote (with sha256 and size) and every key it
 * deleted, and the previous build's manifest, so the chain of manifests describes the whole tree.
 *
 * @example buildManifestKey(42) // 'manifest/42.json'
 */
export function buildManifestKey(buildId: number): string {
  if (!Number.isSafeInteger(buildId) || buildId < 1) throw new RangeError(`not a build id: ${buildId}`);
  return `manifest/${buildId}.json`;
}

/**
 * The problem+json document the CDN answers with when the origin has no object for a URL (CloudFront's
 * custom error response for 404); not reachable through the edge mapping itself.
 *
 * @example NOT_FOUND_KEY // 'errors/not-found.json'
 */
export const NOT_FOUND_KEY = 'errors/not-found.json';

/** @example PUBLIC_KEY_PEM_KEY // 'keys/site-signing-key.pem' */
export const PUBLIC_KEY_PEM_KEY = 'keys/site-signing-key.pem';

/** @example PUBLIC_KEY_JWK_KEY // 'keys/site-signing-key.jwk.json' */
export const PUBLIC_KEY_JWK_KEY = 'keys/site-signing-key.jwk.json';

/**
 * The detached signature of a signed object.
 *
 * @example signatureKeyFor('snapshots/latest.json') // 'snapshots/latest.json.sig'
 */
export function signatureKeyFor(key: string): string {
  return `${key}.sig`;
}
