import { createHash, randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import {
  assertValidKey,
  CACHE_CONTROL,
  type ObjectStore,
  type PutOptions,
  type StoredObjectInfo,
} from './types.js';

/**
 * A directory laid out exactly like the bucket: `root/<key>` holds the body and `root/.meta/<key>.json`
 * the headers, so a local CDN server can serve the same bytes with the same headers as production.
 *
 * A sidecar is written only after its body is in place and removed before its body, so "sidecar present"
 * means "put completed": get/head report an object without one as absent (a re-run re-puts it), while
 * list still shows the orphan body so a delete can clean it up.
 */

const META_DIR = '.meta';
/** Temp names are short (no key in them) so a 255-byte key segment still leaves room. */
const TEMP_PREFIX = '.~tmp-';
const SIDECAR_SUFFIX = '.json';
const NAME_MAX = 255;

interface Sidecar {
  size: number;
  etag: string;
  contentType: string;
  cacheControl: string;
  contentEncoding?: string;
}

export function createFilesystemStore(rootDir: string): ObjectStore {
  const root = resolve(rootDir);
  const metaRoot = join(root, META_DIR);

  const bodyPath = (key: string): string => join(root, ...key.split('/'));
  const sidecarPath = (key: string): string => join(metaRoot, ...`${key}${SIDECAR_SUFFIX}`.split('/'));

  // Beyond the shared rules: the sidecar tree and our temp files live inside root, so keys must not
  // be able to name them.
  const checkKey = (key: string): void => {
    assertValidKey(key);
    if (key === META_DIR || key.startsWith(`${META_DIR}/`)) {
      throw new Error(`invalid object key ${JSON.stringify(key)}: "${META_DIR}" is reserved`);
    }
    const segments = key.split('/');
    if (segments.some((segment) => segment.startsWith(TEMP_PREFIX))) {
      throw new Error(`invalid object key ${JSON.stringify(key)}: "${TEMP_PREFIX}" is reserved`);
    }
    // The sidecar appends ".json" to the last segment, which must still fit a 255-byte file name.
    const last = segments[segments.length - 1] ?? '';
    if (Buffer.byteLength(last) > NAME_MAX - SIDECAR_SUFFIX.length) {
      throw new Error(
        `invalid object key ${JSON.stringify(key)}: last segment longer than ${NAME_MAX - SIDECAR_SUFFIX.length} bytes (filesystem store)`,
      );
    }
  };

  const readSidecar = async (key: string): Promise<Sidecar | undefined> => {
    try {
      return JSON.parse(await readFile(sidecarPath(key), 'utf8')) as Sidecar;
    } catch (e) {
      if (isCode(e, 'ENOENT') || isCode(e, 'ENOTDIR')) return undefined;
      throw e;
    }
  };

  return {
    description: `filesystem ${root}`,

    async put(key: string, body: Uint8Array, options: PutOptions): Promise<void> {
      checkKey(key);
      const sidecar: Sidecar = {
        size: body.byteLength,
        etag: md5Etag(body),
        contentType: options.contentType,
        cacheControl: CACHE_CONTROL[options.cacheClass],
        ...(options.contentEncoding ? { contentEncoding: options.contentEncoding } : {}),
      };
      await writeAtomically(bodyPath(key), body);
      await writeAtomically(sidecarPath(key), new TextEncoder().encode(`${JSON.stringify(sidecar)}\n`));
    },

    async get(key: string) {
      checkKey(key);
      const sidecar = await readSidecar(key);
      if (!sidecar) return undefined;
      let body: Uint8Array;
      try {
        body = new Uint8Array(await readFile(bodyPath(key)));
      } catch (e) {
        if (isCode(e, 'ENOENT') || isCode(e, 'ENOTDIR')) return undefined;
        throw e;
      }
      // Size and etag come from the bytes actually read, in case a concurrent put replaced the body
      // after we read the sidecar.
      const info = toInfo(key, { ...sidecar, size: body.byteLength, etag: md5Etag(body) });
      return { body, info };
    },

    async head(key: string) {
      checkKey(key);
      const sidecar = await readSidecar(key);
      return sidecar ? toInfo(key, sidecar) : undefined;
    },

    async delete(keys: readonly string[]): Promise<void> {
      for (const key of keys) checkKey(key);
      // Sequential: local unlinks are fast, and it keeps directory pruning free of races between keys.
      for (const key of keys) {
        const sidecar = sidecarPath(key);
        const body = bodyPath(key);
        await rm(sidecar, { force: true });
        await rm(body, { force: true });
        await pruneEmptyDirs(dirname(sidecar), metaRoot);
        await pruneEmptyDirs(dirname(body), root);
      }
    },

    list(prefix: string): AsyncIterable<string> {
      // The prefix is a plain string prefix (S3 semantics); only the part up to its last '/' names a
      // directory, and that part must be a valid key so the walk cannot leave root.
      const slash = prefix.lastIndexOf('/');
      const dirKey = slash >= 0 ? prefix.slice(0, slash) : '';
      if (dirKey !== '') checkKey(dirKey);
      return filterPrefix(walk(dirKey === '' ? root : bodyPath(dirKey), dirKey), prefix);
    },
  };
}

async function* filterPrefix(keys: AsyncIterable<string>, prefix: string): AsyncGenerator<string> {
  for await (const key of keys) if (key.startsWith(prefix)) yield key;
}

async function* walk(dir: string, dirKey: string): AsyncGenerator<string> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if (isCode(e, 'ENOENT') || isCode(e, 'ENOTDIR')) return;
    throw e;
  }
  for (const entry of entries) {
    if (entry.name.startsWith(TEMP_PREFIX)) continue;
    if (dirKey === '' && entry.name === META_DIR) continue;
    const key = dirKey === '' ? entry.name : `${dirKey}/${entry.name}`;
    // Symlinks and other special files are not objects the builder could have written.
    if (entry.isDirectory()) yield* walk(join(dir, entry.name), key);
    else if (entry.isFile()) yield key;
  }
}

/**
 * Readers see the old file or the new one, never a torn write: the bytes go to a temp file in the
 * target directory (same filesystem, so rename is atomic) and are renamed over the target. No fsync:
 * the output is rebuilt from the database, so a crash costs a re-run, not data.
 */
async function writeAtomically(path: string, data: Uint8Array): Promise<void> {
  const dir = dirname(path);
  // A concurrent delete may prune the directory between our mkdir and open; recreate it and retry.
  for (let attempt = 1; ; attempt++) {
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    try {
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(data);
      } finally {
        await handle.close();
      }
      await rename(temp, path);
      return;
    } catch (e) {
      await rm(temp, { force: true });
      if (!isCode(e, 'ENOENT') || attempt >= 3) throw e;
    }
  }
}

/** Removes `dir` and its ancestors while they are empty, stopping at (and never removing) `stop`. */
async function pruneEmptyDirs(dir: string, stop: string): Promise<void> {
  let current = dir;
  while (current !== stop && current.startsWith(stop + sep)) {
    try {
      await rmdir(current);
    } catch (e) {
      if (isCode(e, 'ENOENT')) {
        current = dirname(current);
        continue;
      }
      if (isCode(e, 'ENOTEMPTY') || isCode(e, 'EEXIST') || isCode(e, 'ENOTDIR')) return;
      throw e;
    }
    current = dirname(current);
  }
}

function toInfo(key: string, sidecar: Sidecar): StoredObjectInfo {
  return {
    key,
    size: sidecar.size,
    etag: sidecar.etag,
    contentType: sidecar.contentType,
    cacheControl: sidecar.cacheControl,
    ...(sidecar.contentEncoding ? { contentEncoding: sidecar.contentEncoding } : {}),
  };
}

function md5Etag(body: Uint8Array): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

function isCode(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && e.code === code;
}
