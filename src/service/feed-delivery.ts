import type { Client } from '@temporalio/client';
import { heldBooking } from '../channels/feed-booking';
import type { CalendarFeed, Tenant } from '../config/tenant';
import type { FeedDelivery, FeedEventTimes } from '../domain/feed-sync';
import { changeBooking } from './change-booking';
import { startBookingFulfillment, type IntakeSettings } from './start-booking';

/**
 * A feed's event through the same intake as every channel: a new event starts a held booking (its
 * JADA slot is taken, ops are asked for the details); an event already booked gets its times as a
 * change (the `changeBooking` Update: unchanged times change nothing, a moved charter follows
 * everywhere). A booking that ended or was cancelled is left alone.
 */
export async function deliverFeedEvent(
  client: Client,
  tenant: Tenant,
  feed: CalendarFeed,
  event: FeedEventTimes,
  settings: IntakeSettings,
): Promise<FeedDelivery> {
  const started = await startBookingFulfillment(client, tenant, heldBooking(feed, event), settings, {
    feed: feed.name,
  });
  const { workflowId } = started;
  if (started.outcome === 'started') return { workflowId, outcome: 'started' };
  if (started.outcome === 'id-taken') {
    return { workflowId, outcome: 'refused', reason: `the id is held by booking ${started.heldBy}` };
  }
  const change = await changeBooking(started.found, {
    channel: `${feed.name} feed`,
    patch: { charter: { start: event.start, end: event.end } },
  });
  switch (change.outcome) {
    case 'changed':
      return { workflowId, outcome: 'changed' };
    case 'unchanged':
    case 'stale':
      return { workflowId, outcome: 'unchanged' };
    case 'closed':
      return { workflowId, outcome: 'closed', reason: `the booking is ${change.status.toLowerCase()}` };
    case 'unknown-booking':
      return { workflowId, outcome: 'closed', reason: 'the booking is gone' };
    case 'refused':
      return { workflowId, outcome: 'refused', reason: change.reason };
    case 'invalid':
      return {
        workflowId,
        outcome: 'refused',
        reason: change.errors.map((e) => `${e.path} ${e.message}`).join('; '),
      };
  }
}
