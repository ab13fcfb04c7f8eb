import type { CalendarFeed } from '../config/tenant';
import type { FeedEventTimes } from '../domain/feed-sync';
import { composeNotice, localDateTime, type OpsEmail } from './email';

/**
 * The emails a calendar feed's sync sends ops: reservations gone from the feed (maybe cancelled on
 * the marketplace: only ops can tell, so nothing is cancelled), and a feed that cannot be read (once
 * per outage; bookings stay as they are until it can).
 */

interface FeedEmailContext {
  tenantName: string;
  feed: CalendarFeed;
  /** The sync's workflow, for the footer's links. */
  workflowId: string;
  temporalUiUrl?: string;
  opsPageUrl?: string;
}

export function composeFeedEventsMissing(
  input: FeedEmailContext & { events: (FeedEventTimes & { workflowId: string })[] },
): OpsEmail {
  const { feed } = input;
  const when = (e: FeedEventTimes) =>
    `${localDateTime(e.start, feed.timeZone)} to ${localDateTime(e.end, feed.timeZone)}`;
  const count = input.events.length === 1 ? 'A reservation' : `${input.events.length} reservations`;
  return composeNotice(input, {
    subject: `${count} gone from the ${feed.source} calendar: ${feed.boat} (may be cancelled; confirm on the marketplace)`,
    title: `${count} of ${feed.boat} left the ${feed.name} feed`,
    lead: [
      `The ${feed.source} calendar of ${feed.boat} for ${input.tenantName} no longer shows what follows. It may be ` +
        `cancelled: confirm on ${feed.source}. Nothing was cancelled here; if it is, cancel the booking on the ` +
        'ops page (the JADA entry, SCC event and guest page follow).',
    ],
    parts: [
      { heading: 'Gone from the feed', bullets: input.events.map((e) => `${when(e)}: booking ${e.workflowId}`) },
      ...(input.opsPageUrl ? [{ heading: 'Ops page', bullets: [input.opsPageUrl] }] : []),
    ],
  });
}

export function composeFeedOutage(input: FeedEmailContext & { reason: string; lastGoodSync?: string }): OpsEmail {
  const { feed } = input;
  return composeNotice(input, {
    subject: `Calendar feed ${feed.name} (${feed.source}, ${feed.boat}) cannot be read`,
    title: `The ${feed.name} calendar feed cannot be read`,
    lead: [
      `The ${feed.source} calendar of ${feed.boat} for ${input.tenantName} failed: ${input.reason}.`,
      (input.lastGoodSync ? `The last good sync was at ${input.lastGoodSync}. ` : 'It has never been read. ') +
        'Until it can be read, new reservations there are not held in JADA and changes are not followed; ' +
        'no booking was changed or cancelled. The schedule keeps trying; this is the only email about this outage.',
      'Check the export URL in the tenants file (the marketplace may have rotated it) and the feed in a browser.',
    ],
    parts: [],
  });
}
