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
import { jsonObject, type TreeWriter } from './writer.js';

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
 *   without changes holds the next segment's first entry and points at that segment's first page
 *   (written once, immutable: a segment's first entry never changes; a reader sees that entry twice,
 *   harmless for an upsert), or, while nothing later exists yet, an empty page without `nextCursor`
 *   ("nothing since T yet", the tail as a reader sees it).
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
  // biome-ignore lint/complexity/useMathMinMax: YYYY-MM-DD strings (string order is date order), not numbers
  const today = options.today < FEED_EPOCH_DAY ? FEED_EPOCH_DAY : options.today;
  const current = feedSegmentOf(today);

  let seg = state.feedDay;
  let page = state.feedPage;
  let cursor = state.feedCursor;
  let tail = seg === null ? [] : await tailEntries(store, seg, page, state.feedCount);

  const pageObject = (s: string, p: number, entries: ServerResponse[], next: string | undefined) =>
    jsonObject(
      feedPageKey(s, p),
      feedPageDocument(entries, next),
      next === undefined ? 'mutable' : 'immutable',
    );
  const save = () =>
    saveTreeState(db, target, { feedDay: seg, feedPage: page, feedCount: tail.length, feedCursor: cursor });

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
      const closing = seg === null ? undefined : { s: seg, p: page, entries: tail };
      const emptySince = seg === null ? FEED_EPOCH_DAY : addDays(seg, FEED_SEGMENT_DAYS);
      if (opensSegment) {
        seg = current;
        page = 0;
      } else {
        page += 1;
      }
      tail = [entry];
      const next = feedCursor(seg as string, page);
      await writer.write([pageObject(seg as string, page, tail, undefined)]);
      if (closing) await writer.write([pageObject(closing.s, closing.p, closing.entries, next)]);
      if (opensSegment) {
        // The weeks with no changes before this segment now lead to it.
        const lead = feedPageDocument([entry], next);
        await writer.write(
          segmentsBetween(emptySince, current).map((w) => jsonObject(feedPageKey(w, 0), lead, 'immutable')),
        );
      }
      await save();
      dirty = false;
    }
    if (records.length < 500) break;
  }
  if (dirty && seg !== null) {
    await writer.write([pageObject(seg, page, tail, undefined)]);
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
