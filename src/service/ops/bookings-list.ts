import type { Client } from '@temporalio/client';
import { parseBookingWorkflowId, type BookingSource } from '../../domain/booking';
import { BookingIdKey, CharterStartKey, FulfillmentStageKey } from '../../../workflows/search-attributes';

/** The most running bookings one list shows; an operator with more needs a search, not a longer page. */
export const MAX_LISTED_BOOKINGS = 500;
export const LIST_TIMEOUT_MS = 5000;

export interface ListedBooking {
  workflowId: string;
  bookingId: string;
  source: BookingSource;
  stage: string;
  charterStart?: Date;
}

export interface BookingList {
  bookings: ListedBooking[];
  /** More were running than MAX_LISTED_BOOKINGS. */
  truncated: boolean;
}

/**
 * The tenant's running bookings from Temporal visibility, by their search attributes only (BookingId,
 * FulfillmentStage, CharterStart; the source is in the workflow ID). One list call, no query per
 * booking: it needs no worker, costs the same for 5 bookings or 500, and carries no guest details,
 * which search attributes never hold. Visibility lags a start by up to a second or so.
 */
export async function listRunningBookings(client: Client, tenantId: string): Promise<BookingList> {
  // Tenant ids are [a-z0-9] (the tenants file's schema), so the id needs no quoting inside the string.
  const query = `Tenant = "${tenantId}" AND ExecutionStatus = "Running"`;
  return client.connection.withDeadline(Date.now() + LIST_TIMEOUT_MS, async () => {
    const bookings: ListedBooking[] = [];
    for await (const info of client.workflow.list({ query, pageSize: 100 })) {
      if (bookings.length === MAX_LISTED_BOOKINGS) return { bookings, truncated: true };
      const parsed = parseBookingWorkflowId(info.workflowId);
      if (!parsed) continue;
      const attributes = info.typedSearchAttributes;
      bookings.push({
        workflowId: info.workflowId,
        // The exact id: a booking started before ids kept their case has a lower-cased workflow ID.
        bookingId: attributes.get(BookingIdKey) ?? parsed.bookingId,
        source: parsed.source,
        stage: attributes.get(FulfillmentStageKey) ?? 'RECEIVED',
        charterStart: attributes.get(CharterStartKey),
      });
    }
    return { bookings, truncated: false };
  });
}
