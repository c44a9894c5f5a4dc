import { MAX_SERVER_BYTES, MAX_VERSIONS_PER_SERVER } from '../../core/limits.js';
import { isValidServerName, nameKey } from '../../core/names.js';
import { remoteUrlsOf, type ServerJson } from '../../core/server-json.js';
import { type ServerResponse, toServerResponse, type VersionRecord } from '../../core/shapes.js';
import { storedSize } from '../../core/validation/index.js';
import { becomesLatest } from '../../core/versions.js';
import { clearLatestFlag, insertPublishedVersion, loadPublishState } from '../../db/repositories/publish.js';
import { findRemoteOwner, lockRemoteUrls, lockServerName } from '../../db/repositories/versions.js';
import { inTransaction } from '../../db/transaction.js';
import {
  type Actor,
  publishFailed,
  requirePermission,
  requireValid,
  requireWritable,
  type WriteContext,
} from './context.js';
import { assertNotBlocked } from './sign-in.js';

/**
 * Publishes a new version. A version is immutable and is never published twice, not even after it
 * was deleted. Everything happens in one transaction, serialised per server name (case-folded).
 */
export async function publishVersion(
  ctx: WriteContext,
  body: unknown,
  actor: Actor,
): Promise<ServerResponse & { warnings?: string[] }> {
  const name = body && typeof body === 'object' ? (body as { name?: unknown }).name : undefined;
  if (typeof name === 'string' && isValidServerName(name)) {
    requirePermission(actor, 'publish', name, 'publish');
    requireWritable(ctx, name);
  }
  if (typeof name === 'string') await assertNotBlocked(ctx, name, actor);
  requireValid(ctx.validator, body, 'Failed to publish server');
  const doc = ctx.validator.normalize(body as ServerJson);
  const bytes = storedSize(doc);
  // Network checks happen before the transaction: no lock is held while a package registry answers.
  const warnings = (await ctx.ownership?.check(doc, 'Failed to publish server')) ?? [];

  const response = await inTransaction(ctx.knex, async (trx) => {
    const key = nameKey(doc.name);
    await lockServerName(trx, key);
    const urls = remoteUrlsOf(doc);
    await lockRemoteUrls(trx, urls);

    const { server, duplicate, latest: current } = await loadPublishState(trx, key, doc.version);
    if (server && server.name !== doc.name) {
      throw publishFailed(
        `server name ${doc.name} differs only in letter case from the existing server ${server.name}; ` +
          'names are unique ignoring case',
      );
    }
    const owner = await findRemoteOwner(trx, urls, doc.name);
    if (owner) throw publishFailed(`remote URL ${owner.url} is already used by server ${owner.serverName}`);
    if (server && server.versionCount >= MAX_VERSIONS_PER_SERVER) {
      throw publishFailed(
        `maximum number of versions for this server reached (${MAX_VERSIONS_PER_SERVER}): ` +
          'please reach out to the registry operators',
      );
    }
    if (server && server.storedBytes + bytes > MAX_SERVER_BYTES)
      throw budgetExceeded(server.storedBytes, bytes);
    if (duplicate) throw publishFailed('invalid version: cannot publish duplicate version');

    const isLatest = becomesLatest(doc.version, current, ctx.now?.() ?? new Date());
    const previousLatest = isLatest && current ? current.version : undefined;
    if (previousLatest) await clearLatestFlag(trx, doc.name, previousLatest);

    const at = await insertPublishedVersion(trx, {
      name: doc.name,
      nameKey: key,
      version: doc.version,
      value: doc,
      storedBytes: bytes,
      isLatest,
      remoteUrls: urls,
      previousLatest,
      actor: actor.id,
    });
    const record: VersionRecord = {
      serverName: doc.name,
      version: doc.version,
      value: doc,
      status: 'active',
      statusChangedAt: at.at,
      statusMessage: null,
      publishedAt: at.at,
      updatedAt: at.at,
      isLatest,
      seq: at.seq,
    };
    return toServerResponse(record);
  });
  return warnings.length ? { ...response, warnings } : response;
}

/** The per-server byte budget (core/limits.ts MAX_SERVER_BYTES) would be exceeded. */
export function budgetExceeded(used: number, adding: number) {
  return publishFailed(
    `this server's versions already take ${used} bytes; ${adding} more would exceed the per-server ` +
      `budget of ${MAX_SERVER_BYTES} bytes (every version counts, deleted ones too): ` +
      'please reach out to the registry operators',
  );
}
