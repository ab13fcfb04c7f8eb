import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { BookingSchema, type BookingRef } from '../domain/booking';
import { parseWith, type ParseResult } from '../domain/validation';
import { statusQuery } from '../../workflows/messages';
import { findBooking, type FoundBooking } from './running-booking';
import type { BookingStatus } from '../../workflows/types';

const BookingRefSchema = z.object({
  source: BookingSchema.shape.source.default('boatsetter'),
  bookingId: BookingSchema.shape.bookingId,
});

/** The booking a status request names: the path's booking id and `?source=` (Boatsetter unless given). */
export function parseBookingRef(bookingId: string, source: unknown): ParseResult<BookingRef> {
  return parseWith(BookingRefSchema, { bookingId, source });
}

/** A query needs a worker to answer; without one it would wait on the server's own timeout. */
export const STATUS_QUERY_TIMEOUT_MS = 5000;

/**
 * The booking's `status` query, or undefined when this tenant has no such booking. Closed workflows
 * answer too (a worker replays them).
 */
export async function bookingStatus(
  client: Client,
  tenantId: string,
  ref: BookingRef,
): Promise<BookingStatus | undefined> {
  const found = await findBooking(client, tenantId, ref);
  return found ? queryBookingStatus(client, found) : undefined;
}

/** The `status` query of a booking already found; undefined when its workflow is gone meanwhile. */
export async function queryBookingStatus(client: Client, found: FoundBooking): Promise<BookingStatus | undefined> {
  try {
    return await client.connection.withDeadline(Date.now() + STATUS_QUERY_TIMEOUT_MS, () =>
      found.handle.query(statusQuery),
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}
