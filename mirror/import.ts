import type { ServerJsonValidator } from '../core/validation/index.js';
import type { Database } from '../db/connect.js';
import { inTransaction } from '../db/transaction.js';
import { type Applied, applyEntries } from './apply.js';

/**
 * `mcp-registry import --as-mirror`: a saved crawl of another registry (the official list-response
 * shape) loaded with the mirror's lenient intake and upstream's metadata, in one transaction: the
 * same path a mirror sync applies its staged pages through.
 */
export async function importAsMirror(
  db: Database,
  items: readonly unknown[],
  options: { validator: ServerJsonValidator; source: string; localNamespaces?: readonly string[] },
): Promise<Applied> {
  return inTransaction(db.knex, (trx) =>
    applyEntries(trx, items, {
      validator: options.validator,
      localNamespaces: options.localNamespaces,
      actor: `import:${options.source}`,
    }),
  );
}
