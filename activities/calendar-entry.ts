import { log } from '@temporalio/activity';
import type { JadaEventPatch } from '../src/clients/jada';
import type { Booking } from '../src/domain/booking';
import { inAttempt, mayAlreadyExist, type ActivityContext, type BookingRef, type CreateRef } from './context';
import { clientFailure } from './failures';

export interface CalendarEntry {
  jadaEventId: string;
  created: boolean;
}

export interface CalendarEntryUpdate {
  /** 'not-supported': this JADA lacks PATCH (404, 405 or 501); ops change the entry by hand. */
  outcome: 'updated' | 'not-supported';
}

export interface CalendarEntryDeletion {
  /** 'not-supported': this JADA lacks DELETE, or the entry is not there (a 404 cannot tell which). */
  outcome: 'deleted' | 'not-supported';
}

/** Step 1: the entry in the operator's JADA calendar, found again by external id = workflow ID. */
export function calendarEntryActivities(ctx: ActivityContext) {
  return {
    async createCalendarEntry(ref: CreateRef): Promise<CalendarEntry> {
      const { tenant, workflowId, booking } = ref;
      return inAttempt(async (call) => {
        try {
          const { event, created } = await ctx
            .jada(tenant)
            .events.ensure({ ...calendarEntryDetails(booking), externalId: workflowId }, call, {
              mayExist: mayAlreadyExist(ref),
            });
          log.info(created ? 'JADA calendar entry created' : 'JADA calendar entry already existed', {
            jadaEventId: event.id,
          });
          return { jadaEventId: event.id, created };
        } catch (err) {
          throw clientFailure(err, 'Creating the JADA calendar entry failed');
        }
      });
    },

    /**
     * The entry as createCalendarEntry would write it now. The key names the booking's revision, so a
     * retry of this revision changes nothing twice and a later revision is a change of its own.
     */
    async updateCalendarEntry({
      tenant,
      workflowId,
      booking,
      jadaEventId,
      revision,
    }: BookingRef & { jadaEventId: string; revision: number }): Promise<CalendarEntryUpdate> {
      return inAttempt(async ({ signal }) => {
        try {
          const result = await ctx.jada(tenant).events.update(jadaEventId, calendarEntryDetails(booking), {
            idempotencyKey: `${workflowId}:jada-update:${revision}`,
            signal,
          });
          if (result.outcome === 'not-supported') {
            log.warn('JADA cannot update calendar entries: ops must change the entry by hand', {
              jadaEventId,
              status: result.status,
            });
            return { outcome: 'not-supported' };
          }
          log.info('JADA calendar entry updated', { jadaEventId, revision });
          return { outcome: 'updated' };
        } catch (err) {
          throw clientFailure(err, 'Updating the JADA calendar entry failed');
        }
      });
    },

    /** A retry after a lost 204 carries the same key, so JADA answers 204 again rather than 404. */
    async deleteCalendarEntry({
      tenant,
      workflowId,
      jadaEventId,
    }: {
      tenant: string;
      workflowId: string;
      jadaEventId: string;
    }): Promise<CalendarEntryDeletion> {
      return inAttempt(async ({ signal }) => {
        try {
          const result = await ctx
            .jada(tenant)
            .events.remove(jadaEventId, { idempotencyKey: `${workflowId}:jada-delete`, signal });
          if (result.outcome === 'not-supported') {
            log.warn('JADA did not delete the calendar entry (no DELETE, or no such entry): ops must check by hand', {
              jadaEventId,
              status: result.status,
            });
            return { outcome: 'not-supported' };
          }
          log.info('JADA calendar entry deleted', { jadaEventId });
          return { outcome: 'deleted' };
        } catch (err) {
          throw clientFailure(err, 'Deleting the JADA calendar entry failed');
        }
      });
    },
  };
}

/** What the entry says about the booking: the same on create and on every update. */
function calendarEntryDetails(booking: Booking): Required<JadaEventPatch> {
  return {
    title: `${booking.guest.name} · ${booking.boat} (${booking.source})`,
    start: booking.charter.start,
    end: booking.charter.end,
    notes: calendarNotes(booking),
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
