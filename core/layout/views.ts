/**
 * The list views of `GET /servers`, once. Each view is two choices — only each server's latest
 * version, or every version; deleted versions shown or not — and everything else is derived from
 * this table: the query parameters → view mapping (`listViewFor`), the builder's membership test
 * (`inView`), and the database's SQL filter (db/repositories/list-views.ts `viewFilterSql`).
 */
export const VIEWS = {
  /** `GET /servers` */
  live: { latestOnly: false, includeDeleted: false },
  /** `GET /servers?include_deleted=true` */
  all: { latestOnly: false, includeDeleted: true },
  /** `GET /servers?version=latest` */
  latest: { latestOnly: true, includeDeleted: false },
  /** `GET /servers?version=latest&include_deleted=true` */
  'latest.all': { latestOnly: true, includeDeleted: true },
} as const satisfies Record<string, ViewRule>;

export interface ViewRule {
  latestOnly: boolean;
  includeDeleted: boolean;
}

/**
 * Which list `GET /v0.1/servers` serves: `live` (default), `all` (`include_deleted=true`), `latest`
 * (`version=latest`), `latest.all` (both).
 */
export type ListView = keyof typeof VIEWS;

export const LIST_VIEWS: readonly ListView[] = Object.keys(VIEWS) as ListView[];

/** @example listViewFor({ latestOnly: true, includeDeleted: false }) // 'latest' */
export function listViewFor(options: ViewRule): ListView {
  const view = LIST_VIEWS.find(
    (v) => VIEWS[v].latestOnly === options.latestOnly && VIEWS[v].includeDeleted === options.includeDeleted,
  );
  return view as ListView;
}

/**
 * Whether a stored version is an item of `view`.
 *
 * @example inView('latest', { isLatest: true, status: 'deleted' }) // false
 */
export function inView(view: ListView, record: { isLatest: boolean; status: string }): boolean {
  const rule = VIEWS[view];
  return (!rule.latestOnly || record.isLatest) && (rule.includeDeleted || record.status !== 'deleted');
}
