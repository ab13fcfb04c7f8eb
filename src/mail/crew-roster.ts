import type { CrewRoster } from '../domain/ops-digest';
import { confirmedCrew } from '../domain/crew';
import { escapeHtml } from '../html/escape';
import {
  crewSection,
  emailDocument,
  emailHeading,
  emailTitle,
  localDateTime,
  oneLine,
  workflowLinks,
  type OpsEmail,
} from './email';

export interface CrewRosterInput {
  tenantName: string;
  roster: CrewRoster;
  /** The zone for times when the booking's own is unknown (the tenant's). */
  timeZone: string;
  temporalUiUrl?: string;
}

/**
 * The roster of one charter, to ops, a day before it sails: who confirmed, and who did not. Crew
 * phones are not in our data (SCC holds them), and magic links never leave the crew-event activity,
 * so it names each member and their SCC answer, and the SCC event where ops reach them.
 */
export function composeCrewRoster(input: CrewRosterInput): OpsEmail {
  const { roster } = input;
  const zone = roster.timeZone ?? input.timeZone;
  const confirmed = confirmedCrew(roster.crew);
  const crew = crewSection(roster.crew);
  const when = `${localDateTime(roster.start, zone)}${roster.end ? ` to ${localDateTime(roster.end, zone)}` : ''}`;
  const boat = roster.boat ?? 'boat unknown';
  const subject = oneLine(`Crew roster: ${boat} · ${localDateTime(roster.start, zone)} · ${crew.counts}`);
  const guest = roster.guestName
    ? `${roster.guestName}, ${roster.partySize} ${roster.partySize === 1 ? 'guest' : 'guests'}`
    : 'details unknown';
  const facts = [
    `When: ${when}`,
    `Boat: ${boat}`,
    `Guest: ${guest}`,
    `Booking: ${roster.source} ${roster.bookingId} (${roster.stage})`,
    `SCC event: ${roster.sccEventId ?? 'none yet'} (crew phones and links are in SCC)`,
  ];
  const confirmedLines = confirmed.length
    ? confirmed.map((m) => `${m.role}: ${m.name ?? m.id} (${m.id})`)
    : ['Nobody has confirmed.'];
  const footer = workflowLinks(roster.workflowId, input.temporalUiUrl);
  const title = `${input.tenantName}: crew roster for ${boat}, ${localDateTime(roster.start, zone)}`;
  const text = [
    title,
    '',
    ...facts,
    '',
    `CONFIRMED CREW (${confirmed.length})`,
    ...confirmedLines,
    '',
    `EVERYONE ASKED (${crew.counts})`,
    crew.text,
    '',
    ...footer.text,
    '',
  ].join('\n');
  const html = emailDocument(subject, [
    emailTitle(title),
    `<p>${facts.map(escapeHtml).join('<br>')}</p>`,
    emailHeading(`Confirmed crew (${confirmed.length})`),
    `<ul>${confirmedLines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`,
    emailHeading(`Everyone asked (${crew.counts})`),
    crew.html,
    footer.html,
  ]);
  return { subject, text, html };
}
