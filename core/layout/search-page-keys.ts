import { isValidServerName } from '../names.js';
import { encodeVersionSegment, type ListPagesId } from './keys.js';
import type { PageFamily } from './pages.js';

/**
 * The `?search=` result pages: for each word prefix the edge can ask for, the `latest` view's servers
 * having a name or title term (core/search/text.ts) that starts with it, paginated like the lists
 * (same page families, same content-defined cuts, cursor `name:version`). The edge function
 * (cdn/edge/viewer-request.js) maps `GET /v0.1/servers?search=<q>` onto these keys with its own ES5
 * copy; test/cdn/viewer-request.test.ts proves the two agree.
 *
 * A prefix is what the edge can fold without Unicode tables: 2 to 40 of `[a-z0-9]` (the query
 * lower-cased). Terms with other letters still give pages for their ASCII beginning
 * (`straße` → `st`, `str`, `stra`).
 */

/** Shortest and longest prefix with pages (a term is 2 to 40 code points: core/search/text.ts). */
export const MIN_SEARCH_PREFIX = 2;
export const MAX_SEARCH_PREFIX = 40;
/** The fields whose terms have pages: 0 name, 1 title (core/search/text.ts SEARCH_FIELDS). */
export const SEARCH_PAGE_MAX_FIELD = 1;

const PREFIX = /^[a-z0-9]{2,40}$/;
const ASCII_HEAD = /^[a-z0-9]*/;

/** @example isSearchPrefix('wea') // true @example isSearchPrefix('w') // false */
export function isSearchPrefix(prefix: string): boolean {
  return PREFIX.test(prefix);
}

function checkedPrefix(prefix: string): string {
  if (!isSearchPrefix(prefix)) throw new RangeError(`not a search prefix: ${JSON.stringify(prefix)}`);
  return prefix;
}

/**
 * The prefixes with pages that a term belongs to: every beginning of its `[a-z0-9]` head of at
 * least two characters.
 *
 * @example termPrefixes('weather') // ['we', 'wea', 'weat', 'weath', 'weathe', 'weather']
 * @example termPrefixes('straße') // ['st', 'str', 'stra']
 */
export function termPrefixes(term: string): string[] {
  const head = (ASCII_HEAD.exec(term)?.[0] ?? '').slice(0, MAX_SEARCH_PREFIX);
  const prefixes: string[] = [];
  for (let n = MIN_SEARCH_PREFIX; n <= head.length; n++) prefixes.push(head.slice(0, n));
  return prefixes;
}

/**
 * The smallest string above every term that starts with `prefix`, in byte order (its last
 * character, `[a-z0-9]`, plus one): terms with the prefix are `>= prefix and < searchPrefixEnd`.
 *
 * @example searchPrefixEnd('we') // 'wf'
 */
export function searchPrefixEnd(prefix: string): string {
  const p = checkedPrefix(prefix);
  return p.slice(0, -1) + String.fromCharCode(p.charCodeAt(p.length - 1) + 1);
}

/**
 * Which pages, as the builder records them with each page (tree_objects.list_view).
 *
 * @example searchPagesId('wea', 25) // 'search/wea/25'
 */
export type SearchPagesId = `search/${string}/${PageFamily}`;
export function searchPagesId(prefix: string, family: PageFamily): SearchPagesId {
  return `search/${checkedPrefix(prefix)}/${family}`;
}

/** Any recorded page set: a list view's or a search prefix's. */
export type PagesId = ListPagesId | SearchPagesId;

/**
 * `GET /v0.1/servers?search={prefix}[&limit=…]`: the first result page.
 *
 * @example searchFirstPageKey('wea', 25) // 'search/q/25/wea/first.json'
 */
export function searchFirstPageKey(prefix: string, family: PageFamily): string {
  return `search/q/${family}/${checkedPrefix(prefix)}/first.json`;
}

/**
 * `GET /v0.1/servers?search={prefix}&cursor={name}:{version}[&limit=…]`.
 *
 * @example searchPageAfterKey('wea', 10, 'io.github.alice/weather', '1.0.0') // 'search/q/10/wea/after/io.github.alice/weather/1.0.0.json'
 */
export function searchPageAfterKey(
  prefix: string,
  family: PageFamily,
  name: string,
  version: string,
): string {
  if (!isValidServerName(name)) throw new RangeError(`not a valid server name: ${JSON.stringify(name)}`);
  return `search/q/${family}/${checkedPrefix(prefix)}/after/${name}/${encodeVersionSegment(version)}.json`;
}
