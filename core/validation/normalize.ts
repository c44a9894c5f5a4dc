import { PUBLISHER_PROVIDED_META_KEY, type ServerJson } from '../server-json.js';
import { isRecord } from './guards.js';

/**
 * Returns the document as stored: `_meta` keeps only the publisher-provided object (the official
 * registry's Go struct has no other field, so other keys vanish on decode), and `_meta` itself is
 * removed when nothing is left. Pure: the input is not mutated and shares nothing with the result.
 */
export function normalizeServerJson(doc: ServerJson): ServerJson {
  const { _meta: meta, ...rest } = structuredClone(doc);
  const publisherProvided = isRecord(meta) ? meta[PUBLISHER_PROVIDED_META_KEY] : undefined;
  if (!isRecord(publisherProvided)) return rest as ServerJson;
  return { ...rest, _meta: { [PUBLISHER_PROVIDED_META_KEY]: publisherProvided } } as ServerJson;
}

/**
 * Drops the top-level fields `known` does not name, as the official registry does (it decodes a
 * submission into its server.json struct, so unknown fields vanish). Nested objects are kept as
 * they are. Shallow: the result shares nested values with the input.
 */
export function dropUnknownTopLevelFields(doc: ServerJson, known: ReadonlySet<string>): ServerJson {
  return Object.fromEntries(Object.entries(doc).filter(([key]) => known.has(key))) as ServerJson;
}

const UTF8 = new TextEncoder();

/** Bytes of the document as stored and rendered (compact JSON, UTF-8). */
export function storedSize(doc: ServerJson): number {
  return UTF8.encode(JSON.stringify(doc)).length;
}

/**
 * Size in bytes of the publisher-provided object as the official registry measures it (Go
 * `json.Marshal`): compact JSON in UTF-8, where Go additionally escapes `<`, `>`, `&` (as \u003c …) and
 * U+2028/U+2029, so those count 6 bytes each. 0 when absent; never throws.
 */
export function publisherProvidedSize(doc: unknown): number {
  if (!isRecord(doc) || !isRecord(doc._meta)) return 0;
  const value = doc._meta[PUBLISHER_PROVIDED_META_KEY];
  if (value === undefined) return 0;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    return 0; // not JSON (cycles, BigInt): cannot come from a parsed request body
  }
  if (json === undefined) return 0;
  let extra = 0;
  for (const ch of json) {
    if (ch === '<' || ch === '>' || ch === '&') extra += 5;
    else if (ch === '\u2028' || ch === '\u2029') extra += 3;
  }
  return UTF8.encode(json).length + extra;
}
