/**
 * Search text, once: how a server's text and a query become terms. The builder indexes with it
 * (db/repositories/search-terms.ts), the `?search=` pages are cut by it, and the browser/Node search
 * client ranks with it, so this module imports nothing (no node: modules) and runs in a browser.
 *
 * A term is a run of letters and digits, case- and accent-folded (NFKD, combining marks removed,
 * lower-cased), 2 to 40 code points long. Words in camelCase also give their parts
 * (`WeatherAPI` → `weatherapi`, `weather`, `api`), so `api` finds it as well.
 */

/** Where a term was found, best first: the order results rank by. */
export const SEARCH_FIELDS = ['name', 'title', 'description', 'package', 'remote'] as const;
export type SearchField = (typeof SEARCH_FIELDS)[number];
/** A field's rank (0 = name, the best). */
export type FieldRank = 0 | 1 | 2 | 3 | 4;

export const MIN_TERM_LENGTH = 2;
export const MAX_TERM_LENGTH = 40;
/** Distinct terms indexed per server at most (the first ones met, best fields first). */
export const MAX_TERMS_PER_SERVER = 96;

const WORD = /[\p{L}\p{N}]+/gu;
const MARKS = /\p{M}+/gu;
// A lower-case letter or digit followed by an upper-case one, or an upper-case run before a capitalised word.
const CAMEL_BOUNDARY = /(?<=[\p{Ll}\p{N}])(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/u;

/**
 * Case and accent folding.
 *
 * @example fold('Café Ｍｃｐ') // 'cafe mcp'
 */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(MARKS, '').toLowerCase();
}

function keep(word: string): boolean {
  const length = [...word].length;
  return length >= MIN_TERM_LENGTH && length <= MAX_TERM_LENGTH;
}

/**
 * The terms of a text, in order of appearance, without repeats.
 *
 * @example textTerms('WeatherAPI for io.github.alice — Café') // ['weatherapi', 'weather', 'api', 'for', 'io', 'github', 'alice', 'cafe']
 */
export function textTerms(text: string): string[] {
  const terms = new Set<string>();
  for (const raw of text.normalize('NFKD').replace(MARKS, '').match(WORD) ?? []) {
    const whole = raw.toLowerCase();
    if (keep(whole)) terms.add(whole);
    const parts = raw.split(CAMEL_BOUNDARY);
    if (parts.length > 1)
      for (const part of parts) if (keep(part.toLowerCase())) terms.add(part.toLowerCase());
  }
  return [...terms];
}

/**
 * The words of a query: folded, split like indexed text (no camelCase parts: a query is matched by
 * prefix against terms that already hold them), one-letter words dropped, without repeats.
 *
 * @example queryWords('  Weather-API  x ') // ['weather', 'api']
 */
export function queryWords(query: string): string[] {
  return [...new Set(fold(query).match(WORD) ?? [])].filter(keep);
}

/** The parts of a server document that search reads (a server.json, or any object of that shape). */
export interface SearchableServer {
  name: string;
  title?: unknown;
  description?: unknown;
  packages?: unknown;
  remotes?: unknown;
}

function strings(list: unknown, field: string): string[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown) => {
    const value = item && typeof item === 'object' ? (item as Record<string, unknown>)[field] : undefined;
    return typeof value === 'string' ? [value] : [];
  });
}

/** A remote URL's host (`https://api.example.com/mcp` → `api.example.com`); '' when it has none. */
function hostOf(url: string): string {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url);
  return (match?.[1] ?? '').replace(/^.*@/, '').replace(/:\d*$/, '');
}

/** The text of each field of a server, best field first. */
export function fieldTexts(server: SearchableServer): Record<SearchField, string[]> {
  const text = (v: unknown) => (typeof v === 'string' ? [v] : []);
  return {
    name: [server.name],
    title: text(server.title),
    description: text(server.description),
    package: strings(server.packages, 'identifier'),
    remote: strings(server.remotes, 'url').map(hostOf),
  };
}

/**
 * Every term of a server with the best field it occurs in (name before title before description
 * before packages before remote hosts), at most MAX_TERMS_PER_SERVER, best fields first.
 *
 * @example serverTerms({ name: 'io.github.alice/weather', title: 'Weather' }) // Map { 'io' => 0, 'github' => 0, 'alice' => 0, 'weather' => 0 }
 */
export function serverTerms(server: SearchableServer): Map<string, FieldRank> {
  const terms = new Map<string, FieldRank>();
  const texts = fieldTexts(server);
  SEARCH_FIELDS.forEach((field, rank) => {
    for (const text of texts[field]) {
      for (const term of textTerms(text)) {
        if (terms.size >= MAX_TERMS_PER_SERVER) return;
        if (!terms.has(term)) terms.set(term, rank as FieldRank);
      }
    }
  });
  return terms;
}

/**
 * The term shard a term belongs to: its first two code points (every term has at least two).
 *
 * @example shardOf('weather') // 'we'
 */
export function shardOf(term: string): string {
  return [...term].slice(0, 2).join('');
}
