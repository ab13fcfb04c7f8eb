import type { Booking, CrewAssignment } from './booking';

/**
 * What a change did to a booking, one entry per field, by dotted path (`charter.start`,
 * `guest.partySize`, `pricing.base`, `crew`). Values are as the contract has them (ISO instants, minor
 * units); `null` is "not set". Pure: the workflow, the service and the mail composer share it.
 */
export interface FieldChange {
  path: string;
  from: string | number | null;
  to: string | number | null;
}

/** The fields whose change moves the charter in time: crew are asked again when one of them changes. */
export const TIME_FIELDS: readonly string[] = ['charter.start', 'charter.end'];

type Leaf = string | number | null;

function crewLine(crew: readonly CrewAssignment[] | undefined): Leaf {
  if (!crew || crew.length === 0) return null;
  return crew.map((c) => `${c.id} (${c.role}${c.name ? `, ${c.name}` : ''})`).join('; ');
}

/** Every field of the contract that a change can touch, with its value, in a fixed order. */
function leaves(booking: Booking): [string, Leaf][] {
  const { guest, charter, pricing } = booking;
  return [
    ['guest.name', guest.name],
    ['guest.email', guest.email ?? null],
    ['guest.phone', guest.phone ?? null],
    ['guest.partySize', guest.partySize],
    ['charter.start', charter.start],
    ['charter.end', charter.end],
    ['charter.timeZone', charter.timeZone],
    ['boat', booking.boat],
    ['pricing.currency', pricing.currency],
    ['pricing.base', pricing.base],
    ['pricing.captain', pricing.captain ?? null],
    ['pricing.fuel', pricing.fuel ?? null],
    ['pricing.serviceFee', pricing.serviceFee ?? null],
    ['pricing.tax', pricing.tax ?? null],
    ['pricing.tip', pricing.tip ?? null],
    ['pricing.payout', pricing.payout ?? null],
    ['notes', booking.notes ?? null],
    ['crew', crewLine(booking.crew)],
  ];
}

/**
 * The fields that differ between two versions of a booking. Instants compare as instants, so
 * `10:00:00-07:00` and `17:00:00Z` are no change (channels re-deliver in their own offsets).
 */
export function diffBookings(before: Booking, after: Booking): FieldChange[] {
  const old = new Map(leaves(before));
  return leaves(after).flatMap(([path, to]): FieldChange[] => {
    const from = old.get(path) ?? null;
    if (sameValue(path, from, to)) return [];
    return [{ path, from, to }];
  });
}

function sameValue(path: string, a: Leaf, b: Leaf): boolean {
  if (TIME_FIELDS.includes(path) && typeof a === 'string' && typeof b === 'string') {
    return Date.parse(a) === Date.parse(b);
  }
  return a === b;
}

export function movesCharter(changes: readonly FieldChange[]): boolean {
  return changes.some((c) => TIME_FIELDS.includes(c.path));
}
