import { log } from '@temporalio/activity';
import type { Booking } from '../src/domain/booking';
import { inAttempt, type ActivityContext, type BookingRef } from './context';
import { clientFailure } from './failures';

export interface CalendarEntry {
  jadaEventId: string;
  created: boolean;
}

/** Step 1: the entry in the operator's JADA calendar, found again by external id = workflow ID. */
export function calendarEntryActivities(ctx: ActivityContext) {
  return {
    async createCalendarEntry({ tenant, workflowId, booking }: BookingRef): Promise<CalendarEntry> {
      return inAttempt(async (call) => {
        try {
          const { event, created } = await ctx.jada(tenant).events.ensure(
            {
              title: `${booking.guest.name} · ${booking.boat} (${booking.source})`,
              start: booking.charter.start,
              end: booking.charter.end,
              notes: calendarNotes(booking),
              externalId: workflowId,
            },
            call,
          );
          log.info(created ? 'JADA calendar entry created' : 'JADA calendar entry already existed', {
            jadaEventId: event.id,
          });
          return { jadaEventId: event.id, created };
        } catch (err) {
          throw clientFailure(err, 'Creating the JADA calendar entry failed');
        }
      });
    },
  };
}

function calendarNotes(booking: Booking): string {
  const contact = [booking.guest.email, booking.guest.phone].filter(Boolean).join(', ');
  return [
    `Party of ${booking.guest.partySize}`,
    contact && `Guest: ${contact}`,
    `Source: ${booking.source} #${booking.bookingId}`,
    booking.notes,
  ]
    .filter(Boolean)
    .join('\n');
}
