import { serverPrefix } from '../core/layout/keys.js';
import { PAGE_FAMILIES } from '../core/layout/pages.js';
import { LIST_VIEWS } from '../core/layout/views.js';
import { recordsOfServer } from '../db/repositories/list-views.js';
import { keysWithPrefix } from '../db/repositories/tree-objects.js';
import { chunks } from '../db/sql.js';
import { renderChangedRegions, viewSource } from './lists.js';
import type { BuilderOptions } from './options.js';
import type { ServerQuarantine } from './quarantine.js';
import { renderSearchIndex, settleSearchState, updateSearchState } from './search-index.js';
import { renderSearchPages } from './search-pages.js';
import type { RenderedObject, TreeWriter } from './writer.js';

/** Changed servers rendered (and written) together. */
const SERVER_BATCH = 50;

/**
 * O(changes): the changed servers' documents (per-version documents only for rows changed since
 * `fromSeq`), then the list regions around them in every view; keys a server no longer has are
 * deleted last, once no list names them.
 */
export async function incrementalRender(
  options: BuilderOptions,
  writer: TreeWriter,
  target: string,
  fromSeq: number,
  changed: readonly string[],
  quarantine: ServerQuarantine,
): Promise<void> {
  const knex = options.db.knex;
  const gone: string[] = [];
  for (const names of chunks(changed, SERVER_BATCH)) {
    const objects: RenderedObject[] = [];
    for (const name of names) {
      const records = await recordsOfServer(knex, name);
      const render = new Set(records.filter((r) => r.seq > fromSeq).map((r) => r.version));
      const rendered = await quarantine.render(name, records, render);
      if (rendered === undefined) continue; // quarantined: its existing documents stay as they are
      objects.push(...rendered.objects);
      const existing = await keysWithPrefix(knex, target, serverPrefix(name));
      gone.push(...existing.filter((key) => !rendered.keys.has(key)));
    }
    await writer.write(objects);
  }
  for (const view of LIST_VIEWS) {
    for (const family of PAGE_FAMILIES) {
      const region = await renderChangedRegions(knex, target, viewSource(view, family), changed);
      // Each page names the next one by cursor, so the next one is stored first.
      await writer.writeRegion([...region.pages].reverse(), region.superseded);
    }
  }
  // Search: the term update runs once per build; renderers of search objects share its result.
  const search = await updateSearchState(knex, target, changed);
  await renderSearchIndex(knex, writer, target, search, options.store);
  await renderSearchPages(options, writer, target, changed, search.changes);
  await settleSearchState(knex, search);
  // Documents of versions that left a view go after every list stopped naming them.
  await writer.delete(gone);
}
