import type { Booking } from '../domain/booking';
import type { CrewMemberStatus } from '../domain/crew';
import {
  bookingSubject,
  bulletList,
  crewSection,
  emailDocument,
  emailHeading,
  emailTitle,
  oneLine,
  workflowLinks,
  type OpsEmail,
} from './email';

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
export function composeCrewUpdate(input: CrewUpdateInput): OpsEmail {
  const { booking } = input;
  const roster = crewSection(input.crew);
  const changed = input.crew.filter((m) => input.changed.includes(m.id));
  const said = changed.map((m) => `${m.name ?? m.id} (${m.role}) ${m.status}`);
  const subject = oneLine(`Crew update: ${said.join(', ')} · ${bookingSubject(booking)} (${roster.counts})`);
  const footer = workflowLinks(input.workflowId, input.temporalUiUrl);
  const text = [
    `Crew answered after the summary of booking ${booking.source} ${booking.bookingId} for ${input.tenantName}:`,
    ...said.map((line) => `- ${line}`),
    '',
    `CREW (${roster.counts})`,
    roster.text,
    '',
    ...footer.text,
    '',
  ].join('\n');
  const html = emailDocument(subject, [
    emailTitle(`Crew update for ${input.tenantName}`),
    bulletList(said),
    emailHeading(`Crew (${roster.counts})`),
    roster.html,
    footer.html,
  ]);
  return { subject, text, html };
}
