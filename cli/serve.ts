import { createWriteApi } from '../api/create.js';
import type { Config } from '../core/config.js';
import { openDatabase } from '../db/connect.js';
import { createLogger } from './logger.js';
import type { Io } from './main.js';

/**
 * Runs the write API until SIGINT/SIGTERM, then stops taking requests, lets in-flight ones finish
 * and closes the database (releasing the embedded data directory's lock).
 */
export async function serve(config: Config, io: Io): Promise<number> {
  const logger = createLogger(config.logLevel);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const app = await createWriteApi(config, db, logger);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await app.close();
    await db.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  io.stderr(
    `write API: http://${config.host}:${port}/v0 (database: ${db.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL'}` +
      `${config.enableAnonymousAuth ? ', anonymous sign-in on' : ''})`,
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'shutting down');
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await app.close();
  await db.close();
  return 0;
}
