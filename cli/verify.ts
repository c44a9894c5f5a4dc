import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { sha256Hex, verifyDetached } from '../core/crypto.js';
import type { RootDocument, SnapshotManifest, SnapshotPointer } from '../core/layout/documents.js';
import {
  KEY_PATTERN,
  PUBLIC_KEY_PEM_KEY,
  ROOT_KEY,
  SNAPSHOT_POINTER_KEY,
  signatureKeyFor,
} from '../core/layout/keys.js';
import { UsageError, VerifyError } from './errors.js';
import type { Io } from './main.js';

/**
 * `mcp-registry verify <url> [--key <pem>] [--snapshot] [--json]`: what an aggregator (or an operator
 * after a deploy) checks about a published tree, over plain HTTP GETs: the root document's
 * signature, and with --snapshot the snapshot pointer's and manifest's signatures, the data's size
 * and sha256, and its item count. Raw bytes are hashed as served (no transparent decompression),
 * exactly as `curl` without `--compressed` would fetch them.
 */

const MAX_REDIRECTS = 3;
const TIMEOUT_MS = 30_000;

/** GET as raw bytes; redirects followed (CloudFront sends http → https); anything but 200 fails. */
function getRaw(url: URL, redirects = 0): Promise<Buffer> {
  const send = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : undefined;
  if (!send) return Promise.reject(new VerifyError(`${url.href}: only http and https URLs can be read`));
  return new Promise<Buffer>((resolve, reject) => {
    const req = send(url, { method: 'GET', timeout: TIMEOUT_MS }, (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location && redirects < MAX_REDIRECTS) {
        res.resume();
        resolve(getRaw(new URL(location, url), redirects + 1));
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (err) => reject(new VerifyError(`GET ${url.href}: ${err.message}`)));
      res.on('end', () => {
        if (status === 200) resolve(Buffer.concat(chunks));
        else reject(new VerifyError(`GET ${url.href}: HTTP ${status}`, status));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', (err) => reject(new VerifyError(`GET ${url.href}: ${err.message}`)));
    req.end();
  });
}

function parseJson<T>(bytes: Buffer, what: string): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch {
    throw new VerifyError(`${what} is not JSON`);
  }
}

/** The tree's base URL: a read API URL (`…/v0.1`) is accepted and means its site. */
function siteBase(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`not a URL: ${JSON.stringify(raw)}`);
  }
  url.pathname = `${url.pathname.replace(/\/(v0|v0\.1)\/?$/, '').replace(/\/+$/, '')}/`;
  url.search = '';
  url.hash = '';
  return url;
}

export async function runVerifyCommand(args: string[], io: Io): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { key: { type: 'string' }, snapshot: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  if (positionals.length !== 1) {
    throw new UsageError('verify needs the site URL, e.g. mcp-registry verify https://registry.example.org');
  }
  const base = siteBase(positionals[0] as string);
  // Keys named inside documents are checked against the tree's key space before they become URLs.
  const at = (key: unknown) => {
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw new VerifyError(`${JSON.stringify(key)} is not a key of the registry tree`);
    }
    return new URL(key, base);
  };
  const get = (key: unknown) => getRaw(at(key));

  let pem: string;
  if (values.key) {
    try {
      pem = readFileSync(values.key, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read --key ${values.key}: ${(err as Error).message}`);
    }
  } else {
    pem = (await get(PUBLIC_KEY_PEM_KEY)).toString('utf8');
    io.stderr(
      `note: the public key came from ${at(PUBLIC_KEY_PEM_KEY).href}; that proves the tree is intact, ` +
        'not who wrote it: pin a copy you trust with --key',
    );
  }
  let keyType: string | undefined;
  try {
    keyType = createPublicKey(pem).asymmetricKeyType;
  } catch {
    throw new VerifyError('the public key is not a PEM public key');
  }
  if (keyType !== 'ed25519') throw new VerifyError('the public key is not an Ed25519 key');

  // A pointer and its signature are two objects: a build between the two GETs can pair old with new,
  // so a mismatch is fetched once more before it counts.
  const signed = async (objectKey: string): Promise<Buffer> => {
    for (let attempt = 1; ; attempt++) {
      const [body, signature] = await Promise.all([get(objectKey), get(signatureKeyFor(objectKey))]);
      if (verifyDetached(pem, body, signature)) return body;
      if (attempt === 2) throw new VerifyError(`${objectKey}: the signature does not verify with the key`);
    }
  };

  const root = parseJson<RootDocument>(await signed(ROOT_KEY), ROOT_KEY);
  const summary: Record<string, unknown> = {
    site: base.href,
    root: { seq: root.seq, build: root.build, builtAt: root.builtAt },
  };
  io.stderr(`${ROOT_KEY}: signature ok; seq ${root.seq}, build ${root.build}, built at ${root.builtAt}`);

  if (values.snapshot) {
    const pointerBytes = await signed(SNAPSHOT_POINTER_KEY).catch((err: unknown) => {
      if (err instanceof VerifyError && err.status === 404) {
        throw new VerifyError(
          `no snapshot is published yet (${SNAPSHOT_POINTER_KEY} is missing): the nightly build writes it, ` +
            'or run: mcp-registry build --kind snapshot',
        );
      }
      throw err;
    });
    const pointer = parseJson<SnapshotPointer>(pointerBytes, SNAPSHOT_POINTER_KEY);
    const manifest = parseJson<SnapshotManifest>(await signed(pointer.manifest), pointer.manifest);
    if (
      manifest.data.key !== pointer.data ||
      manifest.data.sha256 !== pointer.sha256 ||
      manifest.seq !== pointer.seq
    ) {
      throw new VerifyError(`${SNAPSHOT_POINTER_KEY} and ${pointer.manifest} describe different snapshots`);
    }
    const data = await get(manifest.data.key);
    if (data.length !== manifest.data.size) {
      throw new VerifyError(
        `${manifest.data.key}: ${data.length} bytes, the manifest says ${manifest.data.size}`,
      );
    }
    const digest = sha256Hex(data);
    if (digest !== manifest.data.sha256) {
      throw new VerifyError(
        `${manifest.data.key}: sha256 ${digest}, the manifest says ${manifest.data.sha256}`,
      );
    }
    let items: number;
    try {
      items = (JSON.parse(gunzipSync(data).toString('utf8')) as { servers: unknown[] }).servers.length;
    } catch {
      throw new VerifyError(`${manifest.data.key}: not a gzip-compressed server list`);
    }
    if (items !== manifest.count) {
      throw new VerifyError(`${manifest.data.key}: ${items} versions, the manifest says ${manifest.count}`);
    }
    summary['snapshot'] = {
      day: manifest.day,
      seq: manifest.seq,
      count: items,
      feedCursor: manifest.feedCursor,
    };
    io.stderr(
      `snapshot ${manifest.day}: signatures ok, sha256 ok; ${items} versions up to seq ${manifest.seq}; ` +
        `replay the feed from cursor ${manifest.feedCursor}`,
    );
  }
  if (values.json) io.stdout(JSON.stringify(summary));
  return 0;
}
