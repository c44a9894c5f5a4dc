import { type ServerList, type ServerResponse, toServerResponse, type VersionRecord } from '../shapes.js';
import { FEED_EPOCH_DAY, PUBLIC_KEY_JWK_KEY, PUBLIC_KEY_PEM_KEY, SNAPSHOT_POINTER_KEY } from './keys.js';
import { compareText } from './pages.js';

/**
 * The documents of the static tree, built from stored versions. Pure: the same records give the
 * same documents (and, serialized by the builder, the same bytes), whatever order they arrive in.
 */

/** Official order of GET /servers/{name}/versions: newest publish first, then version. */
export function sortForVersionsList(records: readonly VersionRecord[]): VersionRecord[] {
  return [...records].sort(
    (a, b) =>
      (a.publishedAt === b.publishedAt ? 0 : a.publishedAt > b.publishedAt ? -1 : 1) ||
      compareText(a.version, b.version),
  );
}

/** `GET /servers/{name}/versions[?include_deleted=true]`; undefined when no version qualifies (404). */
export function versionsListDocument(
  sorted: readonly VersionRecord[],
  includeDeleted: boolean,
): ServerList | undefined {
  const shown = includeDeleted ? sorted : sorted.filter((r) => r.status !== 'deleted');
  if (shown.length === 0) return undefined;
  return { servers: shown.map(toServerResponse), metadata: { count: shown.length } };
}

/** `GET /servers/{name}/versions/latest[?include_deleted=true]`; undefined → 404. */
export function latestDocument(
  records: readonly VersionRecord[],
  includeDeleted: boolean,
): ServerResponse | undefined {
  const latest = records.find((r) => r.isLatest);
  if (!latest || (!includeDeleted && latest.status === 'deleted')) return undefined;
  return toServerResponse(latest);
}

/** `GET /servers/{name}/versions/{version}[?include_deleted=true]`; undefined → 404. */
export function versionDocument(record: VersionRecord, includeDeleted: boolean): ServerResponse | undefined {
  if (!includeDeleted && record.status === 'deleted') return undefined;
  return toServerResponse(record);
}

/** A page of `GET /servers` or of the change feed. */
export function pageDocument(items: readonly VersionRecord[], nextCursor: string | undefined): ServerList {
  return {
    servers: items.map(toServerResponse),
    metadata: nextCursor === undefined ? { count: items.length } : { nextCursor, count: items.length },
  };
}

/** A feed page as stored: the rendered items are kept as they were when appended. */
export function feedPageDocument(
  items: readonly ServerResponse[],
  nextCursor: string | undefined,
): ServerList {
  return {
    servers: [...items],
    metadata: nextCursor === undefined ? { count: items.length } : { nextCursor, count: items.length },
  };
}

/**
 * The body of every 404 the CDN answers from the origin (`errors/not-found.json`): the official
 * registry's problem+json shape. The edge function's own answers are more specific.
 */
export function notFoundDocument(): { title: string; status: number; detail: string } {
  return {
    title: 'Not Found',
    status: 404,
    detail: 'Not found: no server, version or page at this URL (the registry root is /index.json)',
  };
}

/**
 * The registry root (`/index.json`, signed): how fresh the tree is and where everything is.
 *
 * @example {"registry":"mcp-static-registry","seq":1234,"builtAt":"2026-11-24T10:00:00.000Z","build":57,"feed":{"epoch":"2025-09-01","tail":"feed:2026-11-24:3"},"links":{"servers":"/v0.1/servers","feed":"/v0.1/servers?updated_since=2025-09-01T00:00:00Z","snapshot":"/snapshots/latest.json","manifest":"/manifest/57.json","publicKey":"/keys/site-signing-key.pem","publicKeyJwk":"/keys/site-signing-key.jwk.json"}}
 */
export interface RootDocument {
  registry: 'mcp-static-registry';
  /** Every journal change up to this position is in the tree. */
  seq: number;
  builtAt: string;
  build: number;
  feed: { epoch: string; tail: string };
  links: {
    servers: string;
    feed: string;
    snapshot: string;
    manifest: string;
    publicKey: string;
    publicKeyJwk: string;
  };
}

/** The root after build `build` (whose manifest is `manifestKey`) brought the tree to `seq`. */
export function rootDocument(options: {
  seq: number;
  builtAt: string;
  build: number;
  feedTail: string;
  manifestKey: string;
}): RootDocument {
  return {
    registry: 'mcp-static-registry',
    seq: options.seq,
    builtAt: options.builtAt,
    build: options.build,
    feed: { epoch: FEED_EPOCH_DAY, tail: options.feedTail },
    links: {
      servers: '/v0.1/servers',
      feed: `/v0.1/servers?updated_since=${FEED_EPOCH_DAY}T00:00:00Z`,
      snapshot: `/${SNAPSHOT_POINTER_KEY}`,
      manifest: `/${options.manifestKey}`,
      publicKey: `/${PUBLIC_KEY_PEM_KEY}`,
      publicKeyJwk: `/${PUBLIC_KEY_JWK_KEY}`,
    },
  };
}

/** One entry of a build manifest's `changes`: a key written (with the stored bytes' hash) or deleted. */
export type BuildManifestChange =
  | { key: string; sha256: string; size: number }
  | { key: string; deleted: true };

/**
 * The header of a build manifest (`manifest/{build}.json`, immutable, gzip-encoded); `changes`
 * follows it in the stored document. The chain of `previous` manifests describes the whole tree.
 *
 * @example {"build":57,"kind":"incremental","fromSeq":1230,"toSeq":1234,"generatedAt":"2026-11-24T10:00:00.000Z","previous":"manifest/56.json"}
 */
export interface BuildManifestHeader {
  build: number;
  kind: 'incremental' | 'full' | 'snapshot';
  /** The journal position the tree was at before this build, and the one it built to. */
  fromSeq: number;
  toSeq: number;
  generatedAt: string;
  /** The previous build's manifest; null for the first build of the target. */
  previous: string | null;
}

/**
 * A build manifest as stored: the header, then every key the build wrote or deleted, in write order
 * (the manifest itself, the root and the root's signature come after it and are not listed).
 *
 * @example {"build":57,"kind":"incremental","fromSeq":1230,"toSeq":1234,"generatedAt":"2026-11-24T10:00:00.000Z","previous":"manifest/56.json","changes":[{"key":"servers/io.github.alice/weather/v/1.0.1.json","sha256":"9f86d0…","size":812},{"key":"lists/live/after/io.github.alice/todo/0.3.0.json","deleted":true}]}
 */
export interface BuildManifest extends BuildManifestHeader {
  changes: BuildManifestChange[];
}

/** A nightly snapshot's manifest (`snapshots/{day}/manifest.json`, signed). */
export interface SnapshotManifest {
  day: string;
  /** Every journal change up to this position is in the snapshot. */
  seq: number;
  generatedAt: string;
  data: { key: string; sha256: string; size: number; contentType: string; contentEncoding: 'gzip' };
  /** Versions in the snapshot, deleted ones included. */
  count: number;
  /** Follow the change feed from here (replaying entries in order) to reach the current state. */
  feedCursor: string;
}

/** `snapshots/latest.json` (signed): the newest snapshot. */
export interface SnapshotPointer {
  day: string;
  seq: number;
  manifest: string;
  data: string;
  sha256: string;
}
