import {
  latestDocument,
  sortForVersionsList,
  versionDocument,
  versionsListDocument,
} from '../core/layout/documents.js';
import { serverLatestKey, serverPageKey, serverVersionKey, serverVersionsKey } from '../core/layout/keys.js';
import type { VersionRecord } from '../core/shapes.js';
import { renderServerPage, serverPageObject } from './browse.js';
import { jsonObject, type RenderedObject } from './writer.js';

/**
 * The documents of one server: its versions lists, latest and one document per version, each in a
 * live form (deleted versions left out) and an include_deleted form, and its browse page (HTML).
 */
export interface ServerObjects {
  /** What to write (per-version documents only for `render`ed versions). */
  objects: RenderedObject[];
  /** Every key of this server that should exist after the build. */
  keys: Set<string>;
}

export function renderServer(
  name: string,
  records: readonly VersionRecord[],
  render: 'all' | ReadonlySet<string>,
): ServerObjects {
  const objects: RenderedObject[] = [];
  const keys = new Set<string>();
  const add = (key: string, document: unknown) => {
    keys.add(key);
    if (document !== undefined) objects.push(jsonObject(key, document, 'mutable'));
  };
  const sorted = sortForVersionsList(records);
  for (const includeDeleted of [false, true]) {
    const list = versionsListDocument(sorted, includeDeleted);
    if (list) add(serverVersionsKey(name, includeDeleted), list);
    const latest = latestDocument(records, includeDeleted);
    if (latest) add(serverLatestKey(name, includeDeleted), latest);
  }
  const page = renderServerPage(name, records);
  if (page !== undefined) {
    const key = serverPageKey(name);
    keys.add(key);
    objects.push(serverPageObject(key, page));
  }
  for (const record of records) {
    const wanted = render === 'all' || render.has(record.version);
    for (const includeDeleted of [false, true]) {
      if (!includeDeleted && record.status === 'deleted') continue;
      const key = serverVersionKey(name, record.version, includeDeleted);
      keys.add(key);
      if (wanted) objects.push(jsonObject(key, versionDocument(record, includeDeleted), 'mutable'));
    }
  }
  return { objects, keys };
}
