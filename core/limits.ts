/**
 * Every bound the registry puts on what a publisher or a stranger can send, in one place. The
 * "Limits and abuse" section of ARCHITECTURE.md lists each with its reason; the README lists the
 * ones a publisher can hit. Real documents for scale (the official registry, late 2026): median
 * 552 bytes, p99 3.7 KB, largest 58 KB, at most a handful of packages/remotes each.
 */

/** Request bodies (Fastify `bodyLimit`): a server.json never needs more. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Stored size of one version's server.json (compact JSON, UTF-8), after normalisation: 2.2× the
 * largest real document. Every static document holds at most 100 versions (list and feed pages) or
 * one server's versions, so this bounds every rendered object.
 */
export const MAX_VERSION_BYTES = 128 * 1024;

/**
 * Sum of the stored sizes of every version of one server (deleted ones too: `include_deleted`
 * still lists them). The server's versions lists hold all of them in one document, so this keeps
 * that document far below V8's ~512 MiB string limit and a build's memory bounded.
 */
export const MAX_SERVER_BYTES = 32 * 1024 * 1024;

/** Versions one server may publish (the official registry's `maxServerVersionsPerServer`). */
export const MAX_VERSIONS_PER_SERVER = 10_000;

/** Nesting of objects and arrays in a document (the schema needs ~8; `_meta` gets room). */
export const MAX_JSON_DEPTH = 32;

/**
 * Objects and arrays in one request body, counted on the text before it is parsed: a real document
 * has a few hundred; 1 MiB of `{},` is 350,000, which costs ~200 ms of CPU to parse and collect.
 */
export const MAX_JSON_CONTAINERS = 10_000;

/** Items of the arrays the schema defines; anything past this is abuse, not a server. */
export const MAX_ITEMS: Readonly<Record<string, number>> = {
  packages: 64,
  remotes: 64,
  icons: 32,
  runtimeArguments: 128,
  packageArguments: 128,
  environmentVariables: 128,
  headers: 64,
};

/** Items of any other array, and properties of any object (unknown fields included). */
export const MAX_OTHER_ITEMS = 256;

/** Length of a URL-valued string (`url`, `src`, `websiteUrl`, …), in UTF-16 code units. */
export const MAX_URL_LENGTH = 2_048;

/** Length of any other string or property name, in UTF-16 code units. */
export const MAX_STRING_LENGTH = 16_384;

/** Length of a version string, in Unicode code points (as the schema's `maxLength: 255` counts). */
export const MAX_VERSION_LENGTH = 255;

/** Issues one validation reports at most (the rest are summarised in one more issue). */
export const MAX_ISSUES = 100;

/**
 * Router parameter length (encoded): a version of 255 code points, each up to 4 UTF-8 bytes
 * percent-encoded (12 characters), must still reach its route.
 */
export const MAX_PARAM_LENGTH = MAX_VERSION_LENGTH * 12 + 64;

/** HTTP timeouts of the write API (milliseconds); the defaults of the matching settings. */
export const HTTP_DEFAULTS = {
  /** Whole request (headers and body) must arrive within this. */
  requestTimeoutMs: 30_000,
  /** Headers must arrive within this (Node's `headersTimeout`; below requestTimeoutMs). */
  headersTimeoutMs: 10_000,
  /** A socket with no activity for this long is closed. */
  connectionTimeoutMs: 60_000,
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: 5_000,
  /** Open connections one client address may hold (0 = no cap; behind a load balancer set 0). */
  maxConnectionsPerAddress: 256,
} as const;
