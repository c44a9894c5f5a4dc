import { loadConfig } from '../../core/config.js';
import { openDatabase } from '../../db/connect.js';
import { importFile } from '../import.js';
import type { CommandContext } from '../io.js';

/** `mcp-registry import <file>`: load a JSON array of server.json documents through the publish rules. */
export async function run({ io, out, args }: CommandContext): Promise<number> {
  const file = args[0] as string;
  const config = loadConfig(io.env);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const summary = await importFile(db, file, (o) => {
      if (o.result === 'stored') return;
      out.info(`#${o.index} ${o.name ?? '(no name)'}@${o.version ?? '(no version)'}: ${o.result}`);
      for (const reason of o.reasons) out.info(`    ${reason}`);
    });
    out.result(summary);
    out.info(
      `${summary.file}: ${summary.total} entries, ${summary.stored} stored, ${summary.invalid} invalid, ` +
        `${summary.rejected} rejected, ${summary.failed} failed`,
    );
    return summary.failed > 0 ? 1 : 0;
  } finally {
    await db.close();
  }
}
