import type { ListItemKey } from '../../core/layout/pages.js';
import { SEARCH_PAGE_MAX_FIELD, searchPrefixEnd } from '../../core/layout/search-page-keys.js';
import type { VersionRecord } from '../../core/shapes.js';
import { chunks, type Queryable } from '../sql.js';
import { viewRecordsAfter } from './list-views.js';

/**
 * The builder's reads for the `?search=` result pages (builder/search-pages.ts): the `latest` view
 * narrowed to servers having a name or title term with a prefix, from `search_terms`
 * (db/repositories/search-terms.ts keeps it), whose `(term collate "C", server_name)` index serves
 * the prefix range.
 */

/** The `latest` view's items after `after` whose server has a name or title term starting with `prefix`. */
export function searchRecordsAfter(
  db: Queryable,
  prefix: string,
  after: ListItemKey | undefined,
  limit: number,
): Promise<VersionRecord[]> {
  const end = searchPrefixEnd(prefix);
  return viewRecordsAfter(db, 'latest', after, limit, (q) =>
    q.whereIn(
      'server_name',
      db('search_terms')
        .select('server_name')
        .whereRaw('term collate "C" >= ? and term collate "C" < ?', [prefix, end])
        .andWhere('field', '<=', SEARCH_PAGE_MAX_FIELD),
    ),
  );
}

/** The name and title terms each of `names` has now (servers without any are absent). */
export async function pageTermsOf(db: Queryable, names: readonly string[]): Promise<Map<string, string[]>> {
  const terms = new Map<string, string[]>();
  for (const batch of chunks(names, 500)) {
    const rows = (await db('search_terms')
      .select('server_name', 'term')
      .whereIn('server_name', batch)
      .andWhere('field', '<=', SEARCH_PAGE_MAX_FIELD)) as { server_name: string; term: string }[];
    for (const row of rows) {
      const list = terms.get(row.server_name) ?? [];
      list.push(row.term);
      terms.set(row.server_name, list);
    }
  }
  return terms;
}

/** Every distinct name or title term, in byte order, `size` at a time (the full build's prefixes). */
export async function* pageTermBatches(db: Queryable, size = 5000): AsyncGenerator<string[]> {
  let after = '';
  for (;;) {
    const rows = (await db('search_terms')
      .distinct(db.raw('term collate "C" as term'))
      .where('field', '<=', SEARCH_PAGE_MAX_FIELD)
      .andWhereRaw('term collate "C" > ?', [after])
      .orderByRaw('term collate "C"')
      .limit(size)) as { term: string }[];
    if (rows.length > 0) yield rows.map((r) => r.term);
    if (rows.length < size) return;
    after = (rows[rows.length - 1] as { term: string }).term;
  }
}
