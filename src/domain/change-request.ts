import { parseBooking, type Booking } from './booking';
import { diffBookings, type FieldChange } from './booking-changes';
import type { FieldError } from './validation';

/**
 * A change to a running booking, as the `changeBooking` Update takes it: the whole booking again (a
 * channel re-delivering, as FareHarbor does with every change) or a JSON merge patch (RFC 7396) of the
 * contract from ops, where `null` removes an optional field.
 */
export interface ChangeBookingRequest {
  /** Who changed it: the booking's source for re-deliveries, `ops` for PATCH and the Temporal UI. */
  channel: string;
  booking?: unknown;
  patch?: unknown;
}

export interface ChangeBookingResult {
  /** Dotted paths of the fields that changed. */
  changed: string[];
  revision: number;
}

/** Why a change is refused, as the Update's validator rejects it; the service maps each to an answer. */
export type ChangeRefusal =
  | { type: 'InvalidBookingChange'; message: string; errors: FieldError[] }
  | { type: 'BookingChangeRefused'; message: string }
  | { type: 'StaleBookingChange'; message: string }
  | { type: 'BookingUnchanged'; message: string };

export type CheckedChange =
  { ok: true; booking: Booking; changes: FieldChange[] } | { ok: false; refusal: ChangeRefusal };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7396: objects merge member by member, `null` removes a member, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/**
 * Checks a change against the booking as it is: the new details must pass intake's validation (the
 * same messages), name the same source and booking id, leave a charter that has not ended, and be
 * newer than what the booking holds. Pure: the workflow's validator and the tests call it.
 */
export function checkChange(
  current: { booking: Booking; sourceRevision?: number },
  request: ChangeBookingRequest,
  nowMs: number,
): CheckedChange {
  const refuse = (refusal: ChangeRefusal): CheckedChange => ({ ok: false, refusal });
  if ((request.booking === undefined) === (request.patch === undefined)) {
    return refuse({
      type: 'InvalidBookingChange',
      message: 'Send either the whole booking or a patch',
      errors: [{ path: '(body)', message: 'must be either {booking} or {patch}' }],
    });
  }
  const candidate = request.booking ?? mergePatch(current.booking, request.patch);
  const parsed = parseBooking(candidate);
  if (!parsed.ok) {
    const errors = parsed.errors;
    return refuse({
      type: 'InvalidBookingChange',
      message: `Invalid booking change: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
      errors,
    });
  }
  const booking = parsed.value;
  const mismatch = (['source', 'bookingId'] as const).filter((field) => booking[field] !== current.booking[field]);
  if (mismatch.length > 0) {
    return refuse({
      type: 'InvalidBookingChange',
      message: `A change cannot move a booking to another ${mismatch.join(' or ')}`,
      errors: mismatch.map((path) => ({ path, message: `must stay ${current.booking[path]}` })),
    });
  }
  if (Date.parse(current.booking.charter.end) <= nowMs) {
    return refuse({
      type: 'BookingChangeRefused',
      message: `The charter ended at ${current.booking.charter.end}: a booking cannot change afterwards`,
    });
  }
  if (Date.parse(booking.charter.end) <= nowMs) {
    return refuse({
      type: 'InvalidBookingChange',
      message: 'The changed charter would have ended already',
      errors: [{ path: 'charter.end', message: 'is in the past' }],
    });
  }
  const held = current.sourceRevision;
  if (held !== undefined && booking.revision !== undefined && booking.revision < held) {
    return refuse({
      type: 'StaleBookingChange',
      message: `Revision ${booking.revision} is older than revision ${held}, which the booking holds: nothing applied`,
    });
  }
  const changes = diffBookings(current.booking, booking);
  if (changes.length === 0) return refuse({ type: 'BookingUnchanged', message: 'Nothing changed' });
  return { ok: true, booking, changes };
}

/**
 * Completing a held booking (from a calendar feed, only its slot known): the details ops entered, as a
 * merge patch of the contract that must at least give the guest and the pricing.
 */
export interface CompleteBookingRequest {
  channel: string;
  details: unknown;
}

/**
 * Checks a completion like any change, and also that the booking is waiting for details and that they
 * name the guest and the pricing (the feed knew neither). Details equal to what is held still complete it.
 */
export function checkCompletion(
  current: { booking: Booking; sourceRevision?: number; held?: unknown },
  request: CompleteBookingRequest,
  nowMs: number,
): CheckedChange {
  const refuse = (refusal: ChangeRefusal): CheckedChange => ({ ok: false, refusal });
  if (!current.held) {
    return refuse({
      type: 'BookingChangeRefused',
      message: 'The booking is not waiting for details: change it instead',
    });
  }
  const details = request.details;
  const missing = isObject(details)
    ? (['guest', 'pricing'] as const).filter((field) => !isObject(details[field]))
    : (['guest', 'pricing'] as const);
  if (missing.length > 0) {
    return refuse({
      type: 'InvalidBookingChange',
      message: `Completing a held booking needs ${missing.join(' and ')}`,
      errors: missing.map((path) => ({ path, message: 'is required to complete a held booking' })),
    });
  }
  const checked = checkChange(current, { channel: request.channel, patch: details }, nowMs);
  if (!checked.ok && checked.refusal.type === 'BookingUnchanged')
    return { ok: true, booking: current.booking, changes: [] };
  return checked;
}
