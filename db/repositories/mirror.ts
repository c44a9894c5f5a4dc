import type { Knex } from 'knex';
import { nameKey } from '../../core/names.js';
import { remoteUrlsOf, type ServerJson } from '../../core/server-json.js';
import type { AcceptedEntry } from '../../core/upstream-intake.js';
import { storedSize } from '../../core/validation/index.js';
import { isoTimestamp, type Queryable, toNumber } from '../sql.js';
import { insertJournalEntry, reserveJournalPosition } from './journal.js';

/** Mirror mode's state: the crawl in progress, its staged entries, sync runs, and applying a version. */

export interface MirrorCrawl {
  kind: 'full' | 'incremental';
  /** `updated_since` of an incremental crawl. */
  since: string | null;
  /** The next page to fetch (null: the first). */
  cursor: string | null;
  /** Every page is staged. */
  fetched: boolean;
  run: number;
}

export interface MirrorState {
  upstream: string;
  highWater: string | null;
  crawl: MirrorCrawl | undefined;
  lastSuccessAt: string | null;
}

export async function loadMirrorState(db: Queryable, upstream: string): Promise<MirrorState> {
  const row = await db('mirror_state')
    .select(
      'upstream',
      db.raw(`${isoTimestamp('high_water')} as high_water`),
      'crawl_kind',
      db.raw(`${isoTimestamp('crawl_since')} as crawl_since`),
      'crawl_cursor',
      'crawl_fetched',
      'crawl_run',
      db.raw(`${isoTimestamp('last_success_at')} as last_success_at`),
    )
    .where({ upstream })
    .first();
  return {
    upstream,
    highWater: row?.high_water ?? null,
    crawl: row?.crawl_kind
      ? {
          kind: row.crawl_kind,
          since: row.crawl_since,
          cursor: row.crawl_cursor,
          fetched: row.crawl_fetched === true,
          run: toNumber(row.crawl_run),
        }
      : undefined,
    lastSuccessAt: row?.last_success_at ?? null,
  };
}

/** Records the crawl's position after a page was staged (same transaction as the staging). */
export async function saveCrawl(db: Queryable, upstream: string, crawl: MirrorCrawl) {
  await db('mirror_state')
    .insert({
      upstream,
      crawl_kind: crawl.kind,
      crawl_since: crawl.since,
      crawl_cursor: crawl.cursor,
      crawl_fetched: crawl.fetched,
      crawl_run: crawl.run,
    })
    .onConflict('upstream')
    .merge(['crawl_kind', 'crawl_since', 'crawl_cursor', 'crawl_fetched', 'crawl_run']);
}

/** The crawl is applied: no crawl in progress, the high-water mark moved, staging emptied. */
export async function completeCrawl(
  trx: Knex.Transaction,
  upstream: string,
  highWater: string | null,
): Promise<void> {
  await trx('mirror_state')
    .where({ upstream })
    .update({
      high_water: trx.raw('greatest(high_water, ?::timestamptz)', [highWater]),
      crawl_kind: null,
      crawl_since: null,
      crawl_cursor: null,
      crawl_fetched: false,
      crawl_run: null,
      last_success_at: trx.fn.now(),
    });
  await trx('mirror_staging').where({ upstream }).delete();
}

export async function stageEntries(db: Queryable, upstream: string, entries: readonly unknown[]) {
  if (entries.length === 0) return;
  await db('mirror_staging').insert(entries.map((entry) => ({ upstream, entry: JSON.stringify(entry) })));
}

/** Staged entries in arrival order, `limit` at a time after `afterId`. */
export async function readStaged(
  db: Queryable,
  upstream: string,
  afterId: number,
  limit: number,
): Promise<{ id: number; entry: unknown }[]> {
  const rows = await db('mirror_staging')
    .select('id', 'entry')
    .where({ upstream })
    .andWhere('id', '>', afterId)
    .orderBy('id')
    .limit(limit);
  return rows.map((r: { id: string | number; entry: unknown }) => ({ id: toNumber(r.id), entry: r.entry }));
}

export type ApplyOutcome = 'added' | 'updated' | 'unchanged' | { refused: string };

/**
 * Stores one upstream version exactly as upstream has it (document, status, timestamps, latest flag),
 * as a journal change so the next build is incremental. Unchanged versions are not touched. When
 * upstream marks a version latest, the flag leaves the server's other versions.
 */
export async function applyUpstreamVersion(
  trx: Knex.Transaction,
  entry: AcceptedEntry,
  actor: string,
): Promise<ApplyOutcome> {
  const key = nameKey(entry.name);
  const owner = await trx('servers').select('name').where({ name_key: key }).first();
  if (owner && owner.name !== entry.name) {
    return { refused: `name differs only in letter case from the existing server ${owner.name}` };
  }
  const m = entry.meta;
  // One read: whether the stored version already equals upstream's, and its document, whose size
  // leaves the server's byte budget when upstream's replaces it.
  const existing = await trx('server_versions')
    .select(
      trx.raw(
        `(value = ?::jsonb and status = ? and status_message is not distinct from ? and
          status_changed_at = ?::timestamptz and published_at = ?::timestamptz and
          updated_at = ?::timestamptz and is_latest = ?) as same`,
        [
          JSON.stringify(entry.server),
          m.status,
          m.statusMessage,
          m.statusChangedAt,
          m.publishedAt,
          m.updatedAt,
          m.isLatest,
        ],
      ),
      'value',
    )
    .where({ server_name: entry.name, version: entry.version })
    .first();
  if (existing?.same) return 'unchanged';

  const at = await reserveJournalPosition(trx);
  // The per-server byte budget counts mirrored documents as it counts published ones.
  const delta = storedSize(entry.server) - (existing ? storedSize(existing.value) : 0);
  await trx.raw(
    `insert into servers (name, name_key, version_count, stored_bytes, created_at) values (?, ?, ?, ?, ?)
     on conflict (name) do update set version_count = servers.version_count + excluded.version_count,
       stored_bytes = greatest(0, servers.stored_bytes + excluded.stored_bytes)`,
    [entry.name, key, existing ? 0 : 1, delta, at.at],
  );
  if (m.isLatest) {
    await trx('server_versions')
      .where({ server_name: entry.name, is_latest: true })
      .whereNot({ version: entry.version })
      .update({ is_latest: false, seq: at.seq });
  }
  const row = {
    value: JSON.stringify(entry.server),
    status: m.status,
    status_changed_at: m.statusChangedAt,
    status_message: m.statusMessage,
    published_at: m.publishedAt,
    updated_at: m.updatedAt,
    is_latest: m.isLatest,
    seq: at.seq,
  };
  await trx('server_versions')
    .insert({ server_name: entry.name, version: entry.version, ...row })
    .onConflict(['server_name', 'version'])
    .merge(Object.keys(row));
  await replaceMirroredRemotes(trx, entry.name, entry.version, entry.server);
  await recordIssues(trx, entry);
  await insertJournalEntry(trx, {
    ...at,
    kind: 'mirror',
    serverName: entry.name,
    version: entry.version,
    actor,
    detail: { upstreamUpdatedAt: m.updatedAt },
  });
  return existing ? 'updated' : 'added';
}

/** Upstream's remote URLs are indexed too, so a local publish cannot claim an upstream endpoint. */
async function replaceMirroredRemotes(trx: Knex.Transaction, name: string, version: string, doc: ServerJson) {
  await trx('version_remotes').where({ server_name: name, version }).delete();
  const urls = remoteUrlsOf(doc); // normalised, deduplicated, any shape tolerated
  if (urls.length) {
    await trx('version_remotes')
      .insert(urls.map((url) => ({ url, server_name: name, version })))
      .onConflict()
      .ignore();
  }
}

async function recordIssues(trx: Knex.Transaction, entry: AcceptedEntry) {
  const where = { server_name: entry.name, version: entry.version };
  if (entry.issues.length === 0) {
    await trx('mirror_issues').where(where).delete();
    return;
  }
  await trx('mirror_issues')
    .insert({ ...where, issues: JSON.stringify(entry.issues) })
    .onConflict(['server_name', 'version'])
    .merge(['issues']);
}

export async function issuesOf(db: Queryable, name: string, version: string): Promise<unknown[] | undefined> {
  const row = await db('mirror_issues').select('issues').where({ server_name: name, version }).first();
  return row?.issues;
}
