import type { Booking } from '../domain/booking';
import { localTime } from '../domain/time';
import { escapeHtml, urlAttr } from '../html/escape';
import type { OpsSummary } from './summary';

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
export function composeCancellationNotice(input: CancellationNoticeInput): OpsSummary {
  const { booking } = input;
  const start = localTime(booking.charter.start, booking.charter.timeZone);
  const when = `${start.date} ${start.time} ${start.zoneAbbreviation}`;
  const subject = `Cancelled: ${booking.guest.name} · ${when} · ${booking.boat}`.replace(/[\r\n]+/g, ' ');
  const list = (items: string[]) => (items.length ? items : ['nothing']);
  const text = [
    `Booking ${booking.source} ${booking.bookingId} for ${input.tenantName} was cancelled.`,
    input.reason ? `Reason: ${input.reason}` : '',
    '',
    'UNDONE BY THE WORKFLOW',
    ...list(input.undone).map((line) => `- ${line}`),
    '',
    'TO DO BY HAND',
    ...list(input.toDoByHand).map((line) => `- ${line}`),
    '',
    `Workflow: ${input.workflowId}`,
    input.temporalUiUrl ? `Temporal UI: ${input.temporalUiUrl}` : '',
  ]
    .filter((line, i, all) => line !== '' || all[i - 1] !== '')
    .join('\n');
  const items = (lines: string[]) =>
    `<ul>${list(lines)
      .map((l) => `<li>${escapeHtml(l)}</li>`)
      .join('')}</ul>`;
  const html = [
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>`,
    `<h1 style="font-size:18px">Booking ${escapeHtml(booking.source)} ${escapeHtml(booking.bookingId)} was cancelled</h1>`,
    input.reason ? `<p>Reason: ${escapeHtml(input.reason)}</p>` : '',
    `<h2 style="font-size:16px">Undone by the workflow</h2>${items(input.undone)}`,
    `<h2 style="font-size:16px">To do by hand</h2>${items(input.toDoByHand)}`,
    `<p>Workflow: ${escapeHtml(input.workflowId)}${
      input.temporalUiUrl ? ` · <a href="${urlAttr(input.temporalUiUrl)}">Temporal UI</a>` : ''
    }</p>`,
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}
