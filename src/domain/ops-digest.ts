import type { Booking, BookingSource } from './booking';
import type { CrewMemberStatus } from './crew';
import { revenueBreakdown } from './revenue';
import { wallClockFieldsAt, wallClockToInstant } from './wall-clock';

/**
 * The daily ops digest and the crew rosters, planned from what Temporal knows of each booking (its
 * search attributes and its `status` query). Pure: the activities read visibility and the queries,
 * this decides what goes in each email, and the composers in src/mail render it.
 *
 * Days are the tenant's local days: "today" is the date the digest's scheduled time has in the
 * tenant's zone, found with the zone's rules on that date (a midnight the clocks skip is not assumed).
 */

/** A calendar date, `YYYY-MM-DD`. */
export type LocalDate = string;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The date an instant has in `timeZone`. */
export function localDateAt(ms: number, timeZone: string): LocalDate {
  const f = wallClockFieldsAt(ms, timeZone);
  return `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)}`;
}

/** A calendar date `days` later (or earlier): arithmetic on the date alone, no clock or zone involved. */
export function addDays(date: LocalDate, days: number): LocalDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + days));
  return `${pad(next.getUTCFullYear(), 4)}-${pad(next.getUTCMonth() + 1)}-${pad(next.getUTCDate())}`;
}

/**
 * The first instant of a local date: midnight, or, where the clocks skip midnight (spring forward
 * at 00:00, as in some zones), the first wall-clock time that exists.
 */
export function startOfLocalDay(date: LocalDate, timeZone: string): number {
  for (let minutes = 0; minutes < 24 * 60; minutes += 15) {
    const parsed = wallClockToInstant(`${date}T${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`, timeZone);
    if (parsed.ok) return Date.parse(parsed.instant);
  }
  throw new RangeError(`${date} has no start in ${timeZone}`);
}

export interface DigestDays {
  yesterday: LocalDate;
  today: LocalDate;
  tomorrow: LocalDate;
  /** Instants bounding the days: yesterday's start, today's, tomorrow's, and the day after's. */
  bounds: { yesterday: number; today: number; tomorrow: number; dayAfter: number };
}

export function digestDays(atMs: number, timeZone: string): DigestDays {
  const today = localDateAt(atMs, timeZone);
  const yesterday = addDays(today, -1);
  const tomorrow = addDays(today, 1);
  return {
    yesterday,
    today,
    tomorrow,
    bounds: {
      yesterday: startOfLocalDay(yesterday, timeZone),
      today: startOfLocalDay(today, timeZone),
      tomorrow: startOfLocalDay(tomorrow, timeZone),
      dayAfter: startOfLocalDay(addDays(today, 2), timeZone),
    },
  };
}

/**
 * Which period a digest run is for, the key of its exactly-once Message-ID: the tenant-local date of
 * its scheduled time (one digest a day, whether the schedule or `temporal schedule trigger` started
 * it), or, for a schedule every N seconds (tests), the scheduled time floored to N seconds.
 */
export function digestPeriod(atMs: number, timeZone: string, everySeconds?: number): string {
  if (everySeconds === undefined) return localDateAt(atMs, timeZone);
  const periodMs = everySeconds * 1000;
  return new Date(Math.floor(atMs / periodMs) * periodMs).toISOString();
}

/** `HH:MM` as the schedule's calendar spec takes it. */
export function parseTimeOfDay(text: string): { hour: number; minute: number } {
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  if (!match) throw new RangeError(`"${text}" is not HH:MM`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

/** What the activities learn of one booking: visibility's view, and its `status` query when it answered. */
export interface BookingSighting {
  workflowId: string;
  source: BookingSource;
  bookingId: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, ... */
  execution: string;
  /** The CharterStart search attribute (ISO), which visibility filtered on. */
  charterStart?: string;
  /** The stage as the FulfillmentStage search attribute had it. */
  stage?: string;
  status?: SightedStatus;
}

/** The part of the booking's `status` query the digest and rosters read. */
export interface SightedStatus {
  stage: string;
  crew: CrewMemberStatus[];
  /** Absent for bookings of the old workflow type (bookingFulfillment). */
  booking?: Booking;
  failure?: string;
  held?: { feed: string; since: string };
  sccEventId?: string;
}

/** A charter as ops emails list it: no more of the guest than the ops summary carries. */
export interface CharterLine {
  workflowId: string;
  source: BookingSource;
  bookingId: string;
  start: string;
  end?: string;
  timeZone?: string;
  boat?: string;
  guestName?: string;
  partySize?: number;
  stage: string;
  crew: CrewMemberStatus[];
}

/** One charter as the digest lists it. */
export interface DigestCharter extends CharterLine {
  held: boolean;
  /** The status query did not answer: only visibility's view is shown. */
  statusUnavailable: boolean;
}

export type ActionReason = 'NEEDS_CREW' | 'FAILED' | 'AWAITING_DETAILS';

export interface DigestAction {
  workflowId: string;
  source: BookingSource;
  bookingId: string;
  charterStart?: string;
  reason: ActionReason;
  /** What to do, in a line: who declined or stayed silent, the failure message, the feed it is held from. */
  detail: string;
}

/** Yesterday's charters of one source in one currency. */
export interface SourceRevenue {
  source: BookingSource;
  currency: string;
  charters: number;
  /** What the guests paid, in minor units. */
  guestTotal: number;
  /** Payouts reported, summed (minor units), and over how many of the charters. */
  payout: number;
  payoutCharters: number;
}

export interface DigestRevenue {
  /** Charters that started on this local date (yesterday). */
  day: LocalDate;
  bySource: SourceRevenue[];
  /** Yesterday's charters without pricing to count: held (details never entered) or status unreadable. */
  withoutPricing: number;
}

export interface OpsDigest {
  tenant: string;
  period: string;
  timeZone: string;
  /** The scheduled time of the run, ISO. */
  at: string;
  days: Pick<DigestDays, 'yesterday' | 'today' | 'tomorrow'>;
  today: DigestCharter[];
  tomorrow: DigestCharter[];
  needsAction: DigestAction[];
  revenue: DigestRevenue;
  /** Visibility held more bookings than one digest reads: the lists are incomplete. */
  truncated: boolean;
}

/** Execution statuses (Temporal's names) of bookings that will not sail or whose details are gone. */
const ENDED_BADLY = new Set(['CANCELLED', 'TERMINATED', 'TIMED_OUT']);

function charterOf(s: BookingSighting): DigestCharter | undefined {
  const booking = s.status?.booking;
  const start = booking?.charter.start ?? s.charterStart;
  if (!start) return undefined;
  return {
    workflowId: s.workflowId,
    source: s.source,
    bookingId: s.bookingId,
    start,
    ...(booking
      ? {
          end: booking.charter.end,
          timeZone: booking.charter.timeZone,
          boat: booking.boat,
          ...(s.status?.held ? {} : { guestName: booking.guest.name, partySize: booking.guest.partySize }),
        }
      : {}),
    stage: s.status?.stage ?? s.stage ?? (s.execution === 'FAILED' ? 'FAILED' : 'RECEIVED'),
    crew: s.status?.crew ?? [],
    held: Boolean(s.status?.held) || s.stage === 'AWAITING_DETAILS',
    statusUnavailable: s.status === undefined,
  };
}

function actionOf(s: BookingSighting, charter: DigestCharter): DigestAction | undefined {
  const base = { workflowId: s.workflowId, source: s.source, bookingId: s.bookingId, charterStart: charter.start };
  if (charter.stage === 'FAILED' || s.execution === 'FAILED') {
    return { ...base, reason: 'FAILED', detail: s.status?.failure ?? 'failed (open it in the Temporal UI)' };
  }
  if (charter.stage === 'AWAITING_DETAILS') {
    const feed = s.status?.held?.feed;
    return {
      ...base,
      reason: 'AWAITING_DETAILS',
      detail: `held${feed ? ` from the ${feed} feed` : ''}: enter the guest and pricing`,
    };
  }
  const flagged = charter.crew.filter((m) => m.status === 'declined' || m.status === 'no-answer');
  if (charter.stage === 'NEEDS_CREW' || flagged.length > 0) {
    const who = flagged.map((m) => `${m.role} ${m.name ?? m.id} ${m.status === 'declined' ? 'declined' : 'no answer'}`);
    return { ...base, reason: 'NEEDS_CREW', detail: who.length ? who.join(', ') : 'crew missing: replace them' };
  }
  return undefined;
}

const byStart = (a: { start: string }, b: { start: string }) => Date.parse(a.start) - Date.parse(b.start);

/**
 * The digest from every booking the activity saw (those with a charter from yesterday to the end of
 * tomorrow, and those needing action), each once. Revenue is yesterday's charters by charter start,
 * not bookings taken yesterday: money is earned when the boat sails, and CharterStart is what
 * visibility can filter on (intake time is not a search attribute, and a workflow's start time
 * moves with every continue-as-new).
 */
export function planOpsDigest(input: {
  tenant: string;
  atMs: number;
  timeZone: string;
  everySeconds?: number;
  sightings: BookingSighting[];
  truncated: boolean;
}): OpsDigest {
  const days = digestDays(input.atMs, input.timeZone);
  const seen = new Map<string, BookingSighting>();
  for (const s of input.sightings) if (!seen.has(s.workflowId)) seen.set(s.workflowId, s);

  const today: DigestCharter[] = [];
  const tomorrow: DigestCharter[] = [];
  const needsAction: DigestAction[] = [];
  const revenue = new Map<string, SourceRevenue>();
  let withoutPricing = 0;
  for (const s of seen.values()) {
    if (ENDED_BADLY.has(s.execution) || s.status?.stage === 'CANCELLED') continue;
    const charter = charterOf(s);
    if (!charter) continue;
    const start = Date.parse(charter.start);
    const action = actionOf(s, charter);
    // Needing action matters only before the charter is over: yesterday's are history.
    if (action && start >= days.bounds.today) needsAction.push(action);
    if (start >= days.bounds.today && start < days.bounds.tomorrow) today.push(charter);
    else if (start >= days.bounds.tomorrow && start < days.bounds.dayAfter) tomorrow.push(charter);
    else if (start >= days.bounds.yesterday && start < days.bounds.today) {
      const booking = s.status?.booking;
      if (!booking || charter.held) {
        withoutPricing += 1;
        continue;
      }
      const breakdown = revenueBreakdown(booking.pricing);
      const key = `${s.source}:${breakdown.currency}`;
      const line = revenue.get(key) ?? {
        source: s.source,
        currency: breakdown.currency,
        charters: 0,
        guestTotal: 0,
        payout: 0,
        payoutCharters: 0,
      };
      line.charters += 1;
      line.guestTotal += breakdown.guestTotal.amount;
      if (breakdown.payout) {
        line.payout += breakdown.payout.amount;
        line.payoutCharters += 1;
      }
      revenue.set(key, line);
    }
  }
  const order = ['FAILED', 'NEEDS_CREW', 'AWAITING_DETAILS'];
  needsAction.sort(
    (a, b) =>
      order.indexOf(a.reason) - order.indexOf(b.reason) ||
      Date.parse(a.charterStart ?? '') - Date.parse(b.charterStart ?? ''),
  );
  return {
    tenant: input.tenant,
    period: digestPeriod(input.atMs, input.timeZone, input.everySeconds),
    timeZone: input.timeZone,
    at: new Date(input.atMs).toISOString(),
    days: { yesterday: days.yesterday, today: days.today, tomorrow: days.tomorrow },
    today: today.sort(byStart),
    tomorrow: tomorrow.sort(byStart),
    needsAction,
    revenue: {
      day: days.yesterday,
      bySource: [...revenue.values()].sort(
        (a, b) => a.source.localeCompare(b.source) || a.currency.localeCompare(b.currency),
      ),
      withoutPricing,
    },
    truncated: input.truncated,
  };
}

/**
 * The charters a roster run covers: those starting after its scheduled time and at most `lead` plus
 * one period after it. Normally each charter first falls in the run about `lead` before it starts;
 * one booked later, or missed while the schedule was paused, falls in the next run. Runs overlap on
 * purpose: the roster's Message-ID (booking + charter start) makes the second sighting send nothing.
 */
export function rosterWindow(atMs: number, leadMs: number, periodMs: number): { after: number; until: number } {
  return { after: atMs, until: atMs + leadMs + periodMs };
}

/** One charter's crew roster, for ops. */
export interface CrewRoster extends CharterLine {
  sccEventId?: string;
}

/**
 * Which of the sighted bookings get a roster in this window: charters that sail (not held, not
 * cancelled). One whose status query did not answer waits for the next run (its charter stays in the
 * window until it starts) rather than going out with no crew on it.
 */
export function planRosters(sightings: BookingSighting[], window: { after: number; until: number }): CrewRoster[] {
  const rosters = new Map<string, CrewRoster>();
  for (const s of sightings) {
    if (rosters.has(s.workflowId) || ENDED_BADLY.has(s.execution) || !s.status || s.status.stage === 'CANCELLED') {
      continue;
    }
    const charter = charterOf(s);
    if (!charter || charter.held) continue;
    const start = Date.parse(charter.start);
    if (start <= window.after || start > window.until) continue;
    rosters.set(s.workflowId, {
      workflowId: charter.workflowId,
      source: charter.source,
      bookingId: charter.bookingId,
      start: charter.start,
      ...(charter.end ? { end: charter.end } : {}),
      ...(charter.timeZone ? { timeZone: charter.timeZone } : {}),
      ...(charter.boat ? { boat: charter.boat } : {}),
      ...(charter.guestName ? { guestName: charter.guestName, partySize: charter.partySize } : {}),
      stage: charter.stage,
      crew: charter.crew,
      ...(s.status?.sccEventId ? { sccEventId: s.status.sccEventId } : {}),
    });
  }
  return [...rosters.values()].sort(byStart);
}
