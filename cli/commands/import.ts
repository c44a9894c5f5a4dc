import { basename } from 'node:path';
import { loadConfig } from '../../core/config.js';
import { createServerJsonValidator } from '../../core/validation/index.js';
import { openDatabase } from '../../db/connect.js';
import { importAsMirror } from '../../mirror/import.js';
import { ImportFileError } from '../errors.js';
import { importFile, isListResponse, readImportFile } from '../import.js';
import type { CommandContext } from '../io.js';

/**
 * `mcp-registry import <file> [--as-mirror]`: load a JSON array of server.json documents (or the
 * server.json of each item of an official list response) through the publish rules; with
 * `--as-mirror`, load a list response as a mirror stores it (upstream's metadata, lenient intake).
 */
export async function run({ io, out, args, options }: CommandContext): Promise<number> {
  const file = args[0] as string;
  const config = loadConfig(io.env);
  const asMirror = options.asMirror === true;
  const doc = asMirror ? await readImportFile(file) : undefined;
  if (asMirror && !isListResponse(doc)) {
    throw new ImportFileError(
      `${file}: --as-mirror takes an official list response ({servers: [{server, _meta}]})`,
    );
  }
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    if (isListResponse(doc)) {
      const applied = await importAsMirror(db, doc.servers, {
        validator: createServerJsonValidator(),
        source: basename(file),
        localNamespaces: config.mirror?.localNamespaces,
      });
      for (const r of applied.refusals)
        out.info(`${r.name ?? '(no name)'}@${r.version ?? '(no version)'}: refused: ${r.reason}`);
      out.result({ file, ...applied.counters, refusals: applied.refusals });
      const c = applied.counters;
      out.info(
        `${file}: ${doc.servers.length} entries, ${c.added} added, ${c.updated} updated, ${c.unchanged} unchanged, ` +
          `${c.refused} refused, ${c.withIssues} with validation issues, ${c.latestDisagreements} latest disagreements`,
      );
      return 0;
    }
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
