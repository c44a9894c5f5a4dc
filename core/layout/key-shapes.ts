import { PAGE_FAMILIES, type PageFamily } from './pages.js';
import type { ListView } from './views.js';

/**
 * Which key of the static tree is this: the inverse of the key builders in core/layout/keys.ts, one
 * anchored pattern per kind. Writers assert `isTreeKey`, stores refuse anything else, and the edge
 * tests prove the edge function never maps a URL outside these shapes; a new kind of key is added to
 * both modules together.
 */

const NAME_SOURCE = '[A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9]/[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]';
// A version segment never consists only of dots (they are escaped), so `\.+` is excluded.
const SEGMENT_SOURCE = '(?!\\.+\\.json(?:\\.sig)?$)[A-Za-z0-9._~-]+';
const DAY_SOURCE = '\\d{4}-\\d\\d-\\d\\d';
const VIEW_SOURCE = 'live|all|latest|latest\\.all';
const FAMILY_SOURCE = PAGE_FAMILIES.join('|');
// An encoded shard prefix: two code points, each a letter or digit kept as is or its UTF-8 bytes as `~XX`.
const SHARD_PREFIX_SOURCE = '(?:[A-Za-z0-9]|(?:~[0-9A-F]{2}){1,4}){2}';
const SEARCH_HASH_SOURCE = '[0-9a-f]{12}';
// core/layout/search-page-keys.ts: a search prefix is 2 to 40 of [a-z0-9].
const PREFIX_SOURCE = '[a-z0-9]{2,40}';

/** What a key of the tree is, with the parts its builder was given (a version as its encoded segment). */
export type TreeKey =
  | { kind: 'root' }
  | { kind: 'snapshot-pointer' }
  | { kind: 'snapshot-data' | 'snapshot-manifest'; day: string }
  | { kind: 'build-manifest'; build: number }
  | { kind: 'public-key'; format: 'pem' | 'jwk' }
  | { kind: 'not-found' }
  | { kind: 'server-versions' | 'server-latest'; name: string; includeDeleted: boolean }
  | { kind: 'server-version'; name: string; segment: string; includeDeleted: boolean }
  | { kind: 'list-first'; view: ListView; family: PageFamily }
  | { kind: 'list-after'; view: ListView; family: PageFamily; name: string; segment: string }
  | { kind: 'feed-page'; day: string; page: number }
  | { kind: 'search-manifest' }
  | { kind: 'search-terms'; prefix: string; hash: string }
  | { kind: 'search-docs'; bucket: number; hash: string }
  | { kind: 'browse-page' }
  | { kind: 'browse-script'; hash: string }
  | { kind: 'server-page'; name: string }
  | { kind: 'search-first'; prefix: string; family: PageFamily }
  | { kind: 'search-after'; prefix: string; family: PageFamily; name: string; segment: string };

export type TreeKeyKind = TreeKey['kind'];

/** One anchored pattern per kind of key; its groups become the classified parts. */
const KEY_SHAPES: readonly { pattern: RegExp; parts: (m: string[]) => TreeKey }[] = [
  { pattern: /^index\.json$/, parts: () => ({ kind: 'root' }) },
  { pattern: /^snapshots\/latest\.json$/, parts: () => ({ kind: 'snapshot-pointer' }) },
  {
    pattern: new RegExp(`^snapshots/(${DAY_SOURCE})/(servers\\.json\\.gz|manifest\\.json)$`),
    parts: (m) => ({
      kind: m[2] === 'manifest.json' ? 'snapshot-manifest' : 'snapshot-data',
      day: m[1] as string,
    }),
  },
  {
    pattern: /^manifest\/([1-9]\d*)\.json$/,
    parts: (m) => ({ kind: 'build-manifest', build: Number(m[1]) }),
  },
  {
    pattern: /^keys\/site-signing-key\.(pem|jwk\.json)$/,
    parts: (m) => ({ kind: 'public-key', format: m[1] === 'pem' ? 'pem' : 'jwk' }),
  },
  { pattern: /^errors\/not-found\.json$/, parts: () => ({ kind: 'not-found' }) },
  {
    pattern: new RegExp(`^servers/(${NAME_SOURCE})/(index|latest)(\\.all)?\\.json$`),
    parts: (m) => ({
      kind: m[2] === 'index' ? 'server-versions' : 'server-latest',
      name: m[1] as string,
      includeDeleted: m[3] !== undefined,
    }),
  },
  {
    pattern: new RegExp(`^servers/(${NAME_SOURCE})/(va?)/(${SEGMENT_SOURCE})\\.json$`),
    parts: (m) => ({
      kind: 'server-version',
      name: m[1] as string,
      segment: m[3] as string,
      includeDeleted: m[2] === 'va',
    }),
  },
  {
    pattern: new RegExp(`^lists/(${VIEW_SOURCE})/(${FAMILY_SOURCE})/first\\.json$`),
    parts: (m) => ({ kind: 'list-first', view: m[1] as ListView, family: Number(m[2]) as PageFamily }),
  },
  {
    pattern: new RegExp(
      `^lists/(${VIEW_SOURCE})/(${FAMILY_SOURCE})/after/(${NAME_SOURCE})/(${SEGMENT_SOURCE})\\.json$`,
    ),
    parts: (m) => ({
      kind: 'list-after',
      view: m[1] as ListView,
      family: Number(m[2]) as PageFamily,
      name: m[3] as string,
      segment: m[4] as string,
    }),
  },
  {
    pattern: new RegExp(`^feed/(${DAY_SOURCE})/(0|[1-9]\\d*)\\.json$`),
    parts: (m) => ({ kind: 'feed-page', day: m[1] as string, page: Number(m[2]) }),
  },
  { pattern: /^search\/index\.json$/, parts: () => ({ kind: 'search-manifest' }) },
  {
    pattern: new RegExp(`^search/terms/(${SHARD_PREFIX_SOURCE})\\.(${SEARCH_HASH_SOURCE})\\.json$`),
    parts: (m) => ({ kind: 'search-terms', prefix: m[1] as string, hash: m[2] as string }),
  },
  {
    pattern: new RegExp(`^search/docs/(0|[1-9]\\d*)\\.(${SEARCH_HASH_SOURCE})\\.json$`),
    parts: (m) => ({ kind: 'search-docs', bucket: Number(m[1]), hash: m[2] as string }),
  },
  { pattern: /^index\.html$/, parts: () => ({ kind: 'browse-page' }) },
  {
    pattern: /^app\/browse\.([0-9a-f]{16})\.js$/,
    parts: (m) => ({ kind: 'browse-script', hash: m[1] as string }),
  },
  {
    pattern: new RegExp(`^servers/(${NAME_SOURCE})/index\\.html$`),
    parts: (m) => ({ kind: 'server-page', name: m[1] as string }),
  },
  {
    pattern: new RegExp(`^search/q/(${FAMILY_SOURCE})/(${PREFIX_SOURCE})/first\\.json$`),
    parts: (m) => ({ kind: 'search-first', family: Number(m[1]) as PageFamily, prefix: m[2] as string }),
  },
  {
    pattern: new RegExp(
      `^search/q/(${FAMILY_SOURCE})/(${PREFIX_SOURCE})/after/(${NAME_SOURCE})/(${SEGMENT_SOURCE})\\.json$`,
    ),
    parts: (m) => ({
      kind: 'search-after',
      family: Number(m[1]) as PageFamily,
      prefix: m[2] as string,
      name: m[3] as string,
      segment: m[4] as string,
    }),
  },
];

const SIGNATURE_SUFFIX = '.sig';

/**
 * What `key` is, or undefined for anything this module cannot build. A detached signature
 * (`….sig`) classifies as the key it signs, with `signature: true`.
 *
 * @example classifyKey('servers/io.github.alice/weather/va/1.0.0~2Bb1.json') // { kind: 'server-version', name: 'io.github.alice/weather', segment: '1.0.0~2Bb1', includeDeleted: true, signature: false }
 * @example classifyKey('index.json.sig') // { kind: 'root', signature: true }
 * @example classifyKey('servers/../etc/passwd') // undefined
 */
export function classifyKey(key: string): (TreeKey & { signature: boolean }) | undefined {
  const signature = key.endsWith(SIGNATURE_SUFFIX);
  const signed = signature ? key.slice(0, -SIGNATURE_SUFFIX.length) : key;
  for (const shape of KEY_SHAPES) {
    const m = shape.pattern.exec(signed);
    if (m) return { ...shape.parts([...m] as string[]), signature };
  }
  return undefined;
}

/**
 * Whether a key belongs to the tree (any key the builders here make, or its signature). Writers can
 * assert it; the edge tests use it to prove the edge never maps a URL outside the tree.
 */
export function isTreeKey(key: string): boolean {
  return classifyKey(key) !== undefined;
}

/** Matches exactly the keys `isTreeKey` accepts (for callers that need a RegExp). */
export const KEY_PATTERN = new RegExp(
  `^(?:${KEY_SHAPES.map((shape) => shape.pattern.source.slice(1, -1)).join('|')})(?:\\.sig)?$`,
);

/**
 * The day of a dated snapshot object (its data, manifest or the manifest's signature), else undefined.
 *
 * @example snapshotDayOf('snapshots/2025-10-02/manifest.json.sig') // '2025-10-02'
 * @example snapshotDayOf('snapshots/latest.json') // undefined
 */
export function snapshotDayOf(key: string): string | undefined {
  const k = classifyKey(key);
  return k?.kind === 'snapshot-data' || k?.kind === 'snapshot-manifest' ? k.day : undefined;
}

/** Keys that record history (feed pages, snapshots, build manifests, the root): never re-rendered. */
const HISTORY_KINDS: ReadonlySet<TreeKeyKind> = new Set<TreeKeyKind>([
  'root',
  'snapshot-pointer',
  'snapshot-data',
  'snapshot-manifest',
  'build-manifest',
  'feed-page',
  // A page cached for a minute may still name an earlier script: scripts are never deleted.
  'browse-script',
]);

/**
 * Whether the key records history or points at it (feed pages, snapshots, build manifests, the
 * root): a full build renders none of these from the rows, and leaves them alone.
 *
 * @example isHistoryKey('feed/2025-10-02/0.json') // true
 * @example isHistoryKey('servers/io.github.alice/weather/index.json') // false
 */
export function isHistoryKey(key: string): boolean {
  const kind = classifyKey(key)?.kind;
  return kind !== undefined && HISTORY_KINDS.has(kind);
}

/**
 * Kinds kept readable for a grace period once superseded: list pages and `?search=` result pages
 * after the first (crawlers hold their cursors), the search index's content-addressed shards and
 * buckets (readers hold an older manifest that names them). A search prefix's first page is not:
 * it is superseded only when no server has the prefix any more, and goes at once (nobody holds a
 * cursor to a first page; a fresh query must not list what is gone).
 */
const GRACE_KINDS: ReadonlySet<TreeKeyKind> = new Set<TreeKeyKind>([
  'list-first',
  'list-after',
  'search-after',
  'search-terms',
  'search-docs',
]);

/**
 * Whether a superseded key stays readable for a grace period instead of being deleted at once.
 *
 * @example isGraceKey('lists/live/25/first.json') // true
 * @example isGraceKey('search/terms/we.a1b2c3d4e5f6.json') // true
 * @example isGraceKey('search/q/25/wea/first.json') // false
 */
export function isGraceKey(key: string): boolean {
  const kind = classifyKey(key)?.kind;
  return kind !== undefined && GRACE_KINDS.has(kind);
}
