import { z } from 'zod';
import { parseWith, type ParseResult } from './validation';
import { dateTimeFormat } from './intl';

/**
 * The normalized booking contract (DESIGN.md, "Booking intake"). Every channel adapter (email parser,
 * iCal poller, FareHarbor webhook) produces this shape; nothing downstream knows where it came from.
 */

export const BOOKING_SOURCES = ['boatsetter', 'getmyboat', 'fareharbor', 'direct'] as const;
export type BookingSource = (typeof BOOKING_SOURCES)[number];

/** ISO-8601 with an explicit offset ("2026-05-30T10:00:00-07:00" or "...Z"): never a bare wall-clock time. */
const isoInstant = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/,
    'must be ISO-8601 with an offset, e.g. 2026-05-30T10:00:00-07:00',
  )
  .refine((s) => !Number.isNaN(Date.parse(s)), 'is not a real date and time');

export function isIanaTimeZone(zone: string): boolean {
  try {
    dateTimeFormat('en-US', { timeZone: zone });
    return zone.includes('/') || zone === 'UTC';
  } catch {
    return false;
  }
}

const minorUnits = z.number().int('must be an integer number of minor units (cents)').nonnegative();

export const PricingSchema = z
  .object({
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code such as USD'),
    base: minorUnits,
    captain: minorUnits.optional(),
    fuel: minorUnits.optional(),
    serviceFee: minorUnits.optional(),
    tax: minorUnits.optional(),
    tip: minorUnits.optional(),
    payout: minorUnits.optional(),
  })
  .strict();
export type Pricing = z.infer<typeof PricingSchema>;

export const CrewAssignmentSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, dot, dash or underscore'),
    role: z.string().trim().min(1).max(60),
    name: z.string().trim().min(1).max(120).optional(),
  })
  .strict();
export type CrewAssignment = z.infer<typeof CrewAssignmentSchema>;

/**
 * zod's email pattern, as a copy of this module's own. In the worker, zod is shared by every workflow
 * and deep-frozen (workflows/shared-modules.ts), its format patterns too, and zod's check sets
 * `pattern.lastIndex` before each test: on a frozen pattern that throws. So a zod format used in the
 * sandbox takes its own pattern (test/unit/domain/frozen-zod.test.ts catches one that does not).
 */
const OWN_EMAIL_PATTERN = new RegExp(z.regexes.email.source, z.regexes.email.flags);

export const BookingSchema = z
  .object({
    source: z.enum(BOOKING_SOURCES),
    bookingId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, dot, dash or underscore'),
    guest: z
      .object({
        name: z.string().trim().min(1).max(120),
        email: z.email({ pattern: OWN_EMAIL_PATTERN }).max(254).optional(),
        phone: z
          .string()
          .regex(/^\+?[0-9 ()./-]{5,32}$/, 'must be a phone number')
          .optional(),
        partySize: z.number().int().min(1).max(150),
      })
      .strict(),
    charter: z
      .object({
        start: isoInstant,
        end: isoInstant,
        timeZone: z.string().refine(isIanaTimeZone, 'must be an IANA time zone such as America/Los_Angeles'),
      })
      .strict()
      .refine((c) => Date.parse(c.end) > Date.parse(c.start), {
        message: 'must end after it starts',
        path: ['end'],
      }),
    boat: z.string().trim().min(1).max(120),
    crew: z.array(CrewAssignmentSchema).max(20).optional(),
    pricing: PricingSchema,
    notes: z.string().max(4000).optional(),
    /**
     * The channel's own version of these details, when it has one: a delivery older than the details
     * a booking holds is stale and changes nothing.
     */
    revision: z.number().int('must be an integer').nonnegative().optional(),
    /** `cancelled` in a delivery cancels the booking; absent means booked. */
    status: z.enum(['booked', 'cancelled']).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    const ids = new Set<string>();
    (b.crew ?? []).forEach((c, i) => {
      if (ids.has(c.id)) ctx.addIssue({ code: 'custom', path: ['crew', i, 'id'], message: 'is listed twice' });
      ids.add(c.id);
    });
  });
export type Booking = z.infer<typeof BookingSchema>;

/** Parses an untrusted booking and lists every problem at once, each with its dotted path. */
export function parseBooking(input: unknown): ParseResult<Booking> {
  return parseWith(BookingSchema, input);
}

export type BookingRef = Pick<Booking, 'source' | 'bookingId'>;

const WORKFLOW_ID_PREFIX = 'booking-';

/**
 * `booking-{tenant}-{source}-{bookingId}`, with the booking id exactly as the source sent it: `BS-77`
 * and `bs-77` are two bookings. The contract restricts booking ids to characters a workflow ID carries
 * as they are (`[A-Za-z0-9._-]`), so nothing needs escaping; tenant ids have no dashes and sources are
 * a fixed list without dashes, so every ID reads back as exactly one (tenant, source, bookingId).
 */
export function bookingWorkflowId(tenant: string, booking: BookingRef): string {
  return `${WORKFLOW_ID_PREFIX}${tenant}-${booking.source}-${booking.bookingId}`;
}

/** The inverse of bookingWorkflowId; undefined for anything it does not produce. */
export function parseBookingWorkflowId(workflowId: string): ({ tenant: string } & BookingRef) | undefined {
  const match = /^booking-([a-z0-9]{1,40})-([a-z]+)-([A-Za-z0-9._-]{1,64})$/.exec(workflowId);
  if (!match) return undefined;
  const [, tenant, source, bookingId] = match as unknown as [string, string, string, string];
  if (!(BOOKING_SOURCES as readonly string[]).includes(source)) return undefined;
  return { tenant, source: source as BookingSource, bookingId };
}

/**
 * The ID bookings had before booking ids kept their case (everything lower-cased). Bookings started
 * then still run under it; it is looked up only when the exact ID is unknown, and a workflow found
 * there is the booking only if its BookingId search attribute is the id sent, exactly.
 */
export function legacyBookingWorkflowId(tenant: string, booking: BookingRef): string {
  return bookingWorkflowId(tenant, booking).toLowerCase();
}
