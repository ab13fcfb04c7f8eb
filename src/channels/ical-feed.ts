import { createHash } from 'node:crypto';
import ICAL from 'ical.js';
import { isIanaTimeZone } from '../domain/booking';
import { isKnownTimeZone, offsetMsAt } from '../domain/wall-clock';

/**
 * Boatsetter's and GetMyBoat's calendar exports: an iCalendar URL per boat, the owner's only way out
 * of either marketplace (no API, no webhook). A feed names when a boat is taken and little else, so
 * what it yields is an event per booking: its UID and its start and end as instants. The rest of a
 * booking (guest, party, pricing) reaches ops another way; a feed event is held until it does.
 *
 * Two things a feed holds must never leave this file:
 * - The URL carries the marketplace's private token: whoever has it reads the calendar. Messages name
 *   the feed by the caller's label, never its URL.
 * - SUMMARY, DESCRIPTION and ATTENDEE carry the guest's name, email and phone. They are never read,
 *   and the parser's own error messages (which quote the offending line) are never passed on.
 */

/**
 * Per fetch of one feed: the largest export we take and how many events it may hold. How long the
 * fetch may take is FEED_CALL in time-budgets.ts, with the activity's other timeouts.
 */
export const FEED_LIMITS = { maxBytes: 5 * 1024 * 1024, maxEvents: 2000 } as const;

export type FeedErrorKind = 'http' | 'invalid' | 'too-large' | 'too-many-events' | 'network';

/**
 * Why a feed could not be read. `retryable`: trying again later can succeed (the marketplace is down,
 * busy or unreachable); otherwise the feed or its URL must change first.
 */
export class FeedError extends Error {
  override readonly name = 'FeedError';
  readonly retryable: boolean;

  constructor(
    readonly kind: FeedErrorKind,
    message: string,
    /** The HTTP status, for kind 'http' when the marketplace answered. */
    readonly status?: number,
  ) {
    // No `cause`, ever: fetch's and the parser's errors can quote the URL or the feed's text.
    super(message);
    this.retryable =
      kind === 'network' ||
      (kind === 'http' && status !== undefined && (status >= 500 || status === 408 || status === 429));
  }
}

/** One booking as a feed shows it. `start` and `end` are instants (`2026-12-05T17:00:00Z`). */
export interface FeedEvent {
  uid: string;
  start: string;
  end: string;
  /** The event's STATUS when it says TENTATIVE or CONFIRMED (a request not yet accepted, or a booking). */
  status?: 'tentative' | 'confirmed';
}

/** A VEVENT that is not a booking we can hold, and why; `uid` when it had one. */
export interface SkippedEvent {
  uid?: string;
  reason: string;
}

export interface ParsedFeed {
  events: FeedEvent[];
  skipped: SkippedEvent[];
}

export interface ParseFeedOptions {
  /** The boat's IANA zone: floating times and all-day dates are wall-clock there. */
  timeZone: string;
  maxEvents: number;
  /** How messages name the feed ("Boatsetter feed seabreeze"); never its URL. */
  label?: string;
}

/**
 * The bookings in an iCalendar feed, read with ical.js. Per event, one UID is one booking:
 * - Times: UTC; TZID defined by a VTIMEZONE in the file (the library's reading); TZID that is only an
 *   IANA name (Intl's reading); floating (wall-clock in `timeZone`); all-day dates (midnight to
 *   midnight in `timeZone`, DTEND exclusive, one day without DTEND). DURATION instead of DTEND.
 * - A UID listed more than once is the version with the highest SEQUENCE, then the latest DTSTAMP,
 *   then the last in the file; the others are skipped as superseded.
 * - Cancelled (STATUS:CANCELLED), recurring (RRULE, RDATE, RECURRENCE-ID), and events without UID,
 *   start or end are skipped, each with the reason: a booking is one charter with a known time.
 * Throws FeedError 'invalid' for text that is not iCalendar, 'too-many-events' past `maxEvents`.
 */
export function parseFeed(text: string, options: ParseFeedOptions): ParsedFeed {
  const label = options.label ?? 'the feed';
  if (!isIanaTimeZone(options.timeZone)) throw new RangeError(`${label}: ${options.timeZone} is not an IANA time zone`);
  const vevents = calendarsOf(text, label).flatMap((calendar) => calendar.getAllSubcomponents('vevent'));
  if (vevents.length > options.maxEvents) {
    throw new FeedError(
      'too-many-events',
      `${label} lists ${vevents.length} events, more than the ${options.maxEvents} a feed may have`,
    );
  }

  const skipped: SkippedEvent[] = [];
  const current = new Map<string, { vevent: ICAL.Component; version: Version }>();
  for (const vevent of vevents) {
    const uid = textOf(vevent, 'uid');
    if (!uid) {
      skipped.push({ reason: 'no UID' });
      continue;
    }
    if (vevent.hasProperty('recurrence-id')) {
      skipped.push({ uid, reason: 'one occurrence of a recurring event (RECURRENCE-ID): a booking is not recurring' });
      continue;
    }
    const version = versionOf(vevent);
    const seen = current.get(uid);
    if (seen) skipped.push({ uid, reason: SUPERSEDED });
    if (!seen || !isNewer(seen.version, version)) current.set(uid, { vevent, version });
  }

  const events: FeedEvent[] = [];
  for (const [uid, { vevent }] of current) {
    const read = readEvent(uid, vevent, options.timeZone);
    if ('reason' in read) skipped.push({ uid, reason: read.reason });
    else events.push(read);
  }
  return { events, skipped };
}

const SUPERSEDED = 'superseded by another version of the same UID (higher SEQUENCE or later DTSTAMP)';

/**
 * The stable booking id of a feed event: the feed's name and a digest of the UID. Marketplace UIDs
 * are long and carry `@` and other characters booking ids cannot (`^[A-Za-z0-9._-]{1,64}$`).
 */
export function feedEventKey(feedName: string, uid: string): string {
  if (!/^[a-z0-9]{1,20}$/.test(feedName)) {
    throw new RangeError(`feed name ${JSON.stringify(feedName)} must be 1-20 lower-case letters or digits`);
  }
  return `${feedName}.${createHash('sha256').update(uid, 'utf8').digest('hex').slice(0, 20)}`;
}

/** The VCALENDARs in the text (exports sometimes concatenate several); at least one, or the feed is invalid. */
function calendarsOf(text: string, label: string): ICAL.Component[] {
  let jcal: unknown;
  try {
    // A byte-order mark would make the first line's name "\uFEFFBEGIN".
    jcal = ICAL.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    // Withheld: the parser's message quotes the offending line, which can be a guest's details.
    throw new FeedError('invalid', `${label} is not valid iCalendar (the parser stopped on a malformed line)`);
  }
  const components = isComponent(jcal) ? [jcal] : Array.isArray(jcal) ? jcal.filter(isComponent) : [];
  const calendars = components.filter((c) => c[0] === 'vcalendar').map((c) => new ICAL.Component(c));
  if (calendars.length === 0) throw new FeedError('invalid', `${label} is not an iCalendar file (no VCALENDAR)`);
  return calendars;
}

/** jCal: `[name, properties, subcomponents]`. */
function isComponent(value: unknown): value is [string, unknown[], unknown[]] {
  return Array.isArray(value) && typeof value[0] === 'string' && Array.isArray(value[1]) && Array.isArray(value[2]);
}

/** What makes one version of a UID newer than another (RFC 5545 3.8.7.4: SEQUENCE, then DTSTAMP). */
interface Version {
  sequence: number;
  stamp: number;
}

function versionOf(vevent: ICAL.Component): Version {
  const sequence = Number(vevent.getFirstPropertyValue('sequence'));
  let stamp = -Infinity;
  try {
    const value = vevent.getFirstPropertyValue('dtstamp');
    if (value instanceof ICAL.Time) stamp = value.toUnixTime();
  } catch {
    // An unreadable DTSTAMP orders as the oldest.
  }
  return { sequence: Number.isFinite(sequence) ? sequence : 0, stamp };
}

function isNewer(a: Version, b: Version): boolean {
  return a.sequence !== b.sequence ? a.sequence > b.sequence : a.stamp > b.stamp;
}

function readEvent(uid: string, vevent: ICAL.Component, timeZone: string): FeedEvent | { reason: string } {
  const status = textOf(vevent, 'status')?.toUpperCase();
  if (status === 'CANCELLED') return { reason: 'cancelled (STATUS:CANCELLED)' };
  if (new ICAL.Event(vevent, { exceptions: [] }).isRecurring()) {
    return { reason: 'recurring (RRULE or RDATE): a booking is one charter, not a series' };
  }

  const dtstart = vevent.getFirstProperty('dtstart');
  if (!dtstart) return { reason: 'no DTSTART' };
  const start = zonedTimeOf(dtstart, timeZone);
  if ('reason' in start) return start;
  const startMs = start.instant(start.time);

  let endMs: number;
  const dtend = vevent.getFirstProperty('dtend');
  const duration = vevent.getFirstProperty('duration');
  if (dtend) {
    const end = zonedTimeOf(dtend, timeZone);
    if ('reason' in end) return end;
    endMs = end.instant(end.time);
  } else if (duration) {
    const value = safeValue(duration);
    if (!(value instanceof ICAL.Duration)) return { reason: 'DURATION is not a valid duration' };
    endMs = plusDuration(start, value);
  } else if (start.time.isDate) {
    endMs = plusDays(start, 1);
  } else {
    return { reason: 'no DTEND or DURATION' };
  }
  if (endMs <= startMs) return { reason: 'does not end after it starts' };

  return {
    uid,
    start: isoInstant(startMs),
    end: isoInstant(endMs),
    ...(status === 'TENTATIVE' ? { status: 'tentative' } : status === 'CONFIRMED' ? { status: 'confirmed' } : {}),
  };
}

/** A DTSTART or DTEND, and how its wall-clock fields (or fields moved from them) become an instant. */
interface ZonedTime {
  time: ICAL.Time;
  instant: (time: ICAL.Time) => number;
}

function zonedTimeOf(property: ICAL.Property, timeZone: string): ZonedTime | { reason: string } {
  const name = property.name.toUpperCase();
  const raw = String(property.jCal[3]);
  // `DTSTART:20261205` without VALUE=DATE breaks RFC 5545 but is common in exports; ical.js reads it as
  // a date-time and keeps it as "2026-12-05T::", which is still plainly the date.
  const bareDate = /^(\d{4}-\d{2}-\d{2})T::$/.exec(raw)?.[1];
  const time = bareDate === undefined ? safeValue(property) : ICAL.Time.fromDateString(bareDate);
  // ical.js rolls impossible fields over (month 13 is next January): a time that does not read back as
  // the text it came from was not a real date.
  if (!(time instanceof ICAL.Time) || withoutZ(time.toString()) !== withoutZ(bareDate ?? raw)) {
    return { reason: `${name} is not a valid date or date-time` };
  }
  if (time.isDate) return { time, instant: (t) => wallClockInstant(t, timeZone) };
  if (time.zone === ICAL.Timezone.utcTimezone) return { time, instant: (t) => t.toUnixTime() * 1000 };
  const tzid = property.getParameter('tzid');
  // The library's reading of a zone the file defines in a VTIMEZONE.
  if (tzid !== undefined && time.zone !== ICAL.Timezone.localTimezone) return { time, instant: definedZoneInstant };
  if (tzid === undefined) return { time, instant: (t) => wallClockInstant(t, timeZone) };
  // A TZID without a VTIMEZONE leaves the time floating in ical.js, silently: Intl reads IANA names.
  if (typeof tzid === 'string' && isKnownTimeZone(tzid)) return { time, instant: (t) => wallClockInstant(t, tzid) };
  return {
    reason: `${name} is in time zone ${JSON.stringify(String(tzid).slice(0, 64))}, which the feed does not define and Intl does not know`,
  };
}

/**
 * The instant of a time in a zone the file defines, as ical.js reads it, except where the clocks
 * change: ical.js reads a time they skipped or passed twice with the offset after the change, where
 * RFC 5545 3.3.5 wants the offset before it (the first occurrence; for a skipped time, later by the
 * gap). A time is in that window when the offset after the change is in force for it but not for the
 * time one change earlier, which still has the offset of the day before.
 */
function definedZoneInstant(time: ICAL.Time): number {
  const offsetAfter = (seconds: number): number => {
    const moved = time.clone();
    moved.adjust(0, 0, 0, seconds);
    return time.zone.utcOffset(moved);
  };
  const offset = time.zone.utcOffset(time);
  const dayBefore = offsetAfter(-24 * 3600);
  const change = Math.abs(offset - dayBefore);
  const inChange = change !== 0 && offsetAfter(-change) === dayBefore;
  return (time.toUnixTime() + (inChange ? offset - dayBefore : 0)) * 1000;
}

/** RFC 5545 3.3.6: weeks and days are calendar days (same wall-clock time across DST); the rest is exact. */
function plusDuration(start: ZonedTime, duration: ICAL.Duration): number {
  const sign = duration.isNegative ? -1 : 1;
  const exactMs = (duration.hours * 3600 + duration.minutes * 60 + duration.seconds) * 1000;
  return plusDays(start, sign * (duration.weeks * 7 + duration.days)) + sign * exactMs;
}

function plusDays(start: ZonedTime, days: number): number {
  const moved = start.time.clone();
  moved.adjust(days, 0, 0, 0);
  return start.instant(moved);
}

/** `TZID=UTC` reads as UTC, which ical.js then writes with a Z the text did not have. */
function withoutZ(text: string): string {
  return text.replace(/Z$/, '');
}

function safeValue(property: ICAL.Property): unknown {
  try {
    return property.getFirstValue();
  } catch {
    return undefined;
  }
}

function textOf(component: ICAL.Component, name: string): string | undefined {
  const value = component.getFirstPropertyValue(name);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isoInstant(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

const HOUR_MS = 3600_000;

/**
 * The instant a wall-clock time names in an IANA zone, as RFC 5545 3.3.5 reads it: a time the clocks
 * passed twice is the first of them; a time they skipped is read with the offset before the gap (so
 * 02:30 on a spring-forward night is 03:30 after it).
 */
function wallClockInstant(time: ICAL.Time, timeZone: string): number {
  const wall = Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second);
  // Offsets a day either side bracket any transition near this wall-clock time.
  const before = offsetMsAt(wall - 24 * HOUR_MS, timeZone);
  const after = offsetMsAt(wall + 24 * HOUR_MS, timeZone);
  const matches = [wall - before, wall - after].filter((ms) => ms + offsetMsAt(ms, timeZone) === wall);
  return matches.length > 0 ? Math.min(...matches) : wall - before;
}

/** What the caller kept from the last 200: sent back so an unchanged feed answers 304 with no body. */
export interface FeedValidators {
  etag?: string;
  lastModified?: string;
}

export interface FetchFeedOptions {
  /** How messages name the feed; the URL holds the marketplace's token and is never repeated. */
  label: string;
  maxBytes: number;
  /** For the whole exchange, body included. */
  timeoutMs: number;
  /** The caller giving up (the activity cancelled): the request stops at once and rejects with its reason. */
  signal?: AbortSignal;
}

export type FetchedFeed =
  { notModified: true } | { notModified: false; text: string; etag?: string; lastModified?: string };

/**
 * One conditional GET of a feed. Any content type is read, as UTF-8: marketplaces serve their exports
 * as text/calendar, text/plain or application/octet-stream. A body past `maxBytes` is refused as soon
 * as it is declared (Content-Length) or read that far.
 */
export async function fetchFeed(
  url: string,
  validators: FeedValidators,
  options: FetchFeedOptions,
): Promise<FetchedFeed> {
  const { label, maxBytes, timeoutMs } = options;
  const target = feedUrl(url, label);
  const timeout = AbortSignal.timeout(timeoutMs);
  const tooLarge = new AbortController();
  const signal = AbortSignal.any([timeout, tooLarge.signal, ...(options.signal ? [options.signal] : [])]);
  const conditional = {
    ...(headerSafe(validators.etag) ? { 'if-none-match': validators.etag } : {}),
    ...(headerSafe(validators.lastModified) ? { 'if-modified-since': validators.lastModified } : {}),
  };
  const refuse = (): FeedError => {
    tooLarge.abort();
    return new FeedError('too-large', `${label} is larger than ${maxBytes} bytes`);
  };

  try {
    const res = await fetch(target, {
      headers: { accept: 'text/calendar, */*;q=0.5', ...conditional },
      signal,
      // No credential travels in a header, so following a marketplace's redirect (http to https, a
      // CDN) sends nothing it should not.
      redirect: 'follow',
    });
    if (res.status === 304 && Object.keys(conditional).length > 0) {
      await discard(res);
      return { notModified: true };
    }
    if (res.status < 200 || res.status >= 300) {
      await discard(res);
      throw new FeedError('http', `${label} answered ${res.status}`, res.status);
    }
    if (Number(res.headers.get('content-length')) > maxBytes) throw refuse();
    const text = await readText(res, maxBytes, refuse);
    const etag = res.headers.get('etag');
    const lastModified = res.headers.get('last-modified');
    return { notModified: false, text, ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
  } catch (err) {
    if (err instanceof FeedError) throw err;
    if (options.signal?.aborted) throw options.signal.reason ?? err;
    if (timeout.aborted) throw new FeedError('network', `${label} did not answer within ${timeoutMs} ms`);
    throw new FeedError('network', `${label} is unreachable (${networkCode(err)})`);
  }
}

/**
 * The URL fetch should take: `webcal:` (what marketplaces' "subscribe" links say) is https. Anything
 * that is not http(s) is refused in our words: fetch's and URL's own errors quote the URL.
 */
function feedUrl(url: string, label: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url.replace(/^webcals?:/i, 'https:'));
  } catch {
    throw new FeedError('http', `${label} has a URL that is not a URL: check the feed's configuration`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new FeedError('http', `${label} has a URL that is not http(s): check the feed's configuration`);
  }
  return parsed;
}

/** A validator as a marketplace sent it; anything a header cannot carry is not sent (a full GET instead). */
function headerSafe(value: string | undefined): value is string {
  return value !== undefined && /^[\x20-\x7e]{1,1024}$/.test(value);
}

async function readText(res: Response, maxBytes: number, refuse: () => FeedError): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  // Not fatal: one mis-encoded byte in a guest's name must not lose the whole feed.
  const decoder = new TextDecoder('utf-8');
  const parts: string[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw refuse();
    }
    parts.push(decoder.decode(value, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}

/** Frees the connection of an answer whose body we do not read. */
async function discard(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}

/** fetch says "fetch failed"; the cause's code (ECONNREFUSED, ENOTFOUND) is the useful part, and names no URL. */
function networkCode(err: unknown): string {
  const cause = typeof err === 'object' && err !== null ? (err as { cause?: unknown }).cause : undefined;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? code : 'network error';
}
