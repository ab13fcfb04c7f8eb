import type { Booking } from '../domain/booking';
import { localTime } from '../domain/time';
import { escapeHtml } from '../html/escape';
import { bulletList, emailDocument, emailHeading, emailTitle, oneLine, workflowLinks, type OpsEmail } from './email';

export interface CancellationNoticeInput {
  tenantName: string;
  booking: Booking;
  workflowId: string;
  /** Why the workflow was cancelled, as Temporal reports it (e.g. the reason typed in the UI). */
  reason?: string;
  /** What the workflow undid itself, in order. */
  undone: string[];
  /** What ops must still undo by hand: JADA and SCC offer no cancellation in their contracts. */
  toDoByHand: string[];
  temporalUiUrl?: string;
}

/** Tells ops a booking was cancelled: what was undone and what is left for them. */
export function composeCancellationNotice(input: CancellationNoticeInput): OpsEmail {
  const { booking } = input;
  const start = localTime(booking.charter.start, booking.charter.timeZone);
  const when = `${start.date} ${start.time} ${start.zoneAbbreviation}`;
  const subject = oneLine(`Cancelled: ${booking.guest.name} · ${when} · ${booking.boat}`);
  const undone = input.undone.length ? input.undone : ['nothing'];
  const toDoByHand = input.toDoByHand.length ? input.toDoByHand : ['nothing'];
  const footer = workflowLinks(input.workflowId, input.temporalUiUrl);
  const text = [
    `Booking ${booking.source} ${booking.bookingId} for ${input.tenantName} was cancelled.`,
    ...(input.reason ? [`Reason: ${input.reason}`] : []),
    '',
    'UNDONE BY THE WORKFLOW',
    ...undone.map((line) => `- ${line}`),
    '',
    'TO DO BY HAND',
    ...toDoByHand.map((line) => `- ${line}`),
    '',
    ...footer.text,
    '',
  ].join('\n');
  const html = emailDocument(subject, [
    emailTitle(`Booking ${booking.source} ${booking.bookingId} was cancelled`),
    ...(input.reason ? [`<p>Reason: ${escapeHtml(input.reason)}</p>`] : []),
    emailHeading('Undone by the workflow'),
    bulletList(undone),
    emailHeading('To do by hand'),
    bulletList(toDoByHand),
    footer.html,
  ]);
  return { subject, text, html };
}
