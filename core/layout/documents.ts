import { type ServerList, type ServerResponse, toServerResponse, type VersionRecord } from '../shapes.js';
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

/** The registry root (`/index.json`): how fresh the tree is and where everything is. */
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
