import type { Booking } from '../domain/booking';
import type { CrewMemberStatus } from '../domain/crew';
import { escapeHtml, urlAttr } from '../html/escape';
import { bookingSubject, crewSection, emailDocument, emailHeading, type OpsSummary } from './summary';

export interface CrewUpdateInput {
  tenantName: string;
  booking: Booking;
  workflowId: string;
  /** Everyone assigned, with their answers now. */
  crew: CrewMemberStatus[];
  /** Crew ids whose answers arrived since ops were last emailed. */
  changed: string[];
  temporalUiUrl?: string;
}

/**
 * The summary went out when the crew wait ended; an answer that arrives later (a late accept, a
 * member who now declines through ops) changes what ops must do, so it gets a short email of its own.
 */
export function composeCrewUpdate(input: CrewUpdateInput): OpsSummary {
  const { booking } = input;
  const roster = crewSection(input.crew);
  const changed = input.crew.filter((m) => input.changed.includes(m.id));
  const said = changed.map((m) => `${m.name ?? m.id} (${m.role}) ${m.status}`);
  const subject = `Crew update: ${said.join(', ')} · ${bookingSubject(booking)} (${roster.counts})`.replace(
    /[\r\n]+/g,
    ' ',
  );
  const text = [
    `Crew answered after the summary of booking ${booking.source} ${booking.bookingId} for ${input.tenantName}:`,
    ...said.map((line) => `- ${line}`),
    '',
    `CREW (${roster.counts})`,
    roster.text,
    '',
    `Workflow: ${input.workflowId}`,
    ...(input.temporalUiUrl ? [`Temporal UI: ${input.temporalUiUrl}`] : []),
    '',
  ].join('\n');
  const html = emailDocument(subject, [
    `<h1 style="font-size:18px">Crew update for ${escapeHtml(input.tenantName)}</h1>`,
    `<ul>${said.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`,
    emailHeading(`Crew (${roster.counts})`),
    roster.html,
    `<p>Workflow: <code>${escapeHtml(input.workflowId)}</code>${
      input.temporalUiUrl ? ` · <a href="${urlAttr(input.temporalUiUrl)}">Open this workflow</a>` : ''
    }</p>`,
  ]);
  return { subject, text, html };
}
