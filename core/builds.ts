/**
 * The builder's vocabulary, declared once: the database stores it (build_runs.kind/status, checked by
 * constraints of the same lists), the API and the CLI accept it from operators, the builder reports it.
 */
export const BUILD_KINDS = ['incremental', 'full', 'snapshot'] as const;
export type BuildKind = (typeof BUILD_KINDS)[number];

/** queued → running → one of the finished statuses. */
export const BUILD_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'skipped'] as const;
export type BuildStatus = (typeof BUILD_STATUSES)[number];
export type FinishedBuildStatus = Exclude<BuildStatus, 'queued' | 'running'>;

/** What an operator gets when they ask for no kind in particular. */
export const DEFAULT_BUILD_KIND: BuildKind = 'incremental';

export const isBuildKind = (value: unknown): value is BuildKind =>
  typeof value === 'string' && (BUILD_KINDS as readonly string[]).includes(value);
