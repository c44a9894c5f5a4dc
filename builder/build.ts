import type { Logger } from 'pino';
import { notFoundDocument, type RootDocument } from '../core/layout/documents.js';
import {
  buildManifestKey,
  FEED_EPOCH_DAY,
  LIST_VIEWS,
  type ListView,
  NOT_FOUND_KEY,
  PUBLIC_KEY_JWK_KEY,
  PUBLIC_KEY_PEM_KEY,
  ROOT_KEY,
  SNAPSHOT_POINTER_KEY,
  serverPrefix,
  signatureKeyFor,
} from '../core/layout/keys.js';
import type { ListItemKey } from '../core/layout/pages.js';
import type { VersionRecord } from '../core/shapes.js';
import { acquireBuildLock } from '../db/build-lock.js';
import type { Database } from '../db/connect.js';
import {
  abandonRunning,
  type BuildKind,
  createRun,
  finishRun,
  markRunning,
  queueRun,
} from '../db/repositories/builds.js';
import { currentJournalSeq } from '../db/repositories/journal.js';
import {
  allRecordsAfter,
  analyzeTreeObjects,
  changedServers,
  countObjects,
  expiredOrphans,
  forgetSeen,
  getTreeState,
  keysWithPrefix,
  knownObjects,
  recordsOfServer,
  saveTreeState,
  unseenKeys,
} from '../db/repositories/tree.js';
import type { ObjectStore } from '../store/types.js';
import { updateFeed } from './feed.js';
import { PageAssembler, renderChangedRegions, renderPageAfter, VIEW_MEMBER } from './lists.js';
import { renderServer } from './servers.js';
import type { SiteSigner } from './signing.js';
import { writeSnapshot } from './snapshot.js';
import { bytesObject, jsonObject, type RenderedObject, TreeWriter } from './writer.js';

/**
 * load → plan → render → publish. A build reads the journal position it builds to, renders what
 * changed since the last build (or everything, for a full build), writes only objects whose bytes
 * differ, leaves first and pointers last, and records how far it got. One build at a time per target.
 */
export interface BuilderOptions {
  db: Database;
  store: ObjectStore;
  signer: SiteSigner;
  logger: Logger;
  /** Names the tree state in the database; defaults to the store's description. */
  target?: string;
  now?: () => Date;
  /** How long superseded list pages stay readable for crawlers holding their cursor. */
  orphanGraceSeconds?: number;
  snapshotRetentionDays?: number;
  /** More changed servers than this and an incremental build renders everything (default 2,000). */
  fullRenderThreshold?: number;
  /** A full build refuses to delete more than max(count, fraction × tree size) objects unless allowed. */
  massDeletion?: { count: number; fraction: number };
}

export interface BuildRequest {
  kind: BuildKind;
  requestedBy: string;
  /** An existing queued run to execute (the daemon); otherwise a run row is created. */
  runId?: number;
  /** Wait for a running build to finish instead of skipping. */
  wait?: boolean;
  allowMassDeletion?: boolean;
}

export interface BuildOutcome {
  runId: number;
  kind: BuildKind;
  status: 'succeeded' | 'failed' | 'skipped';
  fromSeq?: number;
  toSeq?: number;
  objectsWritten: number;
  objectsDeleted: number;
  /** Mutable keys written or deleted: what a CDN should invalidate (`['*']`: everything). */
  changedMutableKeys: string[];
  reason?: string;
  error?: string;
  snapshot?: { day: string; status: 'written' | 'exists'; seq?: number; count?: number };
}

export class MassDeletionError extends Error {
  constructor(count: number, total: number) {
    super(
      `the full build would delete ${count} of ${total} objects; refusing (rerun with --allow-mass-deletion if that is intended)`,
    );
    this.name = 'MassDeletionError';
  }
}

const SERVER_BATCH = 50;
const STREAM_BATCH = 1000;

/**
 * Runs one build now: takes the build lock (waiting or skipping as asked), marks runs a dead builder
 * left behind, records the run and builds. A skipped build leaves no run row unless it was queued.
 */
export async function runBuild(options: BuilderOptions, request: BuildRequest): Promise<BuildOutcome> {
  const target = targetOf(options);
  const lock = await acquireBuildLock(options.db, target, { wait: request.wait ?? false });
  if (!lock) {
    const reason = 'another build of this target is running';
    if (request.runId !== undefined) {
      await finishRun(options.db.knex, request.runId, { status: 'skipped', error: reason });
    }
    options.logger.info({ kind: request.kind }, `build skipped: ${reason}`);
    return {
      runId: request.runId ?? 0,
      kind: request.kind,
      status: 'skipped',
      objectsWritten: 0,
      objectsDeleted: 0,
      changedMutableKeys: [],
      reason,
    };
  }
  try {
    await recoverAbandoned(options);
    return await buildLocked(options, request);
  } finally {
    await lock.release();
  }
}

export function targetOf(options: BuilderOptions): string {
  return options.target ?? options.store.description;
}

/**
 * Runs a dead builder left 'running' are marked failed and, up to three attempts, queued again.
 * Only call while holding the build lock (then nobody else can be building this target).
 */
export async function recoverAbandoned(options: BuilderOptions): Promise<number> {
  const abandoned = await abandonRunning(options.db.knex, targetOf(options));
  for (const run of abandoned) {
    options.logger.warn({ runId: run.id, kind: run.kind }, 'build run abandoned by a builder that stopped');
    if (run.attempt < 3) {
      await queueRun(options.db.knex, {
        kind: run.kind,
        requestedBy: run.requestedBy,
        retryOf: run.id,
        attempt: run.attempt + 1,
      });
    }
  }
  return abandoned.length;
}

/** Builds while the caller holds the build lock; records the run (a new row unless `runId` is given). */
export async function buildLocked(options: BuilderOptions, request: BuildRequest): Promise<BuildOutcome> {
  const { db } = options;
  const target = targetOf(options);
  const log = options.logger.child({ module: 'builder', kind: request.kind });
  let runId = request.runId;
  if (runId === undefined) {
    runId = await createRun(db.knex, {
      kind: request.kind,
      requestedBy: request.requestedBy,
      status: 'running',
      target,
    });
  } else {
    await markRunning(db.knex, runId, target);
  }
  try {
    const outcome = await build(options, request, runId, target, log);
    await finishRun(db.knex, runId, {
      status: 'succeeded',
      ...(outcome.fromSeq !== undefined ? { fromSeq: outcome.fromSeq } : {}),
      ...(outcome.toSeq !== undefined ? { toSeq: outcome.toSeq } : {}),
      objectsWritten: outcome.objectsWritten,
      objectsDeleted: outcome.objectsDeleted,
      detail: {
        ...(outcome.reason ? { note: outcome.reason } : {}),
        ...(outcome.snapshot ? { snapshot: outcome.snapshot } : {}),
      },
    });
    log.info(
      {
        runId,
        fromSeq: outcome.fromSeq,
        toSeq: outcome.toSeq,
        written: outcome.objectsWritten,
        deleted: outcome.objectsDeleted,
      },
      'build succeeded',
    );
    return outcome;
  } catch (err) {
    const message = (err as Error).message;
    log.error({ runId, err }, 'build failed');
    await finishRun(db.knex, runId, { status: 'failed', error: message }).catch(() => undefined);
    return {
      runId,
      kind: request.kind,
      status: 'failed',
      objectsWritten: 0,
      objectsDeleted: 0,
      changedMutableKeys: [],
      error: message,
    };
  }
}

async function build(
  options: BuilderOptions,
  request: BuildRequest,
  runId: number,
  target: string,
  log: Logger,
): Promise<BuildOutcome> {
  const { db, store, signer } = options;
  const knex = db.knex;
  const now = options.now?.() ?? new Date();
  const today = now.toISOString().slice(0, 10);
  const state = await getTreeState(knex, target);
  const fromSeq = state.builtSeq;
  const toSeq = await currentJournalSeq(knex);
  // Past a few thousand changed servers (a first build, a bulk import) the streaming full render is
  // cheaper than region-by-region work and keeps memory bounded; it writes the same tree.
  const changed = request.kind === 'full' ? [] : await changedServers(knex, fromSeq, toSeq);
  const full = request.kind === 'full' || changed.length > (options.fullRenderThreshold ?? 2_000);
  const writer = new TreeWriter(knex, store, target, runId, full);
  // One build at a time (the build lock): "seen" notes left by a killed full build are stale.
  if (full) {
    await forgetSeen(knex);
    // A full build looks up every key: plan those lookups on current statistics.
    await analyzeTreeObjects(knex);
  }

  // Superseded list pages whose grace period is over.
  await writer.delete(await expiredOrphans(knex, target, options.orphanGraceSeconds ?? 86_400));

  const upToDate = toSeq === fromSeq && state.feedDay !== null && state.feedDay >= today;
  if (request.kind === 'incremental' && upToDate) {
    return finish(writer, request, runId, fromSeq, toSeq, 'no changes since the last build');
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

  if (full) await fullRender(options, writer, target, request, runId, log);
  else await incrementalRender(options, writer, target, fromSeq, changed);

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
    // The build manifest (immutable, gzip), then the signed root that names it: the last pointer.
    const manifestKey = buildManifestKey(runId);
    const manifest = await writer.finishManifest({
      build: runId,
      kind: request.kind,
      fromSeq,
      toSeq,
      generatedAt: now.toISOString(),
      previous: state.lastBuildId === null ? null : buildManifestKey(state.lastBuildId),
    });
    await writer.write([bytesObject(manifestKey, manifest, 'application/json', 'immutable', 'gzip')]);
    const root: RootDocument = {
      registry: 'mcp-static-registry',
      seq: toSeq,
      builtAt: now.toISOString(),
      build: runId,
      feed: { epoch: FEED_EPOCH_DAY, tail: feed.tail },
      links: {
        servers: '/v0.1/servers',
        feed: `/v0.1/servers?updated_since=${FEED_EPOCH_DAY}T00:00:00Z`,
        snapshot: `/${SNAPSHOT_POINTER_KEY}`,
        manifest: `/${manifestKey}`,
        publicKey: `/${PUBLIC_KEY_PEM_KEY}`,
        publicKeyJwk: `/${PUBLIC_KEY_JWK_KEY}`,
      },
    };
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
    await saveTreeState(knex, target, { lastBuildId: runId });
  }
  await saveTreeState(knex, target, { builtSeq: toSeq, builtAt: now.toISOString() });
  const note =
    full && request.kind !== 'full' ? `${changed.length} servers changed: rendered in full` : undefined;
  return { ...finish(writer, request, runId, fromSeq, toSeq, note), ...(snapshot ? { snapshot } : {}) };
}

function finish(
  writer: TreeWriter,
  request: BuildRequest,
  runId: number,
  fromSeq: number,
  toSeq: number,
  reason?: string,
): BuildOutcome {
  return {
    runId,
    kind: request.kind,
    status: 'succeeded',
    fromSeq,
    toSeq,
    objectsWritten: writer.stats.written,
    objectsDeleted: writer.stats.deleted,
    changedMutableKeys: writer.changedMutableKeys,
    ...(reason ? { reason } : {}),
  };
}

/** O(changes): the changed servers' documents, the list regions around them. */
async function incrementalRender(
  options: BuilderOptions,
  writer: TreeWriter,
  target: string,
  fromSeq: number,
  changed: readonly string[],
): Promise<void> {
  const knex = options.db.knex;
  const gone: string[] = [];
  for (let i = 0; i < changed.length; i += SERVER_BATCH) {
    const objects: RenderedObject[] = [];
    for (const name of changed.slice(i, i + SERVER_BATCH)) {
      const records = await recordsOfServer(knex, name);
      const render = new Set(records.filter((r) => r.seq > fromSeq).map((r) => r.version));
      const rendered = renderServer(name, records, render);
      objects.push(...rendered.objects);
      const existing = await keysWithPrefix(knex, target, serverPrefix(name));
      gone.push(...existing.filter((key) => !rendered.keys.has(key)));
    }
    await writer.write(objects);
  }
  for (const view of LIST_VIEWS) {
    const region = await renderChangedRegions(knex, target, view, changed);
    // Each page names the next one by cursor, so the next one is stored first.
    await writer.writeInOrder([...region.pages].reverse());
    await writer.orphan(region.superseded);
  }
  // Documents of versions that left a view go after every list stopped naming them.
  await writer.delete(gone);
}

/** Everything, streamed in list order with bounded memory; only differing bytes are written. */
async function fullRender(
  options: BuilderOptions,
  writer: TreeWriter,
  target: string,
  request: BuildRequest,
  runId: number,
  log: Logger,
): Promise<void> {
  const knex = options.db.knex;
  const pages: RenderedObject[] = [];
  const assemblers = new Map<ListView, PageAssembler>(
    LIST_VIEWS.map((view) => [view, new PageAssembler(view, undefined, (p) => pages.push(p))]),
  );
  // Pages whose key already exists (or the first page) can be reached by readers; they are rewritten
  // last, in reverse list order, once every page they may point at is stored.
  const deferred: { view: ListView; after: ListItemKey | undefined }[] = [];
  const flushPages = async () => {
    const batch = pages.splice(0);
    const known = await knownObjects(
      knex,
      target,
      batch.map((p) => p.key),
    );
    const now: RenderedObject[] = [];
    for (const page of batch) {
      const old = known.get(page.key);
      const reachable = old !== undefined || page.list?.after === undefined;
      if (reachable && old?.sha256 !== page.sha256) deferred.push(page.list as (typeof deferred)[number]);
      else now.push(page);
    }
    await writer.write(now);
  };

  let group: VersionRecord[] = [];
  const flushGroup = (objects: RenderedObject[]) => {
    const first = group[0];
    if (first) objects.push(...renderServer(first.serverName, group, 'all').objects);
    group = [];
  };
  let after: ListItemKey | undefined;
  let total = 0;
  for (;;) {
    const records = await allRecordsAfter(knex, after, STREAM_BATCH);
    const objects: RenderedObject[] = [];
    for (const record of records) {
      if (group.length > 0 && group[0]?.serverName !== record.serverName) flushGroup(objects);
      group.push(record);
      for (const view of LIST_VIEWS) {
        if (VIEW_MEMBER[view](record)) assemblers.get(view)?.push(record);
      }
    }
    total += records.length;
    if (records.length < STREAM_BATCH) flushGroup(objects);
    await writer.write(objects);
    await flushPages();
    if (records.length < STREAM_BATCH) break;
    const last = records[records.length - 1] as VersionRecord;
    after = { name: last.serverName, version: last.version };
  }
  for (const assembler of assemblers.values()) assembler.finish(false);
  await flushPages();
  log.debug({ versions: total, deferredPages: deferred.length }, 'full render streamed');
  for (const page of deferred.reverse()) {
    await writer.write([await renderPageAfter(knex, page.view, page.after)]);
  }

  // What exists but was not rendered should not exist. Feed pages, snapshots and build manifests
  // are history, not renderings, and are left alone.
  const unseen = (await unseenKeys(knex, target, runId)).filter(
    (key) => !/^(?:(?:feed|snapshots|manifest)\/|index\.json)/.test(key),
  );
  const limit = options.massDeletion ?? { count: 1000, fraction: 0.05 };
  const size = await countObjects(knex, target);
  // The guard is for full builds (a wrong database or target); an incremental build that rendered in
  // full deletes what its changes removed.
  const allowed = request.allowMassDeletion === true || request.kind !== 'full';
  if (unseen.length > Math.max(limit.count, limit.fraction * size) && !allowed) {
    throw new MassDeletionError(unseen.length, size);
  }
  await forgetSeen(knex);
  await writer.orphan(unseen.filter((key) => key.startsWith('lists/')));
  await writer.delete(unseen.filter((key) => !key.startsWith('lists/')));
}
