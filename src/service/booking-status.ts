import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { BookingSchema, type Booking } from '../domain/booking';
import { parseWith, type ParseResult } from '../domain/validation';
import type { bookingFulfillment } from '../../workflows/booking-fulfillment';
import { statusQuery } from '../../workflows/messages';
import type { BookingStatus } from '../../workflows/types';

const BookingRefSchema = z.object({
  source: BookingSchema.shape.source.default('boatsetter'),
  bookingId: BookingSchema.shape.bookingId,
});

/** The booking a status request names: the path's booking id and `?source=` (Boatsetter unless given). */
export function parseBookingRef(
  bookingId: string,
  source: unknown,
): ParseResult<Pick<Booking, 'source' | 'bookingId'>> {
  return parseWith(BookingRefSchema, { bookingId, source });
}

/** A query needs a worker to answer; without one it would wait on the server's own timeout. */
export const STATUS_QUERY_TIMEOUT_MS = 5000;

/**
 * The workflow's `status` query, or undefined when this tenant has no such booking. Closed
 * workflows answer too (a worker replays them). The status names its tenant, which settles the
 * ambiguity of workflow IDs between tenants whose ids share a prefix (see crew-response.ts).
 */
export async function bookingStatus(
  client: Client,
  tenantId: string,
  workflowId: string,
): Promise<BookingStatus | undefined> {
  const handle = client.workflow.getHandle<typeof bookingFulfillment>(workflowId);
  try {
    const status = await client.connection.withDeadline(Date.now() + STATUS_QUERY_TIMEOUT_MS, () =>
      handle.query(statusQuery),
    );
    return status.tenant === tenantId ? status : undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}
