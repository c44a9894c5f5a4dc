import { createPublicKey } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { sha256Hex, verifyDetached } from '../core/crypto.js';
import type { RootDocument, SnapshotManifest, SnapshotPointer } from '../core/layout/documents.js';
import { KEY_PATTERN } from '../core/layout/key-shapes.js';
import { ROOT_KEY, SNAPSHOT_POINTER_KEY, signatureKeyFor } from '../core/layout/keys.js';
import { SiteError } from './errors.js';
import { getRaw } from './http.js';
import { normalizeRegistryUrl } from './registry.js';

/**
 * The reader of a published tree (the read side: a CDN or the local one), over plain HTTP GETs:
 * signed documents, the snapshot, the change feed, and the official read URLs of one version. Raw
 * bytes are hashed as served (no transparent decompression), exactly as `curl` without
 * `--compressed` would fetch them (client/http.ts `getRaw`). Used by `verify`, `publish` (waiting for the version) and `status`.
 */

export function parseJson<T>(bytes: Buffer, what: string): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch {
    throw new SiteError(`${what} is not JSON`);
  }
}

/** The tree's base URL (trailing slash): a read API URL (`…/v0` or `…/v0.1`) is accepted and means its site. */
export function siteBase(raw: string): URL {
  return new URL(`${normalizeRegistryUrl(raw)}/`);
}

/** A site and the public key its signatures are checked with. */
export interface SignedSite {
  base: URL;
  /** The URL of a tree key; keys named inside documents are checked against the key space first. */
  at(key: unknown): URL;
  get(key: unknown): Promise<Buffer>;
  /** The document and its detached signature, verified (a mismatch is fetched once more: see below). */
  signed(key: string): Promise<Buffer>;
}

export function openSignedSite(base: URL, publicKeyPem: string): SignedSite {
  let keyType: string | undefined;
  try {
    keyType = createPublicKey(publicKeyPem).asymmetricKeyType;
  } catch {
    throw new SiteError('the public key is not a PEM public key');
  }
  if (keyType !== 'ed25519') throw new SiteError('the public key is not an Ed25519 key');
  const at = (key: unknown) => {
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw new SiteError(`${JSON.stringify(key)} is not a key of the registry tree`);
    }
    return new URL(key, base);
  };
  const get = (key: unknown) => getRaw(at(key));
  return {
    base,
    at,
    get,
    // A pointer and its signature are two objects: a build between the two GETs can pair old with
    // new, so a mismatch is fetched once more before it counts.
    async signed(objectKey) {
      for (let attempt = 1; ; attempt++) {
        const [body, signature] = await Promise.all([get(objectKey), get(signatureKeyFor(objectKey))]);
        if (verifyDetached(publicKeyPem, body, signature)) return body;
        if (attempt === 2) throw new SiteError(`${objectKey}: the signature does not verify with the key`);
      }
    },
  };
}

export async function readRoot(site: SignedSite): Promise<RootDocument> {
  return parseJson<RootDocument>(await site.signed(ROOT_KEY), ROOT_KEY);
}

export interface SnapshotSummary {
  day: string;
  seq: number;
  count: number;
  feedCursor: string;
}

/** The snapshot pointer's and manifest's signatures, the data's size, sha256 and item count. */
export async function checkSnapshot(site: SignedSite): Promise<SnapshotSummary> {
  const pointerBytes = await site.signed(SNAPSHOT_POINTER_KEY).catch((err: unknown) => {
    if (err instanceof SiteError && err.status === 404) {
      throw new SiteError(
        `no snapshot is published yet (${SNAPSHOT_POINTER_KEY} is missing): the nightly build writes it, ` +
          'or run: mcp-registry build --kind snapshot',
      );
    }
    throw err;
  });
  const pointer = parseJson<SnapshotPointer>(pointerBytes, SNAPSHOT_POINTER_KEY);
  const manifest = parseJson<SnapshotManifest>(await site.signed(pointer.manifest), pointer.manifest);
  if (
    manifest.data.key !== pointer.data ||
    manifest.data.sha256 !== pointer.sha256 ||
    manifest.seq !== pointer.seq
  ) {
    throw new SiteError(`${SNAPSHOT_POINTER_KEY} and ${pointer.manifest} describe different snapshots`);
  }
  const data = await site.get(manifest.data.key);
  if (data.length !== manifest.data.size) {
    throw new SiteError(
      `${manifest.data.key}: ${data.length} bytes, the manifest says ${manifest.data.size}`,
    );
  }
  const digest = sha256Hex(data);
  if (digest !== manifest.data.sha256) {
    throw new SiteError(`${manifest.data.key}: sha256 ${digest}, the manifest says ${manifest.data.sha256}`);
  }
  let items: number;
  try {
    items = (JSON.parse(gunzipSync(data).toString('utf8')) as { servers: unknown[] }).servers.length;
  } catch {
    throw new SiteError(`${manifest.data.key}: not a gzip-compressed server list`);
  }
  if (items !== manifest.count) {
    throw new SiteError(`${manifest.data.key}: ${items} versions, the manifest says ${manifest.count}`);
  }
  return { day: manifest.day, seq: manifest.seq, count: items, feedCursor: manifest.feedCursor };
}

const enc = encodeURIComponent;

/** The official read URL of one version (`/v0.1/servers/{name}/versions/{version}`). */
export function versionUrl(readBase: string, name: string, version: string, includeDeleted = false): URL {
  const url = new URL(`v0.1/servers/${enc(name)}/versions/${enc(version)}`, siteBase(readBase));
  if (includeDeleted) url.search = '?include_deleted=true';
  return url;
}

/** The official read URL of a server's versions list. */
export function versionsUrl(readBase: string, name: string, includeDeleted = false): URL {
  const url = new URL(`v0.1/servers/${enc(name)}/versions`, siteBase(readBase));
  if (includeDeleted) url.search = '?include_deleted=true';
  return url;
}

/** One page of the change feed and the cursor of the next (undefined at the tail). */
export interface FeedPage<T> {
  servers: T[];
  nextCursor: string | undefined;
}

/**
 * Replays the change feed from `cursor` (a snapshot manifest's `feedCursor`, or a remembered tail),
 * page by page in order; the caller applies each entry (upsert by name + version, later wins). Stops
 * at the tail: the last page yielded has no `nextCursor`, which is where to poll from later.
 */
export async function* replayFeed<T = unknown>(
  readBase: string,
  cursor: string,
): AsyncGenerator<FeedPage<T>> {
  let next: string | undefined = cursor;
  while (next !== undefined) {
    const url = new URL('v0.1/servers', siteBase(readBase));
    url.searchParams.set('cursor', next);
    const page = parseJson<{ servers: T[]; metadata?: { nextCursor?: string } }>(await getRaw(url), url.href);
    next = page.metadata?.nextCursor || undefined;
    yield { servers: page.servers, nextCursor: next };
  }
}

export { getRaw };
