import type { Client } from '@temporalio/client';
import type { Tenant } from '../config/tenant';
import type { Booking } from '../domain/booking';
import { LEGACY_WORKFLOW_TYPE, changeBooking, redeliveryToLegacy, type ChangeOutcome } from './change-booking';
import { actOnRunningBooking, findBooking, type FoundBooking, type RunningBookingOutcome } from './running-booking';
import { startBookingFulfillment, type IntakeSettings } from './start-booking';

/** What a channel's delivery of a whole booking came to; each route turns it into its own answer. */
export type DeliveryOutcome =
  | { outcome: 'started'; workflowId: string }
  /** The exact ID holds an older booking whose id differs only in case (see findBooking). */
  | { outcome: 'id-taken'; workflowId: string; heldBy: string }
  /** A previous delivery started it: the same details change nothing, new ones change it. */
  | { outcome: 'redelivered'; change: ChangeOutcome }
  | { outcome: 'cancellation'; cancellation: RunningBookingOutcome };

/**
 * A delivery of a booking, as intake and every channel take it: `status: "cancelled"` cancels the
 * booking's workflow; otherwise the booking starts, or, when a previous delivery started it, the
 * delivery goes to the running booking as a change (the `changeBooking` Update decides whether
 * anything changed). One workflow per booking whatever the number of deliveries.
 */
export async function deliverBooking(
  client: Client,
  tenant: Tenant,
  booking: Booking,
  settings: IntakeSettings,
): Promise<DeliveryOutcome> {
  if (booking.status === 'cancelled') {
    return { outcome: 'cancellation', cancellation: await cancelRunningBooking(client, tenant, booking) };
  }
  const started = await startBookingFulfillment(client, tenant, booking, settings);
  if (started.outcome !== 'duplicate') return started;
  const found = started.found;
  const change =
    found?.description.type === LEGACY_WORKFLOW_TYPE
      ? await redeliveryToLegacy(found, booking)
      : await changeBooking(found, { channel: booking.source, booking });
  return { outcome: 'redelivered', change };
}

/**
 * Requests cancellation of the booking's workflow, if it runs: it deletes the JADA entry, cancels
 * the SCC event, withdraws the guest page and tells ops what was undone and what is left by hand.
 */
export async function cancelRunningBooking(
  client: Client,
  tenant: Tenant,
  ref: Pick<Booking, 'source' | 'bookingId'>,
): Promise<RunningBookingOutcome> {
  return cancelFoundBooking(await findBooking(client, tenant.id, ref));
}

export function cancelFoundBooking(found: FoundBooking | undefined): Promise<RunningBookingOutcome> {
  return actOnRunningBooking(found, (handle) => handle.cancel());
}
