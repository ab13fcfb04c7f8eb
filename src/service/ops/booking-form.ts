import { isIanaTimeZone, parseBooking, type Booking, type BookingSource } from '../../domain/booking';
import { mergePatch } from '../../domain/change-request';
import type { AssignCrewRequest } from '../../domain/lifecycle';
import { formatMajorUnits, parseMajorUnits } from '../../domain/money';
import { parseWith, type FieldError } from '../../domain/validation';
import { instantToWallClock, wallClockToInstant } from '../../domain/wall-clock';
import { AssignCrewSchema } from '../routes/bookings';
import type { FormValues } from './html';

/**
 * The ops page's forms and the booking contract, both ways: a form's fields are named by the
 * contract's dotted paths (`guest.name`, `pricing.base`), so the service's field errors land beside
 * their fields as they are. Pure.
 */

/** The sources a booking is entered for by hand (FareHarbor's arrive by webhook). */
export const HAND_ENTERED_SOURCES = ['direct', 'boatsetter', 'getmyboat'] as const satisfies readonly BookingSource[];

export const PRICING_LINES = ['base', 'captain', 'fuel', 'serviceFee', 'tax', 'tip', 'payout'] as const;

/** The itinerary's fields, as a Boatsetter confirmation lists them, in form order. */
export const DETAIL_FIELDS = [
  'guest.name',
  'guest.email',
  'guest.phone',
  'guest.partySize',
  'charter.start',
  'charter.end',
  'charter.timeZone',
  'boat',
  'notes',
  'pricing.currency',
  ...PRICING_LINES.map((line) => `pricing.${line}`),
] as const;

export const NEW_BOOKING_FIELDS = ['source', 'bookingId', ...DETAIL_FIELDS] as const;
export const CREW_FIELDS = ['replace', 'member.id', 'member.role', 'member.name'] as const;

const get = (form: FormValues, name: string) => (form.get(name) ?? '').trim();

/**
 * A held booking's details as the complete form starts from: the slot the feed knew (times, zone,
 * boat, currency), with the placeholders it stands in for the guest and the price left empty.
 */
export function heldValues(booking: Booking): Map<string, string> {
  const values = detailValues(booking);
  for (const name of ['guest.name', 'guest.partySize', 'pricing.base', 'notes']) values.set(name, '');
  return values;
}

/** The details as the form holds them: times as wall-clock text in the booking's zone, money in major units. */
export function detailValues(booking: Booking): Map<string, string> {
  const { guest, charter, pricing } = booking;
  const values = new Map<string, string>([
    ['guest.name', guest.name],
    ['guest.email', guest.email ?? ''],
    ['guest.phone', guest.phone ?? ''],
    ['guest.partySize', String(guest.partySize)],
    ['charter.start', instantToWallClock(charter.start, charter.timeZone)],
    ['charter.end', instantToWallClock(charter.end, charter.timeZone)],
    ['charter.timeZone', charter.timeZone],
    ['boat', booking.boat],
    ['notes', booking.notes ?? ''],
    ['pricing.currency', pricing.currency],
  ]);
  for (const line of PRICING_LINES) {
    const amount = pricing[line];
    values.set(`pricing.${line}`, amount === undefined ? '' : formatMajorUnits(amount, pricing.currency));
  }
  return values;
}

/**
 * The details a form describes, in the contract's shape, for a whole booking (`absent: undefined`) or
 * a merge patch (`absent: null`, which removes an optional field). What the contract checks is left
 * to it; only what must be converted first (times in a zone, amounts, the party size) is checked
 * here, each problem at its field.
 */
function detailsFromForm(
  form: FormValues,
  absent: null | undefined,
): { details: Record<string, unknown>; errors: FieldError[]; skipped: string[] } {
  const errors: FieldError[] = [];
  /** Filled in, but not convertible until another field is right (times need the zone, amounts the currency). */
  const skipped: string[] = [];
  const optional = (name: string) => get(form, name) || absent;
  const required = (name: string) => {
    const value = get(form, name);
    if (value === '') errors.push({ path: name, message: 'is required' });
    return value;
  };

  const partyText = required('guest.partySize');
  let partySize: number | undefined;
  if (partyText !== '') {
    if (/^\d{1,4}$/.test(partyText)) partySize = Number(partyText);
    else errors.push({ path: 'guest.partySize', message: 'must be a whole number of guests' });
  }

  const timeZone = required('charter.timeZone');
  const zoneOk = timeZone !== '' && isIanaTimeZone(timeZone);
  if (timeZone !== '' && !zoneOk) {
    errors.push({ path: 'charter.timeZone', message: 'must be an IANA time zone such as America/Los_Angeles' });
  }
  const instant = (name: 'charter.start' | 'charter.end') => {
    const local = required(name);
    if (local !== '' && !zoneOk) skipped.push(name);
    if (local === '' || !zoneOk) return undefined;
    const parsed = wallClockToInstant(local, timeZone);
    if (parsed.ok) return parsed.instant;
    errors.push({ path: name, message: parsed.message });
    return undefined;
  };

  const currency = required('pricing.currency').toUpperCase();
  const currencyOk = /^[A-Z]{3}$/.test(currency);
  if (currency !== '' && !currencyOk) {
    errors.push({ path: 'pricing.currency', message: 'must be an ISO-4217 code such as USD' });
  }
  const pricing: Record<string, unknown> = { currency };
  for (const line of PRICING_LINES) {
    const name = `pricing.${line}`;
    const amountText = line === 'base' ? required(name) : get(form, name);
    if (amountText === '') {
      if (line !== 'base') pricing[line] = absent;
      continue;
    }
    if (!currencyOk) {
      skipped.push(name);
      continue;
    }
    const parsed = parseMajorUnits(amountText, currency);
    if (parsed.ok) pricing[line] = parsed.amount;
    else errors.push({ path: name, message: parsed.message });
  }

  const details = {
    guest: {
      name: required('guest.name'),
      email: optional('guest.email'),
      phone: optional('guest.phone'),
      partySize,
    },
    charter: { start: instant('charter.start'), end: instant('charter.end'), timeZone },
    boat: required('boat'),
    pricing,
    // Notes keep their inner whitespace (line breaks); only an all-blank field is no notes.
    notes: get(form, 'notes') === '' ? absent : (form.get('notes') ?? ''),
  };
  return { details, errors, skipped };
}

/**
 * Adds the contract's errors to the form's own, one list, without a second message for a field already
 * wrong or one the form could not convert yet (it is not missing, whatever the contract says).
 */
function withContractErrors(own: FieldError[], contract: FieldError[], skipped: string[] = []): FieldError[] {
  const wrong = new Set([...own.map((e) => e.path), ...skipped]);
  return [...own, ...contract.filter((e) => !wrong.has(e.path))];
}

export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** A new booking from the form, checked by the contract exactly as intake checks one. */
export function bookingFromForm(form: FormValues): FormResult<Booking> {
  const { details, errors, skipped } = detailsFromForm(form, undefined);
  const source = get(form, 'source');
  const sourceErrors: FieldError[] = (HAND_ENTERED_SOURCES as readonly string[]).includes(source)
    ? []
    : [{ path: 'source', message: `must be one of ${HAND_ENTERED_SOURCES.join(', ')}` }];
  const candidate = { source, bookingId: get(form, 'bookingId'), ...details };
  const parsed = parseBooking(JSON.parse(JSON.stringify(candidate)));
  const all = withContractErrors([...sourceErrors, ...errors], parsed.ok ? [] : parsed.errors, skipped);
  if (all.length > 0 || !parsed.ok) return { ok: false, errors: all };
  return { ok: true, value: parsed.value };
}

/**
 * A change from the form as the merge patch ops' PATCH sends (emptied optional fields removed). The
 * patched booking is checked here too, so the form lists every problem at once, converted or not;
 * the `changeBooking` Update checks it again and decides.
 */
export function changeFromForm(form: FormValues, current: Booking): FormResult<Record<string, unknown>> {
  const { details, errors, skipped } = detailsFromForm(form, null);
  const patch = JSON.parse(JSON.stringify(details)) as Record<string, unknown>;
  const parsed = parseBooking(mergePatch(current, patch));
  const all = withContractErrors(errors, parsed.ok ? [] : parsed.errors, skipped);
  return all.length > 0 ? { ok: false, errors: all } : { ok: true, value: patch };
}

/** A crew replacement (or addition, when `replace` is empty) from the form, as POST .../crew takes it. */
export function crewFromForm(form: FormValues): FormResult<AssignCrewRequest> {
  const optional = (name: string) => get(form, name) || undefined;
  const parsed = parseWith(AssignCrewSchema, {
    replace: optional('replace'),
    member: { id: get(form, 'member.id'), role: get(form, 'member.role'), name: optional('member.name') },
  });
  return parsed.ok ? { ok: true, value: parsed.value } : { ok: false, errors: parsed.errors };
}
