import type { Booking } from '../domain/booking';
import { TIME_FIELDS, movesCharter, type FieldChange } from '../domain/booking-changes';
import { formatMoney } from '../domain/money';
import { GUEST_LINES } from '../domain/revenue';
import { escapeHtml } from '../html/escape';
import {
  CELL,
  bookingSubject,
  cell,
  composeNotice,
  localDateTime,
  table,
  textTable,
  type BookingEmailContext,
  type OpsEmail,
} from './email';

export interface BookingChangeInput extends BookingEmailContext {
  /** The booking's details after the change (the context's `booking`), and what the change did to them. */
  changes: FieldChange[];
  /** The revision the change made. */
  revision: number;
  /** Where the change came from: a channel re-delivering the booking ('fareharbor', 'boatsetter'), or 'ops'. */
  channel: string;
  /** Whether crew were asked again (the workflow does so when the date or time moved). */
  crewReasked: boolean;
}

/** How ops know each field of the booking contract; a path not listed here shows as it is. */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  'guest.name': 'Guest name',
  'guest.email': 'Guest email',
  'guest.phone': 'Guest phone',
  'guest.partySize': 'Party size',
  'charter.start': 'Start',
  'charter.end': 'End',
  'charter.timeZone': 'Time zone',
  boat: 'Boat',
  'pricing.currency': 'Currency',
  ...Object.fromEntries(GUEST_LINES.map(([key, label]) => [`pricing.${key}`, `Price: ${label.toLowerCase()}`])),
  'pricing.payout': 'Payout to operator',
  notes: 'Notes',
  crew: 'Crew',
};

/** Subjects name at most this many fields; the body lists them all. */
const SUBJECT_FIELDS = 3;

function fieldLabel(path: string): string {
  return FIELD_LABELS[path] ?? path;
}

/**
 * A value as ops read it: instants in the charter's zone (the zone it has now, so before and after
 * compare at a glance), amounts in their currency, "(not set)" for a field that had or has no value.
 */
function readable(path: string, value: FieldChange['from'], booking: Booking, currency: string): string {
  if (value === null) return '(not set)';
  if (typeof value === 'string' && TIME_FIELDS.includes(path)) return localDateTime(value, booking.charter.timeZone);
  if (typeof value === 'number' && path.startsWith('pricing.')) return formatMoney({ amount: value, currency });
  return String(value);
}

/** Tells ops what a change did to a booking: each field before and after, where it came from, and what of crew. */
export function composeBookingChange(input: BookingChangeInput): OpsEmail {
  const { booking, changes } = input;
  const currencyChange = changes.find((c) => c.path === 'pricing.currency');
  // Amounts before a change of currency were in the old one.
  const before = typeof currencyChange?.from === 'string' ? currencyChange.from : booking.pricing.currency;
  const rows = changes.map((c) => ({
    label: fieldLabel(c.path),
    from: readable(c.path, c.from, booking, before),
    to: readable(c.path, c.to, booking, booking.pricing.currency),
  }));

  const labels = rows.map((r) => r.label);
  const named =
    labels.length > SUBJECT_FIELDS
      ? `${labels.slice(0, SUBJECT_FIELDS).join(', ')} +${labels.length - SUBJECT_FIELDS} more`
      : labels.join(', ');
  const crew = input.crewReasked
    ? `Crew were asked again${movesCharter(changes) ? ', because the date or time moved' : ''}; their answers will follow.`
    : 'Crew were not asked again.';
  const value = `${CELL};white-space:pre-wrap`;
  return composeNotice(input, {
    subject: `Changed by ${input.channel}: ${named} · ${bookingSubject(booking)}${
      input.crewReasked ? ' (crew asked again)' : ''
    }`,
    title: `Booking ${booking.source} ${booking.bookingId} changed`,
    lead: [
      `Booking ${booking.source} ${booking.bookingId} for ${input.tenantName} changed (revision ${input.revision}). ` +
        `The change came from ${input.channel}.`,
      crew,
    ],
    parts: [
      {
        heading: 'Changes',
        detail: `${rows.length} ${rows.length === 1 ? 'field' : 'fields'}`,
        text: textTable(rows.map((r) => [`${r.label}:`, r.from, '→', r.to])),
        html: table([
          ['Field', 'Before', 'After'].map((h) => cell(h, CELL, 'th')),
          ...rows.map((r) => [
            cell(escapeHtml(r.label)),
            cell(escapeHtml(r.from), value),
            cell(escapeHtml(r.to), value),
          ]),
        ]),
      },
    ],
  });
}
