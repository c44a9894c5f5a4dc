import { type DocRecord, recordServer, type TermShard, termPostings } from './index-format.js';
import { type FieldRank, fold, queryWords, serverTerms, textTerms } from './text.js';

/**
 * Ranking, once: where a term sits in a server (its match slot), what a query word costs against it,
 * and how candidates and result pages are ordered. The builder files postings by slot
 * (builder/search-index.ts), and readers (client/search.ts) rank with the same functions, so the
 * order the index gives and the order a page shows agree. Pure and browser-safe.
 *
 * Slots, best first: 0 the whole short name (`weather` in `io.github.alice/weather`), 1 a word of the
 * short name, 2 a word of the namespace, 3 title, 4 description, 5 package identifier, 6 remote host.
 * A word costs `2 × slot` when it is the term, one more when it is only a prefix of it; a server's
 * cost is the sum over the query's words of each word's cheapest term.
 */
export const MATCH_SLOTS = 7;

/** The part of a name after the `/` (the server's own name within its namespace). */
function shortName(name: string): string {
  return name.slice(name.indexOf('/') + 1);
}

/**
 * The slot of a term that occurs first in `field` (core/search/text.ts ranks) of server `name`.
 * `shortTerms` is what `shortNameTerms(name)` gives (callers cache it per server).
 *
 * @example matchSlot('weather', 0, shortNameTerms('io.github.alice/weather')) // 0
 * @example matchSlot('alice', 0, shortNameTerms('io.github.alice/weather')) // 2
 * @example matchSlot('forecast', 2, shortNameTerms('io.github.alice/weather')) // 4
 */
export function matchSlot(term: string, field: FieldRank, shortTerms: ShortNameTerms): number {
  if (field > 0) return field + 2;
  if (shortTerms.whole === term) return 0;
  return shortTerms.terms.has(term) ? 1 : 2;
}

export interface ShortNameTerms {
  /** The short name as one folded word, when it is one (`WeatherAPI` → `weatherapi`). */
  whole: string | undefined;
  /** Every term of the short name (camelCase parts included). */
  terms: ReadonlySet<string>;
}

export function shortNameTerms(name: string): ShortNameTerms {
  const short = shortName(name);
  const words = queryWords(short);
  return { whole: words.length === 1 ? words[0] : undefined, terms: new Set(textTerms(short)) };
}

/** What `word` costs against `term` in `slot`. */
export function matchCost(slot: number, exact: boolean): number {
  return 2 * slot + (exact ? 0 : 1);
}

/**
 * The cheapest cost of `word` per doc in one term shard: every term the word is a prefix of (the
 * word itself included), every slot.
 */
export function wordMatches(shard: TermShard, word: string): Map<number, number> {
  const best = new Map<number, number>();
  for (const term of Object.keys(shard)) {
    if (!term.startsWith(word)) continue;
    termPostings(shard, term).forEach((docs, slot) => {
      const cost = matchCost(slot, term === word);
      for (const doc of docs) {
        const known = best.get(doc);
        if (known === undefined || cost < known) best.set(doc, cost);
      }
    });
  }
  return best;
}

export interface Candidate {
  doc: number;
  cost: number;
}

/**
 * The docs every word matches (AND), cheapest first, then by doc number (older entries first).
 *
 * @example combineMatches([new Map([[3, 0], [5, 1]]), new Map([[5, 2]])]) // [{ doc: 5, cost: 3 }]
 */
export function combineMatches(perWord: readonly Map<number, number>[]): Candidate[] {
  if (perWord.length === 0) return [];
  const ordered = [...perWord].sort((a, b) => a.size - b.size);
  const [smallest, ...rest] = ordered as [Map<number, number>, ...Map<number, number>[]];
  const out: Candidate[] = [];
  for (const [doc, first] of smallest) {
    let cost = first;
    let all = true;
    for (const other of rest) {
      const c = other.get(doc);
      if (c === undefined) {
        all = false;
        break;
      }
      cost += c;
    }
    if (all) out.push({ doc, cost });
  }
  return out.sort((a, b) => a.cost - b.cost || a.doc - b.doc);
}

/**
 * A server's cost for the query's words, from its record: the same figure the index gives
 * (combineMatches), computed from the text itself; undefined when some word matches nothing.
 */
export function recordCost(words: readonly string[], record: DocRecord): number | undefined {
  const short = shortNameTerms(record[0]);
  const terms = [...serverTerms(recordServer(record))];
  let total = 0;
  for (const word of words) {
    let best: number | undefined;
    for (const [term, field] of terms) {
      if (!term.startsWith(word)) continue;
      const cost = matchCost(matchSlot(term, field, short), term === word);
      if (best === undefined || cost < best) best = cost;
    }
    if (best === undefined) return undefined;
    total += best;
  }
  return total;
}

/**
 * Whether the query names the server exactly: its full name, or its short name's words
 * (`weather api` for `io.github.alice/weather-api`).
 */
export function isExactName(query: string, record: DocRecord): boolean {
  const name = record[0];
  if (fold(query.trim()) === fold(name)) return true;
  const words = queryWords(query);
  const short = queryWords(shortName(name));
  return words.length === short.length && words.every((w, i) => w === short[i]);
}

export interface RankedDoc<T> {
  doc: number;
  cost: number;
  exact: boolean;
  value: T;
}

/** A page's order: exact names first, then cost, then doc number. */
export function comparePage<T>(a: RankedDoc<T>, b: RankedDoc<T>): number {
  return Number(b.exact) - Number(a.exact) || a.cost - b.cost || a.doc - b.doc;
}
