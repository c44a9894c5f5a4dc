import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { createS3Client } from '../../store/s3.js';

/**
 * s3rver on loopback with one bucket, and an S3 client configured for it (path style, its fixed
 * credentials, checksums only when required: s3rver stores streaming-checksum bodies corrupted).
 * Paging needs NODE_OPTIONS=--openssl-legacy-provider (npm test sets it).
 */
export async function startS3rver(bucket: string) {
  const dir = mkdtempSync(join(tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = s3rverClient(endpoint);
  return {
    endpoint,
    client,
    async close() {
      client.destroy();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An S3 client for s3rver at `endpoint` (or for a proxy in front of it). */
export function s3rverClient(endpoint: string) {
  return createS3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    checksumWhenRequired: true,
  });
}
