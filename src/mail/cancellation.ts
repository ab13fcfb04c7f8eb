import { composeNotice, localDateTime, type BookingEmailContext, type OpsEmail } from './email';

export interface CancellationNoticeInput extends BookingEmailContext {
  /** Why the workflow was cancelled, as Temporal reports it (e.g. the reason typed in the UI). */
  reason?: string;
  /** What the workflow undid itself, in order. */
  undone: string[];
  /** What ops must still undo by hand: JADA and SCC offer no cancellation in their contracts. */
  toDoByHand: string[];
}

/** Tells ops a booking was cancelled: what was undone and what is left for them. */
export function composeCancellationNotice(input: CancellationNoticeInput): OpsEmail {
  const { booking } = input;
  const when = localDateTime(booking.charter.start, booking.charter.timeZone);
  const orNothing = (lines: string[]) => (lines.length ? lines : ['nothing']);
  return composeNotice(input, {
    subject: `Cancelled: ${booking.guest.name} · ${when} · ${booking.boat}`,
    title: `Booking ${booking.source} ${booking.bookingId} was cancelled`,
    lead: [
      `Booking ${booking.source} ${booking.bookingId} for ${input.tenantName} was cancelled.`,
      ...(input.reason ? [`Reason: ${input.reason}`] : []),
    ],
    parts: [
      { heading: 'Undone by the workflow', bullets: orNothing(input.undone) },
      { heading: 'To do by hand', bullets: orNothing(input.toDoByHand) },
    ],
  });
}
