/**
 * One sync of a marketplace calendar feed, decided (pure; the feed-sync workflow runs it): what the
 * feed shows now against what the last good sync saw. A new event is a new (held) booking, an event
 * whose times changed is a change to that booking, and an event gone from the feed before its charter
 * ended is only reported: a marketplace drops cancelled reservations, but also has glitches, so ops
 * confirm on the marketplace and cancel by hand. Nothing here is ever a cancellation.
 */

/** A feed's event as the sync keeps it: the booking id it became and its times. No guest data. */
export interface FeedEventTimes {
  /** `{feed}.{hash of the UID}`: the booking id (see feedEventKey in src/channels/ical-feed.ts). */
  key: string;
  start: string;
  end: string;
}

/** What the last good sync of a feed saw, kept between runs of the schedule. */
export interface FeedSnapshot {
  syncedAt: string;
  etag?: string;
  lastModified?: string;
  events: FeedEventTimes[];
}

/** What one feed event came to through intake; the sync's result lists them. */
export interface FeedDelivery {
  workflowId: string;
  outcome: 'started' | 'changed' | 'unchanged' | 'closed' | 'refused';
  /** Why a change was refused or the booking is closed. */
  reason?: string;
}

export interface FeedSyncPlan {
  added: FeedEventTimes[];
  moved: (FeedEventTimes & { before: { start: string; end: string } })[];
  /** Gone from the feed while their charter had not ended: ops are told, nothing is cancelled. */
  vanished: FeedEventTimes[];
  /** Events whose charter ended before this sync: neither new bookings nor missing. */
  past: number;
}

export function planFeedSync(
  previous: readonly FeedEventTimes[],
  current: readonly FeedEventTimes[],
  nowMs: number,
): FeedSyncPlan {
  const before = new Map(previous.map((e) => [e.key, e]));
  const now = new Map(current.map((e) => [e.key, e]));
  const ended = (e: FeedEventTimes) => Date.parse(e.end) <= nowMs;
  const plan: FeedSyncPlan = { added: [], moved: [], vanished: [], past: 0 };
  for (const event of now.values()) {
    if (ended(event)) {
      plan.past += 1;
      continue;
    }
    const was = before.get(event.key);
    if (!was) plan.added.push(event);
    else if (!sameInstant(was.start, event.start) || !sameInstant(was.end, event.end)) {
      plan.moved.push({ ...event, before: { start: was.start, end: was.end } });
    }
  }
  for (const was of before.values()) {
    if (!now.has(was.key) && !ended(was)) plan.vanished.push(was);
  }
  return plan;
}

function sameInstant(a: string, b: string): boolean {
  return Date.parse(a) === Date.parse(b);
}

/** What the next sync compares against: every event the feed shows, past ones dropped. */
export function nextSnapshot(
  current: readonly FeedEventTimes[],
  validators: { etag?: string; lastModified?: string },
  nowMs: number,
): FeedSnapshot {
  return {
    syncedAt: new Date(nowMs).toISOString(),
    ...(validators.etag === undefined ? {} : { etag: validators.etag }),
    ...(validators.lastModified === undefined ? {} : { lastModified: validators.lastModified }),
    events: current.filter((e) => Date.parse(e.end) > nowMs),
  };
}
