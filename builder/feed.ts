import { addDays } from '../core/days.js';
import { feedPageDocument } from '../core/layout/documents.js';
import { FEED_EPOCH_DAY, feedCursor, feedPageKey } from '../core/layout/keys.js';
import { type ServerList, type ServerResponse, toServerResponse } from '../core/shapes.js';
import { changedRecords } from '../db/repositories/list-views.js';
import { saveTreeState, type TreeState } from '../db/repositories/tree-state.js';
import { chunks, type Queryable } from '../db/sql.js';
import type { ObjectStore } from '../store/types.js';
import { jsonObject, type TreeWriter } from './writer.js';

/**
 * The change feed: an append-only log of version documents, cut into UTC days and pages of 100.
 * Each build appends the rows changed since the last append (in journal order, as they are at build
 * time) to the tail page of today. A full page is never rewritten (immutable); the tail page is
 * mutable until it fills or its day is sealed by the first build of a later day, which points it at
 * the next day. A reader replaying entries in order (later entries win) ends at the current state.
 *
 * Crash safety: the tail position and the last appended row are saved after every page is stored,
 * and a page is only pointed at after it exists (the next page is written first, empty if need be).
 */
export const FEED_PAGE_SIZE = 100;

export interface FeedUpdate {
  /** The tail position after this build: where a reader resuming from now starts. */
  tail: string;
  appended: number;
}

export async function updateFeed(options: {
  db: Queryable;
  store: ObjectStore;
  writer: TreeWriter;
  state: TreeState;
  today: string;
  toSeq: number;
}): Promise<FeedUpdate> {
  const { db, store, writer, state, toSeq } = options;
  // Days are YYYY-MM-DD strings: string order is date order.
  let today = options.today;
  if (today < FEED_EPOCH_DAY) today = FEED_EPOCH_DAY;
  const target = state.target;
  const empty = (day: string, page: number, next: string | undefined, cacheClass: 'mutable' | 'immutable') =>
    jsonObject(feedPageKey(day, page), feedPageDocument([], next), cacheClass);

  let day = state.feedDay;
  let page = state.feedPage;
  let count = state.feedCount;
  let cursor = state.feedCursor;

  if (day === null || day < today) {
    // Today's first page exists before anything points at it.
    await writer.write([empty(today, 0, undefined, 'mutable')]);
    const sealedNext = feedCursor(today, 0);
    const gapStart = day === null ? FEED_EPOCH_DAY : addDays(day, 1);
    const gap = [];
    for (let d = gapStart; d < today; d = addDays(d, 1)) gap.push(empty(d, 0, sealedNext, 'immutable'));
    for (const slice of chunks(gap, 200)) await writer.write(slice);
    if (day !== null) {
      const entries = await tailEntries(store, day, page, count);
      await writer.write([
        jsonObject(feedPageKey(day, page), feedPageDocument(entries, sealedNext), 'immutable'),
      ]);
    }
    day = today;
    page = 0;
    count = 0;
    await saveTreeState(db, target, { feedDay: day, feedPage: page, feedCount: count });
  }

  let tail = await tailEntries(store, day, page, count);
  let appended = 0;
  let tailDirty = false;
  for (;;) {
    const records = await changedRecords(db, cursor.seq - 1, toSeq, 500, cursor);
    for (const record of records) {
      tail.push(toServerResponse(record));
      tailDirty = true;
      appended++;
      cursor = { seq: record.seq, name: record.serverName, version: record.version };
      if (tail.length === FEED_PAGE_SIZE) {
        // The next page exists (empty) before the full page points at it.
        await writer.write([empty(day, page + 1, undefined, 'mutable')]);
        await writer.write([
          jsonObject(feedPageKey(day, page), feedPageDocument(tail, feedCursor(day, page + 1)), 'immutable'),
        ]);
        page += 1;
        tail = [];
        tailDirty = false;
        await saveTreeState(db, target, { feedPage: page, feedCount: 0, feedCursor: cursor });
      }
    }
    if (records.length < 500) break;
  }
  if (tailDirty) {
    await writer.write([jsonObject(feedPageKey(day, page), feedPageDocument(tail, undefined), 'mutable')]);
    await saveTreeState(db, target, { feedPage: page, feedCount: tail.length, feedCursor: cursor });
  } else if (appended > 0) {
    await saveTreeState(db, target, { feedCursor: cursor });
  }

  // Tomorrow's first page exists before tomorrow, so `updated_since` never meets a missing day
  // while builds keep running.
  const tomorrow = addDays(today, 1);
  if ((state.feedPreparedUntil ?? '') < tomorrow) {
    await writer.write([empty(tomorrow, 0, undefined, 'mutable')]);
    await saveTreeState(db, target, { feedPreparedUntil: tomorrow });
  }
  return { tail: feedCursor(day, page), appended };
}

/** The first `count` entries of the tail page as stored (a killed build may have stored more). */
async function tailEntries(
  store: Pick<ObjectStore, 'get' | 'description'>,
  day: string,
  page: number,
  count: number,
): Promise<ServerResponse[]> {
  if (count === 0) return [];
  const stored = await store.get(feedPageKey(day, page));
  if (!stored) {
    throw new Error(
      `the change feed's tail page ${feedPageKey(day, page)} is missing from ${store.description}; ` +
        'the tree was changed outside the builder',
    );
  }
  const document = JSON.parse(Buffer.from(stored.body).toString('utf8')) as ServerList;
  return document.servers.slice(0, count);
}
