import type { CalendarFeed } from '../config/tenant';
import type { Booking } from '../domain/booking';
import type { FeedEventTimes } from '../domain/feed-sync';

/** What a held booking says about its guest until ops complete it: a feed knows only the slot. */
export const HELD_GUEST = { name: 'Details pending', partySize: 1 } as const;

/**
 * A marketplace feed's event as the booking contract: the slot (boat, start, end) and nothing else.
 * Its booking id is the event's key (feed name + hash of its UID), so the same event is always the
 * same booking whatever the feed does with it. Guest and pricing are placeholders that the
 * `completeBooking` Update replaces.
 */
export function heldBooking(feed: CalendarFeed, event: FeedEventTimes): Booking {
  return {
    source: feed.source,
    bookingId: event.key,
    guest: { ...HELD_GUEST },
    charter: { start: event.start, end: event.end, timeZone: feed.timeZone },
    boat: feed.boat,
    pricing: { currency: feed.currency, base: 0 },
    notes: `From the ${feed.name} calendar feed: guest, party size and pricing still to be entered.`,
  };
}
