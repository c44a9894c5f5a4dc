import type { Logger } from 'pino';
import type { BuildKind, FinishedBuildStatus } from '../core/builds.js';
import type { Database } from '../db/connect.js';
import type { ObjectStore } from '../store/types.js';
import type { SiteSigner } from './signing.js';

/** What a builder needs (builder/runtime.ts makes it from the configuration). */
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
  /** Per-server byte budget a server must fit to be rendered (default core/limits.ts MAX_SERVER_BYTES). */
  serverByteBudget?: number;
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
  status: FinishedBuildStatus;
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

export function targetOf(options: BuilderOptions): string {
  return options.target ?? options.store.description;
}

/**
 * The one constructor of a build's outcome: nothing written unless `detail` says so; optional
 * fields appear only when given (the CLI prints the outcome as JSON).
 */
export function buildOutcome(
  runId: number,
  kind: BuildKind,
  status: BuildOutcome['status'],
  detail: Partial<Omit<BuildOutcome, 'runId' | 'kind' | 'status'>> = {},
): BuildOutcome {
  const { fromSeq, toSeq, reason, error, snapshot } = detail;
  return {
    runId,
    kind,
    status,
    ...(fromSeq !== undefined ? { fromSeq } : {}),
    ...(toSeq !== undefined ? { toSeq } : {}),
    objectsWritten: detail.objectsWritten ?? 0,
    objectsDeleted: detail.objectsDeleted ?? 0,
    changedMutableKeys: detail.changedMutableKeys ?? [],
    ...(reason ? { reason } : {}),
    ...(error !== undefined ? { error } : {}),
    ...(snapshot ? { snapshot } : {}),
  };
}
