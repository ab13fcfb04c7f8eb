import { composeNotice, localDateTime, type BookingEmailContext, type OpsEmail } from './email';

/**
 * The email that asks ops to complete a held booking: a calendar feed (Boatsetter's or GetMyBoat's
 * iCal export) showed a new reservation, which tells only its times. The slot is taken in JADA at
 * once; the guest, party size and pricing come from the marketplace's booking email or its website,
 * and once ops enter them on the ops page the crew are asked and the guest page goes out.
 */
export interface HeldBookingInput extends BookingEmailContext {
  tenantId: string;
  /** The tenants file's name of the feed. */
  feed: string;
  jadaEventId: string;
  /** Where ops complete it: the ops page's booking link, when the worker knows the service's address. */
  opsPageUrl?: string;
}

export function composeHeldBooking(input: HeldBookingInput): OpsEmail {
  const { booking } = input;
  const when = `${localDateTime(booking.charter.start, booking.charter.timeZone)} to ${localDateTime(
    booking.charter.end,
    booking.charter.timeZone,
  )}`;
  const path =
    `/tenants/${encodeURIComponent(input.tenantId)}/bookings/${encodeURIComponent(booking.bookingId)}` +
    `/details?source=${encodeURIComponent(booking.source)}`;
  return composeNotice(input, {
    subject: `New ${booking.source} booking: details wanted · ${booking.boat} · ${when}`,
    title: `A ${booking.source} booking for ${input.tenantName} waits for its details`,
    lead: [
      `The ${input.feed} calendar feed shows a new reservation of ${booking.boat}, ${when}.`,
      `The slot is taken in JADA (entry ${input.jadaEventId}). Crew are not asked and no guest page is made until ` +
        'the guest, party size and pricing are entered: find them in the marketplace booking email or its website.',
    ],
    parts: [
      {
        heading: 'Complete it',
        bullets: [
          input.opsPageUrl ? `On the ops page: ${input.opsPageUrl}` : 'On the ops page (its "Held" list)',
          `Or through the ops API: POST ${path} with {"guest": {...}, "pricing": {...}} (X-Service-Key: the intake key)`,
        ],
      },
    ],
  });
}
