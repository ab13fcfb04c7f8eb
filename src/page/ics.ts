import type { Booking } from '../domain/booking';
import { safeUrl } from '../html/escape';
import { PublishInputError } from '../publish/errors';

/**
 * The charter as an iCalendar file (RFC 5545), published beside the guest page so guests can put it
 * in their own calendar. Pure, like the page renderer: the caller passes `now` and the URLs.
 */

export interface CalendarFileInput {
  booking: Booking;
  slug: string;
  operator: { name: string; phone?: string; email?: string };
  meetingPoint?: { name: string; directionsUrl?: string };
  /** The guest page, so the calendar entry leads back to it. */
  pageUrl?: string;
  /** Becomes DTSTAMP: when this copy of the file was made. */
  now: number;
  /**
   * Becomes SEQUENCE (RFC 5545 §3.8.7.4): the booking's revision, so a calendar that imported an
   * earlier copy takes this one as newer (same UID, higher SEQUENCE). 0 when not given.
   */
  sequence?: number;
}

const CRLF = '\r\n';
/** RFC 5545 §3.1: lines SHOULD NOT be longer than 75 octets, excluding the line break. */
const MAX_LINE_OCTETS = 75;

/**
 * The UID stays the same across every re-publish of the page (the slug is stable for a booking), so a
 * calendar that imports the file twice updates the entry instead of adding a second one.
 */
export function calendarUid(slug: string): string {
  return `${slug}@charter-fulfillment`;
}

/** `20270314T093000Z`: DATE-TIME in UTC (RFC 5545 §3.3.5, form #2), so no VTIMEZONE is needed. */
export function icsUtc(instant: string | number): string {
  const iso = new Date(instant).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/**
 * A TEXT value (RFC 5545 §3.3.11). Control characters other than tab are not allowed in TEXT at all,
 * and a lone surrogate cannot be encoded as UTF-8, so both are dropped or replaced rather than
 * producing a file some calendar refuses.
 */
export function escapeText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/[\\;,]/g, (c) => `\\${c}`)
    .replace(/\n/g, '\\n');
}

function utf8Length(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  return codePoint < 0x10000 ? 3 : 4;
}

/**
 * Splits a content line into lines of at most 75 octets, each continuation starting with one space
 * (RFC 5545 §3.1). Counts UTF-8 octets and never cuts inside a character, which the RFC forbids.
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = utf8Length(char.codePointAt(0) ?? 0);
    if (octets + size > MAX_LINE_OCTETS) {
      out.push(current);
      current = ' ';
      octets = 1;
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join(CRLF);
}

function property(name: string, value: string): string {
  return foldLine(`${name}:${value}`);
}

/**
 * A URI value (URL property) is not TEXT and has no escaping of its own: only an http(s), mailto: or
 * tel: URL goes in, percent-encoded by safeUrl, so it has no line break or control left to end the line.
 */
function uriValue(url: string | undefined): string | undefined {
  const safe = safeUrl(url);
  return safe === '#' ? undefined : safe;
}

function description(input: CalendarFileInput): string {
  const { booking, operator, meetingPoint } = input;
  const party = booking.guest.partySize;
  const lines = [`Boat: ${booking.boat}`, `Party: ${party} ${party === 1 ? 'guest' : 'guests'}`];
  if (meetingPoint) {
    lines.push(`Meet at: ${meetingPoint.name}`);
    const directions = uriValue(meetingPoint.directionsUrl);
    if (directions) lines.push(`Directions: ${directions}`);
  }
  const contact = [operator.phone, operator.email].filter(Boolean).join(', ');
  lines.push(`Questions: ${operator.name}${contact ? ` (${contact})` : ''}`);
  const page = uriValue(input.pageUrl);
  if (page) lines.push(`Your charter page: ${page}`);
  return lines.join('\n');
}

/** One VEVENT in one VCALENDAR, CRLF line endings throughout, ending with CRLF. */
export function renderCalendarFile(input: CalendarFileInput): string {
  const { booking, operator, meetingPoint, sequence = 0 } = input;
  // SEQUENCE is an INTEGER: anything else would make the file one calendars refuse, on every retry.
  if (!Number.isSafeInteger(sequence) || sequence < 0) {
    throw new PublishInputError(`calendar sequence must be a whole number, got ${sequence}`);
  }
  const page = uriValue(input.pageUrl);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//charter-fulfillment//Guest page//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    property('UID', calendarUid(input.slug)),
    property('DTSTAMP', icsUtc(input.now)),
    property('SEQUENCE', String(sequence)),
    property('DTSTART', icsUtc(booking.charter.start)),
    property('DTEND', icsUtc(booking.charter.end)),
    property('SUMMARY', escapeText(`Charter on ${booking.boat} with ${operator.name}`)),
    ...(meetingPoint ? [property('LOCATION', escapeText(meetingPoint.name))] : []),
    property('DESCRIPTION', escapeText(description(input))),
    ...(page ? [property('URL', page)] : []),
    'STATUS:CONFIRMED',
    'TRANSP:OPAQUE',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.join(CRLF) + CRLF;
}
