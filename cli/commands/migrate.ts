import { loadConfig } from '../../core/config.js';
import { migrateLatest, openDatabase } from '../../db/connect.js';
import type { CommandContext } from '../io.js';

/** `mcp-registry migrate`: apply pending database migrations. */
export async function run({ io, out }: CommandContext): Promise<number> {
  const config = loadConfig(io.env);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, migrate: false });
  try {
    const applied = await migrateLatest(db.knex);
    out.info(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    return 0;
  } finally {
    await db.close();
  }
}
