import type { Logger } from 'pino';
import { serverPrefix } from '../core/layout/keys.js';
import { MAX_SERVER_BYTES } from '../core/limits.js';
import type { VersionRecord } from '../core/shapes.js';
import { listQuarantined, quarantine, release } from '../db/repositories/quarantine.js';
import { keysWithPrefix } from '../db/repositories/tree-objects.js';
import type { Queryable } from '../db/sql.js';
import { renderServer, type ServerObjects } from './servers.js';

/**
 * No single server can stop a build. A server is rendered only if its versions fit the per-server
 * byte budget (checked before any document is built), and a render that throws anyway (V8's string
 * limit, a bug, data stored before a limit existed) is caught: the server is recorded in
 * `quarantined_servers` and skipped, and the rest of the build completes. Its documents already in
 * the tree stay as they were (stale, never torn). It is tried again when its data changes (a
 * journal position past the one it failed at) or after an operator releases it
 * (`DELETE /v0/admin/quarantine/{name}`, which queues a full build); a success releases it.
 */
export class ServerQuarantine {
  private constructor(
    private readonly db: Queryable,
    private readonly target: string,
    private readonly log: Logger,
    private readonly budget: number,
    /** Quarantined servers and the journal position each failed at. */
    private readonly held: Map<string, number>,
  ) {}

  static async load(db: Queryable, target: string, log: Logger, budget = MAX_SERVER_BYTES) {
    const held = new Map((await listQuarantined(db, target)).map((q) => [q.serverName, q.seq] as const));
    return new ServerQuarantine(db, target, log, budget, held);
  }

  /**
   * The server's documents, or undefined when it is (or now becomes) quarantined: the caller then
   * leaves the server's existing keys alone (`existingKeys` lists them).
   */
  async render(
    name: string,
    records: readonly VersionRecord[],
    render: 'all' | ReadonlySet<string>,
  ): Promise<ServerObjects | undefined> {
    const seq = records.reduce((max, r) => Math.max(max, r.seq), 0);
    const failedAt = this.held.get(name);
    if (failedAt !== undefined && seq <= failedAt) return undefined;
    let reason: string | undefined;
    let rendered: ServerObjects | undefined;
    try {
      reason = overBudget(records, this.budget);
      if (reason === undefined) rendered = renderServer(name, records, render);
    } catch (err) {
      reason = `render failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500);
    }
    if (rendered !== undefined) {
      if (failedAt !== undefined) {
        await release(this.db, name, this.target);
        this.held.delete(name);
        this.log.info({ server: name }, 'server released from quarantine: it renders again');
      }
      return rendered;
    }
    await quarantine(this.db, this.target, { serverName: name, seq, reason: reason as string });
    this.held.set(name, seq);
    this.log.error({ server: name, seq, reason }, 'server quarantined: its documents are skipped');
    return undefined;
  }

  /** The keys a skipped server has in the tree (kept as they are). */
  existingKeys(name: string): Promise<string[]> {
    return keysWithPrefix(this.db, this.target, serverPrefix(name));
  }
}

/** Why the server's versions exceed the byte budget, or undefined. Sums without building one string. */
function overBudget(records: readonly VersionRecord[], budget: number): string | undefined {
  let bytes = 0;
  for (const record of records) {
    bytes += Buffer.byteLength(JSON.stringify(record.value));
    if (bytes > budget) {
      return `its versions take more than the per-server budget of ${budget} bytes (${records.length} versions)`;
    }
  }
  return undefined;
}
