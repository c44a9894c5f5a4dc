import { addDays } from '../core/days.js';
import { feedPageDocument } from '../core/layout/documents.js';
import {
  FEED_EPOCH_DAY,
  FEED_SEGMENT_DAYS,
  feedCursor,
  feedPageKey,
  feedSegmentOf,
} from '../core/layout/keys.js';
import { type ServerList, type ServerResponse, toServerResponse } from '../core/shapes.js';
import { changedRecords } from '../db/repositories/list-views.js';
import { saveTreeState, type TreeState } from '../db/repositories/tree-state.js';
import type { Queryable } from '../db/sql.js';
import type { ObjectStore } from '../store/types.js';
import { jsonObject, type RenderedObject, type TreeWriter } from './writer.js';

/**
 * The change feed: an append-only log of version documents in 7-day segments (from the feed epoch,
 * core/layout/keys.ts `feedSegmentOf`), each cut into pages of 100. Each build appends the rows
 * changed since the last append (journal order, as they are at build time) to the tail page, in the
 * segment of the build's day. `updated_since=T` is served the first page of T's segment, so:
 *
 * - **No empty page but the tail.** A segment is created by its first entry; a page gets a
 *   `nextCursor` (and becomes immutable) only when the entry after its last one is stored, on the next
 *   page or in a later segment's first page.
 * - **Empty weeks cost one object each, never an empty page before changes.** The entry point of a week
 *   without changes is a copy of the next segment's first page (an "alias"), or, while nothing later
 *   exists yet, an empty page without `nextCursor` ("nothing since T yet", the tail as a reader sees
 *   it). Aliases of a page still filling are rewritten with it (`feedAliasFrom`).
 * - Entries before T are served only from T's own segment (at most 7 days earlier): harmless for a
 *   reader that upserts by name and version.
 *
 * Crash safety: the tail position and the last appended row are saved after every page is stored,
 * and a page is only pointed at after it exists. A reader replaying entries in order (later entries
 * win) ends at the current state.
 */
export const FEED_PAGE_SIZE = 100;

export interface FeedUpdate {
  /** The tail position after this build: where a reader resuming from now starts. */
  tail: string;
  appended: number;
}

/** Whether the feed's entry points already cover `today` and tomorrow (else a build is due). */
export function feedIsPrepared(state: Pick<TreeState, 'feedPreparedUntil'>, today: string): boolean {
  return state.feedPreparedUntil !== null && state.feedPreparedUntil >= feedSegmentOf(addDays(today, 1));
}

/** Segments (first days) from `from` up to but excluding `to`. */
function segmentsBetween(from: string | null, to: string): string[] {
  const out: string[] = [];
  for (let s = from; s !== null && s < to; s = addDays(s, FEED_SEGMENT_DAYS)) out.push(s);
  return out;
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
  const target = state.target;
  const today = options.today < FEED_EPOCH_DAY ? FEED_EPOCH_DAY : options.today;
  const current = feedSegmentOf(today);

  let seg = state.feedDay;
  let page = state.feedPage;
  let cursor = state.feedCursor;
  let aliasFrom = state.feedAliasFrom;
  let tail = seg === null ? [] : await tailEntries(store, seg, page, state.feedCount);

  /** A page and, for a first page, the entry points of the empty weeks before it that copy it. */
  const pageObjects = (
    s: string,
    p: number,
    from: string | null,
    entries: ServerResponse[],
    next: string | undefined,
  ): RenderedObject[] => {
    const document = feedPageDocument(entries, next);
    const cacheClass = next === undefined ? 'mutable' : 'immutable';
    const keys = [
      feedPageKey(s, p),
      ...(p === 0 ? segmentsBetween(from, s).map((w) => feedPageKey(w, 0)) : []),
    ];
    return keys.map((key) => jsonObject(key, document, cacheClass));
  };
  const save = () =>
    saveTreeState(db, target, {
      feedDay: seg,
      feedPage: page,
      feedCount: tail.length,
      feedCursor: cursor,
      feedAliasFrom: aliasFrom,
    });

  let appended = 0;
  let dirty = false;
  for (;;) {
    const records = await changedRecords(db, cursor.seq - 1, toSeq, 500, cursor);
    for (const record of records) {
      const entry = toServerResponse(record);
      cursor = { seq: record.seq, name: record.serverName, version: record.version };
      appended++;
      const opensSegment = seg === null || seg < current;
      if (!opensSegment && tail.length < FEED_PAGE_SIZE) {
        tail.push(entry);
        dirty = true;
        continue;
      }
      // The entry starts a new page: store it first, then point the page before at it.
      const closing = seg === null ? undefined : { s: seg, p: page, from: aliasFrom, entries: tail };
      if (opensSegment) {
        const emptySince = seg === null ? FEED_EPOCH_DAY : addDays(seg, FEED_SEGMENT_DAYS);
        seg = current;
        page = 0;
        aliasFrom = emptySince < current ? emptySince : null;
      } else {
        page += 1;
      }
      tail = [entry];
      await writer.write(pageObjects(seg as string, page, aliasFrom, tail, undefined));
      if (closing) {
        const next = feedCursor(seg as string, page);
        await writer.write(pageObjects(closing.s, closing.p, closing.from, closing.entries, next));
        // A first page that is final makes its copies final too.
        if (page > 0) aliasFrom = null;
      }
      await save();
      dirty = false;
    }
    if (records.length < 500) break;
  }
  if (dirty && seg !== null) {
    await writer.write(pageObjects(seg, page, aliasFrom, tail, undefined));
    await save();
  }

  // Entry points exist for every week up to tomorrow's before anyone can ask for them: a week after
  // the tail segment with nothing in it yet answers an empty page with no nextCursor.
  const through = feedSegmentOf(addDays(today, 1));
  if (!feedIsPrepared(state, today)) {
    let from = seg === null ? FEED_EPOCH_DAY : addDays(seg, FEED_SEGMENT_DAYS);
    const prepared = state.feedPreparedUntil === null ? null : feedSegmentOf(state.feedPreparedUntil);
    if (prepared !== null && prepared >= from) from = addDays(prepared, FEED_SEGMENT_DAYS);
    const empties = segmentsBetween(from, addDays(through, 1)).map((w) =>
      jsonObject(feedPageKey(w, 0), feedPageDocument([], undefined), 'mutable'),
    );
    await writer.write(empties);
    await saveTreeState(db, target, { feedPreparedUntil: through });
  }
  return { tail: seg === null ? feedCursor(FEED_EPOCH_DAY, 0) : feedCursor(seg, page), appended };
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
