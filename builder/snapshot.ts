import { createGzip } from 'node:zlib';
import { addDays } from '../core/days.js';
import type { SnapshotManifest, SnapshotPointer } from '../core/layout/documents.js';
import { snapshotDayOf } from '../core/layout/key-shapes.js';
import { SNAPSHOT_POINTER_KEY, signatureKeyFor, snapshotKeys } from '../core/layout/keys.js';
import { toServerResponse } from '../core/shapes.js';
import type { Database } from '../db/connect.js';
import { currentJournalSeq } from '../db/repositories/journal.js';
import { viewBatches } from '../db/repositories/list-views.js';
import { keysWithPrefix, knownObjects } from '../db/repositories/tree-objects.js';
import type { SiteSigner } from './signing.js';
import { bytesObject, jsonObject, type TreeWriter } from './writer.js';

/**
 * The nightly snapshot for aggregators: every version (deleted ones with their status) in the
 * official list shape, gzip-compressed, read in one repeatable-read transaction so it is exactly the
 * state at its seq. Written as immutable dated objects (data, then its signed manifest), then the
 * signed `snapshots/latest.json` pointer; dated snapshots older than the retention are removed.
 */
export interface SnapshotResult {
  status: 'written' | 'exists';
  day: string;
  seq?: number;
  count?: number;
  deletedDays: string[];
}

export async function writeSnapshot(options: {
  db: Database;
  target: string;
  writer: TreeWriter;
  signer: SiteSigner;
  day: string;
  generatedAt: string;
  feedCursor: string;
  retentionDays: number;
}): Promise<SnapshotResult> {
  const { db, writer, signer, day } = options;
  const keys = snapshotKeys(day);
  // Dated snapshots are immutable: one per day.
  const existing = await knownObjects(db.knex, options.target, [keys.manifest]);
  if (existing.has(keys.manifest)) {
    return { status: 'exists', day, deletedDays: [] };
  }

  const gzip = createGzip({ level: 6 });
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  const { seq, count } = await db.knex.transaction(
    async (trx) => {
      const seq = await currentJournalSeq(trx);
      let count = 0;
      gzip.write('{"servers":[');
      for await (const records of viewBatches(trx, 'all', 1000)) {
        for (const record of records) {
          gzip.write(`${count === 0 ? '' : ','}${JSON.stringify(toServerResponse(record))}`);
          count++;
        }
        // Let the compressor drain between batches instead of buffering the whole registry as text.
        await new Promise((resolve) => setImmediate(resolve));
      }
      gzip.end(`],"metadata":{"count":${count}}}`);
      return { seq, count };
    },
    { isolationLevel: 'repeatable read' },
  );
  await done;
  const data = bytesObject(keys.data, Buffer.concat(chunks), 'application/json', 'immutable', 'gzip');

  const manifest: SnapshotManifest = {
    day,
    seq,
    generatedAt: options.generatedAt,
    data: {
      key: keys.data,
      sha256: data.sha256,
      size: data.body.length,
      contentType: 'application/json',
      contentEncoding: 'gzip',
    },
    count,
    feedCursor: options.feedCursor,
  };
  const manifestObject = jsonObject(keys.manifest, manifest, 'immutable');
  const pointer: SnapshotPointer = {
    day,
    seq,
    manifest: keys.manifest,
    data: keys.data,
    sha256: data.sha256,
  };
  const pointerObject = jsonObject(SNAPSHOT_POINTER_KEY, pointer, 'mutable');
  const signature = (key: string, body: Uint8Array, cacheClass: 'mutable' | 'immutable') =>
    bytesObject(signatureKeyFor(key), signer.sign(body), 'application/octet-stream', cacheClass);

  // Leaves first, pointer last; a signature lands before the document it signs is pointed at.
  await writer.write([data]);
  await writer.write([signature(keys.manifest, manifestObject.body, 'immutable')]);
  await writer.write([manifestObject]);
  await writer.write([signature(SNAPSHOT_POINTER_KEY, pointerObject.body, 'mutable')]);
  await writer.write([pointerObject]);

  const deletedDays = await expireSnapshots(options, day);
  return { status: 'written', day, seq, count, deletedDays };
}

async function expireSnapshots(
  options: { db: Database; target: string; writer: TreeWriter; retentionDays: number },
  today: string,
): Promise<string[]> {
  const cutoffDay = addDays(today, -options.retentionDays);
  const keys = await keysWithPrefix(options.db.knex, options.target, 'snapshots/');
  const expired = keys.flatMap((key) => {
    const day = snapshotDayOf(key);
    return day !== undefined && day < cutoffDay && day !== today ? [{ key, day }] : [];
  });
  await options.writer.delete(expired.map((e) => e.key));
  return [...new Set(expired.map((e) => e.day))];
}
