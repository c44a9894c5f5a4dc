import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createWriteApi } from '../api/create.js';
import { type BuilderDaemon, startBuilderDaemon } from '../builder/daemon.js';
import { createDaemonOptions } from '../builder/runtime.js';
import { startLocalCdn } from '../cdn/local-server.js';
import { startNginxCdn } from '../cdn/nginx/nginx.js';
import type { Config } from '../core/config.js';
import { createServerJsonValidator } from '../core/validation/index.js';
import { openDatabase } from '../db/connect.js';
import { type MirrorDaemon, startMirrorDaemon } from '../mirror/daemon.js';
import type { Io } from './io.js';
import { createLogger } from './logger.js';

/**
 * Runs the registry's long-lived parts until SIGINT/SIGTERM: `all` (the embedded default of
 * `npm start`: write API, builder daemon and local CDN server in one process), or one of them alone
 * for production (`api`, `builder`, `cdn`). On a signal: the API stops taking requests and lets
 * in-flight ones finish, a running build finishes, then the database closes (releasing the embedded
 * data directory's lock). A second signal exits at once; the tree stays valid either way.
 */
export type ServeMode = 'all' | 'api' | 'builder' | 'cdn';

export async function serve(
  config: Config,
  io: Io,
  mode: ServeMode = 'all',
  /** `cdn --nginx`: the local CDN in nginx (cdn/nginx/), proxying non-reads to `api` when given. */
  nginx?: { api?: string },
): Promise<number> {
  const logger = createLogger(config.logLevel);
  const withApi = mode === 'all' || mode === 'api';
  const withBuilder = mode === 'all' || mode === 'builder';
  const withCdn = (mode === 'all' && config.target.kind === 'filesystem') || mode === 'cdn';
  if (mode === 'cdn' && config.target.kind !== 'filesystem') {
    io.stderr(
      'error: the local CDN server serves the filesystem target; unset S3_BUCKET (or use CloudFront)',
    );
    return 2;
  }

  const db =
    mode === 'cdn'
      ? undefined
      : await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  let app: FastifyInstance | undefined;
  let daemon: BuilderDaemon | undefined;
  let mirror: MirrorDaemon | undefined;
  let cdn: { url: string; close(): Promise<void> } | undefined;
  const stopAll = async () => {
    await mirror?.stop();
    // Both at once: requests still arriving get 503 from the API while those in flight finish.
    await Promise.all([app?.close(), cdn?.close()]);
    await daemon?.stop();
    await db?.close();
  };
  try {
    // `all` on the filesystem target: one registry URL, as one host serves both in production.
    const oneUrl = mode === 'all' && withCdn && config.target.kind === 'filesystem';
    if (withApi && db) {
      app = await createWriteApi(config, db, logger);
      const database = `database: ${db.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL'}${config.enableAnonymousAuth ? ', anonymous sign-in on' : ''}`;
      if (oneUrl) {
        await app.ready();
      } else {
        await app.listen({ host: config.host, port: config.port });
        const address = app.server.address();
        const port = typeof address === 'object' && address ? address.port : config.port;
        io.stderr(`write API:  http://${config.host}:${port}/v0 (${database})`);
      }
      if (oneUrl) io.stderr(`write API:  ${database}`);
    }
    if (withBuilder && db) {
      daemon = await startBuilderDaemon(await createDaemonOptions(config, db, logger));
      const where =
        config.target.kind === 'filesystem'
          ? resolve(config.target.dir)
          : `s3://${config.target.bucket}/${config.target.prefix}`;
      io.stderr(`builder:    writing the static tree to ${where}`);
      if (config.mirror) {
        // The builder's process keeps the replica current; the API refuses writes (MIRROR_UPSTREAM).
        mirror = startMirrorDaemon({ config, db, validator: createServerJsonValidator(), logger });
        io.stderr(`mirror:     replicating ${config.mirror.upstream} (${config.mirror.schedule}, UTC)`);
      }
    }
    if (mode === 'cdn' && nginx && config.target.kind === 'filesystem') {
      // Configuration, module, pid and error log in the data directory (written on every start).
      const prefix = resolve(config.dataDir, 'nginx');
      cdn = await startNginxCdn({
        root: resolve(config.target.dir),
        prefix,
        host: config.cdn.host,
        port: config.cdn.port,
        ...(nginx.api ? { writeApi: nginx.api } : {}),
      });
      io.stderr(
        `read API:   ${cdn.url}/v0.1/servers (nginx + njs serving ${config.target.dir}/ through the edge function; ` +
          `${nginx.api ? `writes to ${nginx.api}; ` : ''}configuration in ${join(prefix, 'nginx.conf')})`,
      );
    } else if (withCdn && config.target.kind === 'filesystem') {
      const api = oneUrl ? app : undefined;
      const started = await startLocalCdn({
        root: resolve(config.target.dir),
        host: oneUrl ? config.host : config.cdn.host,
        port: oneUrl ? config.port : config.cdn.port,
        logger,
        ...(api ? { writeApi: (req, res) => api.routing(req, res) } : {}),
      });
      cdn = started;
      io.stderr(
        oneUrl
          ? `registry:   ${started.url}/v0.1 (every official endpoint: reads from ${config.target.dir}/ through the edge function, writes to the API)`
          : `read API:   ${started.url}/v0.1/servers (local CDN serving ${config.target.dir}/ through the edge function)`,
      );
    }
  } catch (err) {
    await stopAll();
    throw err;
  }

  await new Promise<void>((done) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'shutting down (a second signal exits at once)');
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      const force = () => process.exit(130);
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await stopAll();
  return 0;
}
