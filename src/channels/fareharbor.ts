import { z } from 'zod';
import { isIanaTimeZone, parseBooking, type Booking, type BookingRef } from '../domain/booking';
import { fieldErrors, type FieldError, type ParseResult } from '../domain/validation';

/**
 * FareHarbor's booking webhook (github.com/FareHarbor/fareharbor-docs: webhooks/schemas/
 * booking-webhook.json, external-api/endpoints/data-types.md), mapped to our booking contract.
 *
 * - `uuid` is the booking's key: every delivery with the same uuid is the same booking, and the most
 *   recent one holds its current details. It is our bookingId, as FareHarbor spells it.
 * - Times are ISO-8601 with an offset and no colon (`2015-01-22T11:30:00-1000`); the colon is put
 *   in and nothing else changes, so the instant and the wall-clock text are FareHarbor's.
 * - Amounts are integer minor units of `company.currency` (lower-case, `usd`); never the `*_display`
 *   strings, which are formatted for the company's country.
 * - Rebooking (data-types: "Bookings that have been rebooked have a rebooked status. The rebooked_to
 *   property provides the UUID of the new booking"; the new booking is `booked` with `rebooked_from`):
 *   FareHarbor treats it as cancelling the old booking and creating the new one.
 *
 * Only what the contract carries is read; every other field is tolerated and ignored.
 */

const SOURCE = 'fareharbor';

const amount = z.number().int('must be an integer number of minor units').nonnegative().nullish();
const text = z.string().nullish();

/** The parts of the delivery we read; unknown fields pass (FareHarbor adds fields over time). */
const DeliverySchema = z.object({
  booking: z.object({
    uuid: z.string(),
    status: z.enum(['booked', 'cancelled', 'rebooked']),
    rebooked_from: text,
    rebooked_to: text,
    availability: z.object({
      start_at: z.string(),
      end_at: z.string(),
      item: z.object({ name: z.string() }).nullish(),
    }),
    company: z.object({ shortname: z.string().optional(), currency: z.string() }),
    contact: z.object({ name: text, email: text, phone: text, normalized_phone: text }).nullish(),
    customer_count: z.number(),
    receipt_subtotal: amount,
    receipt_taxes: amount,
    receipt_total: amount,
    note: text,
  }),
});
type Delivery = z.infer<typeof DeliverySchema>['booking'];

/** What a FareHarbor delivery asks of us. */
export type FareHarborDelivery =
  /** Start the booking, or change it to these details. `rebookedFrom`: the booking it replaces. */
  | { action: 'book'; booking: Booking; rebookedFrom?: BookingRef }
  | { action: 'cancel'; ref: BookingRef }
  /** This booking was moved to `rebookedTo`, which arrives as its own `booked` delivery. */
  | { action: 'rebooked'; ref: BookingRef; rebookedTo?: BookingRef };

export interface FareHarborOptions {
  /** The operator's IANA zone; without it, the rule of `zoneForOffset`. */
  timeZone?: string;
}

/** Where each contract field comes from, so a 400 names FareHarbor's field, as its dashboard shows it. */
const FIELD_OF: Record<string, string> = {
  bookingId: 'booking.uuid',
  'guest.name': 'booking.contact.name',
  'guest.email': 'booking.contact.email',
  'guest.phone': 'booking.contact.normalized_phone',
  'guest.partySize': 'booking.customer_count',
  'charter.start': 'booking.availability.start_at',
  'charter.end': 'booking.availability.end_at',
  'charter.timeZone': 'booking.availability.start_at',
  boat: 'booking.availability.item.name',
  'pricing.currency': 'booking.company.currency',
  'pricing.base': 'booking.receipt_subtotal',
  'pricing.tax': 'booking.receipt_taxes',
  'pricing.serviceFee': 'booking.receipt_total',
  notes: 'booking.note',
};

/** The FareHarbor field a contract field (`charter.start`) comes from, for answers in FareHarbor's words. */
export function fareHarborField(contractPath: string): string {
  return FIELD_OF[contractPath] ?? contractPath;
}

/** Parses a FareHarbor webhook body; every problem at once, each at FareHarbor's field path. */
export function parseFareHarborDelivery(
  body: unknown,
  options: FareHarborOptions = {},
): ParseResult<FareHarborDelivery> {
  const parsed = DeliverySchema.safeParse(body);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error.issues) };
  const delivery = parsed.data.booking;
  const ref = refOf(delivery.uuid);
  const refErrors = bookingIdErrors(delivery.uuid, 'booking.uuid');
  if (delivery.status === 'cancelled')
    return refErrors.length ? fail(refErrors) : { ok: true, value: { action: 'cancel', ref } };
  if (delivery.status === 'rebooked') {
    const to = delivery.rebooked_to || undefined;
    const errors = [...refErrors, ...(to ? bookingIdErrors(to, 'booking.rebooked_to') : [])];
    if (errors.length) return fail(errors);
    return { ok: true, value: { action: 'rebooked', ref, ...(to ? { rebookedTo: refOf(to) } : {}) } };
  }
  const mapped = mapBooking(delivery, options);
  if (!mapped.ok) return mapped;
  // A booking never replaces itself: cancelling "the old one" would end the booking just started.
  const from = delivery.rebooked_from && delivery.rebooked_from !== delivery.uuid ? delivery.rebooked_from : undefined;
  if (from) {
    const errors = bookingIdErrors(from, 'booking.rebooked_from');
    if (errors.length) return fail(errors);
  }
  return { ok: true, value: { action: 'book', booking: mapped.value, ...(from ? { rebookedFrom: refOf(from) } : {}) } };
}

function mapBooking(delivery: Delivery, options: FareHarborOptions): ParseResult<Booking> {
  const errors: FieldError[] = [];
  const start = fareHarborInstant(delivery.availability.start_at);
  const end = fareHarborInstant(delivery.availability.end_at);
  if (start === undefined) errors.push({ path: 'booking.availability.start_at', message: INSTANT_MESSAGE });
  if (end === undefined) errors.push({ path: 'booking.availability.end_at', message: INSTANT_MESSAGE });
  const pricing = mapPricing(delivery, errors);
  const contact = delivery.contact ?? {};
  const phone = contact.normalized_phone || contact.phone || undefined;
  const candidate = {
    source: SOURCE,
    bookingId: delivery.uuid,
    guest: {
      name: contact.name ?? '',
      ...(contact.email ? { email: contact.email } : {}),
      ...(phone ? { phone } : {}),
      partySize: delivery.customer_count,
    },
    charter: {
      start: start ?? delivery.availability.start_at,
      end: end ?? delivery.availability.end_at,
      timeZone: options.timeZone ?? zoneForOffset(start ?? ''),
    },
    boat: delivery.availability.item?.name ?? '',
    pricing,
    ...(delivery.note ? { notes: delivery.note } : {}),
  };
  const parsed = parseBooking(candidate);
  const contractErrors = parsed.ok ? [] : parsed.errors.map((e) => ({ ...e, path: fareHarborField(e.path) }));
  // A start or end we could not read is reported once, in our words, not again by the contract.
  const all = [...errors, ...contractErrors.filter((e) => !errors.some((known) => known.path === e.path))];
  if (all.length > 0) return fail(all);
  return parsed;
}

/**
 * base = receipt_subtotal, tax = receipt_taxes. The guest total is the sum of the lines, so whatever
 * receipt_total holds beyond subtotal + taxes (fees FareHarbor adds) is the service fee, and a total
 * below that sum is refused rather than silently disagreeing with FareHarbor. amount_paid is payment
 * state, not the booking's details: it is not mapped, so a payment is a delivery that changes nothing.
 * No payout: FareHarbor is the operator's own booking system, not a marketplace taking a share.
 */
function mapPricing(delivery: Delivery, errors: FieldError[]) {
  const currency = delivery.company.currency.toUpperCase();
  const base = delivery.receipt_subtotal;
  const tax = delivery.receipt_taxes ?? undefined;
  if (base === null || base === undefined) {
    errors.push({
      path: 'booking.receipt_subtotal',
      message: 'is required (the webhook needs the "View amounts" permission)',
    });
  }
  const total = delivery.receipt_total;
  const rest = typeof total === 'number' && typeof base === 'number' ? total - base - (tax ?? 0) : 0;
  if (rest < 0)
    errors.push({ path: 'booking.receipt_total', message: 'is less than receipt_subtotal + receipt_taxes' });
  return {
    currency,
    base: base ?? 0,
    ...(tax !== undefined ? { tax } : {}),
    ...(rest > 0 ? { serviceFee: rest } : {}),
  };
}

const INSTANT_MESSAGE = 'must be ISO-8601 with an offset, e.g. 2015-01-22T11:30:00-1000';
const FAREHARBOR_INSTANT = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(?:Z|([+-])(\d{2}):?(\d{2}))$/;

/**
 * FareHarbor's `2015-01-22T11:30:00-1000` as the contract's `2015-01-22T11:30:00-10:00`: the same
 * text with the colon in the offset, so the same instant. Undefined for anything else.
 */
export function fareHarborInstant(value: string): string | undefined {
  const match = FAREHARBOR_INSTANT.exec(value);
  if (!match) return undefined;
  const [, local, sign, hours, minutes] = match;
  if (Number(hours) > 23 || Number(minutes) > 59) return undefined;
  return sign === undefined ? `${local}Z` : `${local}${sign}${hours}:${minutes}`;
}

/**
 * FareHarbor names no zone, only the offset. Without the operator's zone in the tenants file, a whole-hour
 * offset becomes the fixed zone `Etc/GMT∓H` (POSIX sign: `Etc/GMT+10` is UTC-10), which shows the charter
 * at the wall-clock time FareHarbor shows; any other offset (+05:30) has no such zone and becomes UTC.
 */
export function zoneForOffset(instant: string): string {
  const match = /([+-])(\d{2}):(\d{2})$/.exec(instant);
  if (!match || match[3] !== '00') return 'UTC';
  const hours = Number(match[2]);
  const zone = `Etc/GMT${match[1] === '+' ? '-' : '+'}${hours}`;
  return hours !== 0 && isIanaTimeZone(zone) ? zone : 'UTC';
}

function refOf(uuid: string): BookingRef {
  return { source: SOURCE, bookingId: uuid };
}

function bookingIdErrors(id: string, path: string): FieldError[] {
  return /^[A-Za-z0-9._-]{1,64}$/.test(id)
    ? []
    : [{ path, message: 'must be 1-64 letters, digits, dot, dash or underscore' }];
}

function fail<T>(errors: FieldError[]): ParseResult<T> {
  return { ok: false, errors };
}
