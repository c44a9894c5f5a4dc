import { badRequest, notFound } from '../../core/errors.js';
import { MAX_SERVER_BYTES } from '../../core/limits.js';
import { nameKey } from '../../core/names.js';
import { remoteUrlsOf, type ServerJson } from '../../core/server-json.js';
import { type ServerResponse, toServerResponse } from '../../core/shapes.js';
import { storedSize } from '../../core/validation/index.js';
import { insertJournalEntry, reserveJournalPosition } from '../../db/repositories/journal.js';
import {
  adjustStoredBytes,
  findRemoteOwner,
  getVersion,
  lockRemoteUrls,
  lockServerName,
  replaceRemotes,
  storedBytesOf,
  updateValue,
} from '../../db/repositories/versions.js';
import { inTransaction } from '../../db/transaction.js';
import {
  type Actor,
  requirePermission,
  requireValid,
  requireWritable,
  type WriteContext,
} from './context.js';

/**
 * Replaces the server.json of an existing version (an administrator's fix or takedown scrub). Name
 * and version never change; status and the latest flag are untouched.
 */
export async function editVersion(
  ctx: WriteContext,
  name: string,
  version: string,
  body: unknown,
  actor: Actor,
): Promise<ServerResponse> {
  requirePermission(actor, 'edit', name, 'edit');
  requireWritable(ctx, name);
  const bodyName = body && typeof body === 'object' ? (body as { name?: unknown }).name : undefined;
  const bodyVersion = body && typeof body === 'object' ? (body as { version?: unknown }).version : undefined;
  if (typeof bodyName === 'string' && bodyName !== name) {
    throw badRequest('Failed to edit server', ['Cannot rename server']);
  }
  if (typeof bodyVersion === 'string' && bodyVersion !== version) {
    throw badRequest('Failed to edit server', ['Version in request body must match URL path parameter']);
  }
  requireValid(ctx.validator, body, 'Failed to edit server');
  const doc = ctx.validator.normalize(body as ServerJson);
  await ctx.ownership?.check(doc, 'Failed to edit server');

  return inTransaction(ctx.knex, async (trx) => {
    await lockServerName(trx, nameKey(name));
    const existing = await getVersion(trx, name, version);
    if (!existing || existing.status === 'deleted') throw notFound('Server version not found');
    const delta = storedSize(doc) - storedSize(existing.value);
    const used = await storedBytesOf(trx, name);
    if (delta > 0 && used + delta > MAX_SERVER_BYTES) {
      throw badRequest('Failed to edit server', [
        `the edit would exceed the per-server budget of ${MAX_SERVER_BYTES} bytes (${used} used)`,
      ]);
    }
    const urls = remoteUrlsOf(doc);
    await lockRemoteUrls(trx, urls);
    const owner = await findRemoteOwner(trx, urls, name);
    if (owner) {
      throw badRequest('Failed to edit server', [
        `remote URL ${owner.url} is already used by server ${owner.serverName}`,
      ]);
    }
    const at = await reserveJournalPosition(trx);
    await updateValue(trx, name, version, doc, at);
    await replaceRemotes(trx, name, version, urls);
    await adjustStoredBytes(trx, name, delta);
    await insertJournalEntry(trx, {
      ...at,
      kind: 'edit',
      serverName: name,
      version,
      actor: actor.id,
      detail: {},
    });
    const updated = await getVersion(trx, name, version);
    return toServerResponse(updated!);
  });
}
