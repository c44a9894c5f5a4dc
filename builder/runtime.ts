import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../core/config.js';
import type { Database } from '../db/connect.js';
import { getOrCreateSigningSeed } from '../db/repositories/auth.js';
import { createFilesystemStore } from '../store/filesystem.js';
import { createS3Client, createS3Store } from '../store/s3.js';
import type { ObjectStore } from '../store/types.js';
import type { DaemonOptions } from './daemon.js';
import { type CdnInvalidator, createCloudFrontInvalidator } from './invalidate/cloudfront.js';
import type { BuilderOptions } from './options.js';
import { createSiteSigner } from './signing.js';

/** The configured target: the filesystem directory, or the S3 bucket. */
export function createTargetStore(config: Config): ObjectStore {
  const target = config.target;
  if (target.kind === 'filesystem') return createFilesystemStore(resolve(target.dir));
  const client = createS3Client({
    region: target.region,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    forcePathStyle: target.forcePathStyle,
  });
  return createS3Store({ bucket: target.bucket, prefix: target.prefix, client });
}

export async function createBuilderOptions(
  config: Config,
  db: Database,
  logger: Logger,
): Promise<BuilderOptions> {
  const seed = config.siteSigningKey ?? (await getOrCreateSigningSeed(db.knex, 'site'));
  const store = createTargetStore(config);
  return {
    db,
    store,
    signer: createSiteSigner(seed),
    logger,
    orphanGraceSeconds: config.builder.orphanGraceSeconds,
    snapshotRetentionDays: config.builder.snapshotRetentionDays,
  };
}

export function createInvalidator(config: Config): CdnInvalidator | undefined {
  if (!config.cloudfront) return undefined;
  return createCloudFrontInvalidator({
    distributionId: config.cloudfront.distributionId,
    region: config.cloudfront.region,
    ...(config.cloudfront.endpoint ? { endpoint: config.cloudfront.endpoint } : {}),
  });
}

export async function createDaemonOptions(
  config: Config,
  db: Database,
  logger: Logger,
): Promise<DaemonOptions> {
  return {
    ...(await createBuilderOptions(config, db, logger)),
    databaseUrl: db.url,
    debounceMs: config.builder.debounceMs,
    pollMs: config.builder.pollMs,
    schedules: { incremental: config.builder.incrementalSchedule, nightly: config.builder.nightlySchedule },
    invalidator: createInvalidator(config),
  };
}
