import type { Knex } from 'knex';
import { badRequest, forbidden, notFound } from '../../core/errors.js';
import { nameKey } from '../../core/names.js';
import { hasPermission } from '../../core/permissions.js';
import { remoteUrlsOf } from '../../core/server-json.js';
import {
  type AllVersionsStatusResponse,
  type ServerResponse,
  toServerResponse,
  type VersionRecord,
  type VersionStatus,
} from '../../core/shapes.js';
import { insertJournalEntry, reserveJournalPosition } from '../../db/repositories/journal.js';
import {
  findRemoteOwner,
  getVersion,
  listVersionStates,
  listVersions,
  lockRemoteUrls,
  lockServerName,
  updateStatus,
} from '../../db/repositories/versions.js';
import { inTransaction } from '../../db/transaction.js';
import { type Actor, requireWritable, type WriteContext } from './context.js';
import { recalculateLatest } from './latest.js';

export interface StatusChange {
  status: VersionStatus;
  statusMessage?: string | undefined;
}

function requireStatusPermission(actor: Actor, name: string): void {
  if (!hasPermission(actor.permissions, 'publish', name) && !hasPermission(actor.permissions, 'edit', name)) {
    throw forbidden('You do not have publish or edit permissions for this server');
  }
}

function normalizeChange(change: StatusChange): { status: VersionStatus; statusMessage: string | null } {
  if (change.status === 'active' && change.statusMessage !== undefined) {
    throw badRequest('Failed to update status', [
      'status_message cannot be provided when setting status to active',
    ]);
  }
  return { status: change.status, statusMessage: change.statusMessage ?? null };
}

/**
 * Restoring a deleted version gives its remote URLs back to it, so they must still be free.
 */
async function requireRemotesFree(trx: Knex.Transaction, versions: readonly VersionRecord[]): Promise<void> {
  const urls = versions.flatMap((v) => remoteUrlsOf(v.value));
  if (urls.length === 0) return;
  await lockRemoteUrls(trx, urls);
  const owner = await findRemoteOwner(trx, urls, versions[0]!.serverName);
  if (owner) {
    throw badRequest('Failed to update status', [
      `remote URL ${owner.url} is already used by server ${owner.serverName}`,
    ]);
  }
}

export async function setVersionStatus(
  ctx: WriteContext,
  name: string,
  version: string,
  change: StatusChange,
  actor: Actor,
): Promise<ServerResponse> {
  requireStatusPermission(actor, name);
  requireWritable(ctx, name);
  const next = normalizeChange(change);
  return inTransaction(ctx.knex, async (trx) => {
    await lockServerName(trx, nameKey(name));
    const existing = await getVersion(trx, name, version);
    if (!existing) throw notFound('Server version not found');
    if (existing.status === next.status && existing.statusMessage === next.statusMessage) {
      throw badRequest('No changes to apply: status and message are already set to the provided values');
    }
    if (existing.status === 'deleted' && next.status !== 'deleted') await requireRemotesFree(trx, [existing]);

    const at = await reserveJournalPosition(trx);
    await updateStatus(trx, name, [version], next, at);
    const latestChanged = await recalculateLatest(trx, name, at);
    await insertJournalEntry(trx, {
      ...at,
      kind: 'status',
      serverName: name,
      version,
      actor: actor.id,
      detail: { from: existing.status, to: next.status, ...(latestChanged.length ? { latestChanged } : {}) },
    });
    const updated = await getVersion(trx, name, version);
    return toServerResponse(updated!);
  });
}

/** Sets the status of every version in one transaction; only versions that differ are touched. */
export async function setAllVersionsStatus(
  ctx: WriteContext,
  name: string,
  change: StatusChange,
  actor: Actor,
): Promise<AllVersionsStatusResponse> {
  requireStatusPermission(actor, name);
  requireWritable(ctx, name);
  const next = normalizeChange(change);
  return inTransaction(ctx.knex, async (trx) => {
    await lockServerName(trx, nameKey(name));
    // States only: the documents are read once, for the answer (and for restored versions' remotes).
    const all = await listVersionStates(trx, name);
    if (all.length === 0) throw notFound('Server not found');
    const changing = all.filter((v) => v.status !== next.status || v.statusMessage !== next.statusMessage);
    if (changing.length === 0) {
      throw badRequest('No changes to apply: all versions already have the requested status and message');
    }
    const restoring = new Set(
      changing.filter((v) => v.status === 'deleted' && next.status !== 'deleted').map((v) => v.version),
    );
    if (restoring.size > 0) {
      await requireRemotesFree(
        trx,
        (await listVersions(trx, name)).filter((v) => restoring.has(v.version)),
      );
    }

    const at = await reserveJournalPosition(trx);
    await updateStatus(
      trx,
      name,
      changing.map((v) => v.version),
      next,
      at,
    );
    await recalculateLatest(trx, name, at);
    await insertJournalEntry(trx, {
      ...at,
      kind: 'status',
      serverName: name,
      version: null,
      actor: actor.id,
      detail: { to: next.status, versions: changing.length },
    });
    const after = await listVersions(trx, name);
    return { updatedCount: changing.length, servers: after.map(toServerResponse) };
  });
}
