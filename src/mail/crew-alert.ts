import type { CrewMemberStatus } from '../domain/crew';
import { escapeHtml } from '../html/escape';
import {
  bookingSubject,
  codeBlock,
  composeNotice,
  crewSection,
  localDateTime,
  type BookingEmailContext,
  type OpsEmail,
} from './email';

/**
 * The emails that ask ops to replace crew: an alert the moment someone declines, and an escalation
 * when the crew deadline passes with someone still silent. Both say who, show the roster now, and
 * give the two ways to put someone else in: the ops API and the workflow's `assignCrew` Update.
 */

export interface CrewReplacementContext extends BookingEmailContext {
  /** The tenant's id, as the ops API's path names it. */
  tenantId: string;
  /** Everyone assigned, with their answers now. */
  crew: CrewMemberStatus[];
}

export interface CrewAlertInput extends CrewReplacementContext {
  /** Crew ids who declined and ops have not been told about. */
  declined: string[];
}

export interface CrewEscalationInput extends CrewReplacementContext {
  /** Crew ids who never answered, reminders and all. */
  missing: string[];
}

export function composeCrewAlert(input: CrewAlertInput): OpsEmail {
  const { booking } = input;
  return composeCrewProblem(input, input.declined, {
    subject: 'Crew declined',
    heading: 'Declined',
    lead: `Crew declined booking ${booking.source} ${booking.bookingId} for ${input.tenantName}: find a replacement.`,
  });
}

export function composeCrewEscalation(input: CrewEscalationInput): OpsEmail {
  const { booking } = input;
  return composeCrewProblem(input, input.missing, {
    subject: 'No crew answer',
    heading: 'No answer',
    lead:
      `The crew deadline of booking ${booking.source} ${booking.bookingId} for ${input.tenantName} passed ` +
      `without an answer from crew, after SCC's reminders: call them or find a replacement.`,
  });
}

/** "Ben Okafor (Deckhand, crew-mate-ben)": name, role and the id the replacement call takes. */
function memberLabel(m: CrewMemberStatus): string {
  return `${m.name ?? m.id} (${m.role}, ${m.id})`;
}

function composeCrewProblem(
  input: CrewReplacementContext,
  crewIds: readonly string[],
  wording: { subject: string; heading: string; lead: string },
): OpsEmail {
  const { booking } = input;
  const members = input.crew.filter((m) => crewIds.includes(m.id));
  const roster = crewSection(input.crew);
  const who = members.map((m) => `${m.name ?? m.id} (${m.role})`);
  return composeNotice(input, {
    subject: `${wording.subject}: ${who.join(', ')} · ${bookingSubject(booking)} (${roster.counts})`,
    title: `${wording.subject} for ${input.tenantName}`,
    lead: [
      wording.lead,
      `Charter: ${localDateTime(booking.charter.start, booking.charter.timeZone)} on ${booking.boat}, ` +
        `guest ${booking.guest.name}.`,
    ],
    parts: [
      { heading: wording.heading, bullets: members.map(memberLabel) },
      { heading: 'Crew', detail: roster.counts, text: roster.text, html: roster.html },
      { heading: 'How to replace', ...replacementHowTo(input, members) },
    ],
  });
}

/** A shell word: single quotes keep everything as typed, a quote in the text closes and reopens them. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * For each member, the ops API call and the Temporal Update that replace them, ready to copy: the
 * body names the member replaced and a new member of the same role, whose id and name ops fill in.
 */
function replacementHowTo(
  input: CrewReplacementContext,
  members: readonly CrewMemberStatus[],
): { text: string; html: string } {
  const { booking } = input;
  const path =
    `/tenants/${encodeURIComponent(input.tenantId)}/bookings/${encodeURIComponent(booking.bookingId)}` +
    `/crew?source=${encodeURIComponent(booking.source)}`;
  const steps = members.map((m) => {
    const body = JSON.stringify({ replace: m.id, member: { id: '<new crew id>', role: m.role, name: '<name>' } });
    return {
      intro: `To replace ${memberLabel(m)}, fill in the new member's id and name, then either`,
      api: `POST ${path}\nX-Service-Key: <the tenant's intake key>\nContent-Type: application/json\n\n${body}`,
      update:
        `temporal workflow update execute --name assignCrew ` +
        `--workflow-id ${shellQuote(input.workflowId)} --input ${shellQuote(body)}`,
    };
  });
  const apiLabel = 'call the ops API:';
  const updateLabel = 'or send the workflow the assignCrew Update:';
  return {
    text: steps.map((s) => [s.intro, apiLabel, '', s.api, '', updateLabel, '', s.update].join('\n')).join('\n\n'),
    html: steps
      .flatMap((s) => [
        `<p>${escapeHtml(`${s.intro} ${apiLabel}`)}</p>`,
        codeBlock(s.api),
        `<p>${escapeHtml(updateLabel)}</p>`,
        codeBlock(s.update),
      ])
      .join('\n'),
  };
}
