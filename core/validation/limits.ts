import {
  MAX_ISSUES,
  MAX_ITEMS,
  MAX_JSON_CONTAINERS,
  MAX_JSON_DEPTH,
  MAX_OTHER_ITEMS,
  MAX_STRING_LENGTH,
  MAX_URL_LENGTH,
} from '../limits.js';
import { isRecord } from './guards.js';
import { type RuleIssue, semanticError } from './types.js';

/**
 * The first pass over a document: one iterative walk (no recursion, so nesting cannot overflow the
 * stack), linear in the document's size, before ajv or any rule sees it. It refuses what no real
 * server.json needs and what would make the later passes slow or the stored row impossible: nesting
 * past MAX_JSON_DEPTH, arrays and objects past their item caps, strings past their length caps, and
 * text PostgreSQL's jsonb cannot hold (U+0000, unpaired surrogates). When it reports anything the
 * validator stops there, so the schema and the rules only ever run on bounded input.
 */

/** Property names whose string value is a URL (capped at MAX_URL_LENGTH). */
const URL_FIELDS = new Set(['url', 'src', 'websiteUrl', 'registryBaseUrl']);

interface Pending {
  value: unknown;
  path: string;
  depth: number;
  /** The property name the value sits under (array items inherit their array's). */
  field: string;
}

export function checkLimits(doc: unknown): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const stack: Pending[] = [{ value: doc, path: '', depth: 0, field: '' }];
  while (stack.length > 0 && issues.length < MAX_ISSUES) {
    const { value, path, depth, field } = stack.pop() as Pending;
    if (typeof value === 'string') {
      const problem = textProblem(value, URL_FIELDS.has(field) ? MAX_URL_LENGTH : MAX_STRING_LENGTH);
      if (problem) issues.push(problem(path || 'value'));
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_JSON_DEPTH) {
      issues.push(
        semanticError(path, 'limit-depth', `nesting deeper than ${MAX_JSON_DEPTH} levels is not accepted`),
      );
      continue;
    }
    if (Array.isArray(value)) {
      const cap = MAX_ITEMS[field] ?? MAX_OTHER_ITEMS;
      if (value.length > cap) {
        issues.push(semanticError(path, 'limit-items', `at most ${cap} items are accepted`));
        continue;
      }
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push({ value: value[i], path: `${path}[${i}]`, depth: depth + 1, field });
      }
      continue;
    }
    if (!isRecord(value)) continue;
    const keys = Object.keys(value);
    if (keys.length > MAX_OTHER_ITEMS) {
      issues.push(semanticError(path, 'limit-items', `at most ${MAX_OTHER_ITEMS} properties are accepted`));
      continue;
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] as string;
      const keyProblem = textProblem(key, MAX_STRING_LENGTH);
      const child = keyProblem ? '' : path === '' ? key : `${path}.${key}`;
      if (keyProblem) {
        issues.push(keyProblem(`${path || 'value'} (a property name)`));
        continue;
      }
      stack.push({ value: value[key], path: child, depth: depth + 1, field: key });
    }
  }
  return issues;
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one (linear). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/**
 * Why a piece of text cannot be stored, or undefined. U+0000 and unpaired surrogates are valid in a
 * JavaScript string and in JSON escapes, but not in PostgreSQL text or jsonb, nor in UTF-8.
 */
function textProblem(text: string, maxLength: number): ((path: string) => RuleIssue) | undefined {
  if (text.length > maxLength) {
    return (path) => semanticError(path, 'limit-length', `must be at most ${maxLength} characters`);
  }
  if (text.includes('\u0000')) {
    return (path) => semanticError(path, 'text-nul', 'must not contain the NUL character (U+0000)');
  }
  if (hasLoneSurrogate(text)) {
    return (path) =>
      semanticError(path, 'text-surrogate', 'must not contain unpaired surrogates (invalid Unicode)');
  }
  return undefined;
}

/** At most MAX_ISSUES issues; when there were more, the last one says how many were left out. */
export function capIssues<T extends { path: string }>(
  issues: readonly T[],
  summary: (omitted: number) => T,
): T[] {
  if (issues.length <= MAX_ISSUES) return [...issues];
  return [...issues.slice(0, MAX_ISSUES - 1), summary(issues.length - (MAX_ISSUES - 1))];
}

/** What the text scan refuses, with the issue reference `/validate` reports it under. */
export interface ShapeProblem {
  reference: 'limit-json' | 'limit-items';
  message: string;
}

/**
 * What is wrong with the shape of JSON text, found by one pass over the text (brackets and commas
 * inside strings skipped) before JSON.parse builds anything, or undefined: nesting deeper than
 * `bounds.depth` (parsing 500,000 levels of `[`, a 1 MiB body, costs ~0.9 s of CPU), more than
 * `bounds.containers` objects and arrays in all, or one object or array with more than `bounds.items`
 * members (by default MAX_OTHER_ITEMS, the largest item cap checkLimits applies after parsing; an
 * object of 60,000 keys costs ~70 ms to parse and enumerate). Counted on the text, so repeated keys
 * count each time.
 */
export function jsonShapeProblem(
  text: string,
  bounds: { depth: number; containers: number; items?: number } = {
    depth: MAX_JSON_DEPTH,
    containers: MAX_JSON_CONTAINERS,
  },
): ShapeProblem | undefined {
  const items = bounds.items ?? MAX_OTHER_ITEMS;
  /** Commas seen so far in the open container at each depth (members = commas + 1). */
  const commas: number[] = [];
  let depth = 0;
  let containers = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x2c) {
      if (depth > 0 && ++(commas[depth] as number) >= items) {
        return {
          reference: 'limit-items',
          message: `an object or array with more than ${items} members is not accepted`,
        };
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > bounds.depth) {
        return {
          reference: 'limit-json',
          message: `JSON nested deeper than ${bounds.depth} levels is not accepted`,
        };
      }
      if (++containers > bounds.containers) {
        return {
          reference: 'limit-json',
          message: `JSON with more than ${bounds.containers} objects and arrays is not accepted`,
        };
      }
      commas[depth] = 0;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return undefined;
}
