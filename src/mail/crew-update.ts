import type { CrewMemberStatus } from '../domain/crew';
import { bookingSubject, composeNotice, crewSection, type BookingEmailContext, type OpsEmail } from './email';

export interface CrewUpdateInput extends BookingEmailContext {
  /** Everyone assigned, with their answers now. */
  crew: CrewMemberStatus[];
  /** Crew ids whose answers arrived since ops were last emailed. */
  changed: string[];
}

/**
 * The summary went out when the crew wait ended; an answer that arrives later (a late accept, a
 * member who now declines through ops) changes what ops must do, so it gets a short email of its own.
 */
export function composeCrewUpdate(input: CrewUpdateInput): OpsEmail {
  const { booking } = input;
  const roster = crewSection(input.crew);
  const said = input.crew
    .filter((m) => input.changed.includes(m.id))
    .map((m) => `${m.name ?? m.id} (${m.role}) ${m.status}`);
  return composeNotice(input, {
    subject: `Crew update: ${said.join(', ')} · ${bookingSubject(booking)} (${roster.counts})`,
    title: `Crew update for ${input.tenantName}`,
    lead: [
      `Crew answered after the summary of booking ${booking.source} ${booking.bookingId} for ${input.tenantName}:`,
    ],
    parts: [{ bullets: said }, { heading: 'Crew', detail: roster.counts, text: roster.text, html: roster.html }],
  });
}
