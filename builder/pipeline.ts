import type { Logger } from 'pino';
import { utcDay } from '../core/days.js';
import { notFoundDocument, rootDocument } from '../core/layout/documents.js';
import {
  buildManifestKey,
  NOT_FOUND_KEY,
  PUBLIC_KEY_JWK_KEY,
  PUBLIC_KEY_PEM_KEY,
  ROOT_KEY,
  signatureKeyFor,
} from '../core/layout/keys.js';
import { currentJournalSeq } from '../db/repositories/journal.js';
import { changedServers } from '../db/repositories/list-views.js';
import { analyzeTreeObjects, expiredOrphans, forgetSeen } from '../db/repositories/tree-objects.js';
import { getTreeState, saveTreeState, type TreeState } from '../db/repositories/tree-state.js';
import { browseSiteObjects } from './browse.js';
import { feedIsPrepared, updateFeed } from './feed.js';
import { type BuilderOptions, type BuildOutcome, type BuildRequest, buildOutcome } from './options.js';
import { ServerQuarantine } from './quarantine.js';
import { fullRender } from './render-full.js';
import { incrementalRender } from './render-incremental.js';
import type { SiteSigner } from './signing.js';
import { writeSnapshot } from './snapshot.js';
import { bytesObject, jsonObject, TreeWriter } from './writer.js';

/**
 * load → plan → render → publish. A build reads the journal position it builds to, renders what
 * changed since the last build (or everything, for a full build), writes only objects whose bytes
 * differ, leaves first and pointers last, and records how far it got. One build at a time per target
 * (the caller holds the build lock: builder/runs.ts).
 */
export async function build(
  options: BuilderOptions,
  request: BuildRequest,
  runId: number,
  target: string,
  log: Logger,
): Promise<BuildOutcome> {
  const { db, store, signer } = options;
  const knex = db.knex;
  const now = options.now?.() ?? new Date();
  const today = utcDay(now);
  const state = await getTreeState(knex, target);
  const fromSeq = state.builtSeq;
  const toSeq = await currentJournalSeq(knex);
  // Past a few thousand changed servers (a first build, a bulk import) the streaming full render is
  // cheaper than region-by-region work and keeps memory bounded; it writes the same tree.
  const changed = request.kind === 'full' ? [] : await changedServers(knex, fromSeq, toSeq);
  const full = request.kind === 'full' || changed.length > (options.fullRenderThreshold ?? 2_000);
  const writer = new TreeWriter(knex, store, target, runId, full);
  const succeeded = (detail: Partial<BuildOutcome>) =>
    buildOutcome(runId, request.kind, 'succeeded', {
      fromSeq,
      toSeq,
      objectsWritten: writer.stats.written,
      objectsDeleted: writer.stats.deleted,
      changedMutableKeys: writer.changedMutableKeys,
      ...detail,
    });
  // One build at a time (the build lock): "seen" notes left by a killed full build are stale.
  if (full) {
    await forgetSeen(knex);
    // A full build looks up every key: plan those lookups on current statistics.
    await analyzeTreeObjects(knex);
  }

  // Superseded list pages whose grace period is over.
  await writer.delete(await expiredOrphans(knex, target, options.orphanGraceSeconds ?? 86_400));

  const upToDate = toSeq === fromSeq && feedIsPrepared(state, today);
  if (request.kind === 'incremental' && upToDate) {
    return succeeded({ reason: 'no changes since the last build' });
  }

  await writer.write([
    bytesObject(PUBLIC_KEY_PEM_KEY, Buffer.from(signer.publicKeyPem), 'application/x-pem-file', 'mutable'),
    jsonObject(PUBLIC_KEY_JWK_KEY, { keys: [signer.publicKeyJwk] }, 'mutable'),
    bytesObject(
      NOT_FOUND_KEY,
      Buffer.from(JSON.stringify(notFoundDocument())),
      'application/problem+json',
      'mutable',
    ),
  ]);
  // The browse page's script, then the page that names it.
  await writer.writeInOrder(await browseSiteObjects());

  const quarantine = await ServerQuarantine.load(knex, target, log, options.serverByteBudget);
  if (full) await fullRender(options, writer, target, request, runId, log, quarantine);
  else await incrementalRender(options, writer, target, fromSeq, changed, quarantine);

  const feed = await updateFeed({ db: knex, store, writer, state, today, toSeq });

  let snapshot: BuildOutcome['snapshot'];
  if (request.kind === 'snapshot') {
    const result = await writeSnapshot({
      db,
      target,
      writer,
      signer,
      day: today,
      generatedAt: now.toISOString(),
      feedCursor: feed.tail,
      retentionDays: options.snapshotRetentionDays ?? 30,
    });
    snapshot = {
      day: result.day,
      status: result.status,
      ...(result.seq !== undefined ? { seq: result.seq } : {}),
      ...(result.count !== undefined ? { count: result.count } : {}),
    };
  }

  if (writer.changeCount > 0) {
    await publishRoot({ writer, signer, state, request, runId, fromSeq, toSeq, now, feedTail: feed.tail });
    await saveTreeState(knex, target, { lastBuildId: runId });
  }
  await saveTreeState(knex, target, { builtSeq: toSeq, builtAt: now.toISOString() });
  const note =
    full && request.kind !== 'full' ? `${changed.length} servers changed: rendered in full` : undefined;
  return succeeded({ ...(note ? { reason: note } : {}), ...(snapshot ? { snapshot } : {}) });
}

/** The build manifest (immutable, gzip), then the root's signature, then the root: the last pointer. */
async function publishRoot(options: {
  writer: TreeWriter;
  signer: SiteSigner;
  state: TreeState;
  request: BuildRequest;
  runId: number;
  fromSeq: number;
  toSeq: number;
  now: Date;
  feedTail: string;
}): Promise<void> {
  const { writer, signer, state, runId } = options;
  const manifestKey = buildManifestKey(runId);
  const manifest = await writer.finishManifest({
    build: runId,
    kind: options.request.kind,
    fromSeq: options.fromSeq,
    toSeq: options.toSeq,
    generatedAt: options.now.toISOString(),
    previous: state.lastBuildId === null ? null : buildManifestKey(state.lastBuildId),
  });
  await writer.write([bytesObject(manifestKey, manifest, 'application/json', 'immutable', 'gzip')]);
  const root = rootDocument({
    seq: options.toSeq,
    builtAt: options.now.toISOString(),
    build: runId,
    feedTail: options.feedTail,
    manifestKey,
  });
  const rootObject = jsonObject(ROOT_KEY, root, 'mutable');
  await writer.write([
    bytesObject(
      signatureKeyFor(ROOT_KEY),
      signer.sign(rootObject.body),
      'application/octet-stream',
      'mutable',
    ),
  ]);
  await writer.write([rootObject]);
}
