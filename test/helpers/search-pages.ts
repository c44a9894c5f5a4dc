import { classifyKey } from '../../core/layout/key-shapes.js';
import { PAGE_FAMILIES } from '../../core/layout/pages.js';
import { SEARCH_PAGE_MAX_FIELD, termPrefixes } from '../../core/layout/search-page-keys.js';
import { type SearchableServer, serverTerms } from '../../core/search/text.js';

/** Whether a key is a `?search=` result page. */
export function isSearchPageKey(key: string): boolean {
  const kind = classifyKey(key)?.kind;
  return kind === 'search-first' || kind === 'search-after';
}

/** The word prefixes whose result pages hold a server (its name and title terms' prefixes). */
export function searchPrefixesOf(server: SearchableServer): Set<string> {
  return new Set(
    [...serverTerms(server)]
      .filter(([, field]) => field <= SEARCH_PAGE_MAX_FIELD)
      .flatMap(([term]) => termPrefixes(term)),
  );
}

/**
 * The most result pages one publish of `server` may write: per prefix and page family, the page it
 * lands in and at most one more before the new layout meets the old one (builder/search-pages.ts).
 */
export function searchPagesBound(server: SearchableServer): number {
  return searchPrefixesOf(server).size * PAGE_FAMILIES.length * 2;
}
