import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { Booking } from '../domain/booking';
import { diffBookings } from '../domain/booking-changes';
import type { ChangeBookingRequest, CompleteBookingRequest } from '../domain/change-request';
import type { AssignCrewRequest } from '../domain/lifecycle';
import type { FieldError } from '../domain/validation';
import { assignCrewUpdate, changeBookingUpdate, completeBookingUpdate } from '../../workflows/messages';
import type { BookingFulfillmentInput } from '../../workflows/types';
import type { FoundBooking } from './running-booking';

/** Workflow type of bookings started before they could change; they still run to their end. */
export const LEGACY_WORKFLOW_TYPE = 'bookingFulfillment';

/** What a change to a booking came to, for the route to answer. */
export type ChangeOutcome =
  | { outcome: 'changed'; workflowId: string; changed: string[]; revision: number }
  | { outcome: 'unchanged'; workflowId: string }
  | { outcome: 'stale'; workflowId: string; reason: string }
  | { outcome: 'invalid'; workflowId: string; errors: FieldError[] }
  | { outcome: 'refused'; workflowId: string; reason: string }
  | { outcome: 'closed'; workflowId: string; status: string }
  | { outcome: 'unknown-booking' };

/**
 * Sends a change to the booking's workflow as the `changeBooking` Update: its validator decides
 * (invalid, stale, unchanged, too late) without writing history, an accepted change answers with the
 * fields it changed. A booking started before bookings could change has no such Update: an identical
 * re-delivery is still fine there, a changed one is refused with what to do instead.
 */
export async function changeBooking(
  found: FoundBooking | undefined,
  request: ChangeBookingRequest,
): Promise<ChangeOutcome> {
  return sendUpdate(found, async (handle) => {
    const result = await handle.executeUpdate(changeBookingUpdate, { args: [request] });
    return { outcome: 'changed', workflowId: handle.workflowId, ...result };
  });
}

/**
 * Completes a held booking (from a calendar feed, only its slot known) with the details ops entered:
 * the `completeBooking` Update, whose validator refuses a booking that is not AWAITING_DETAILS and
 * details without guest or pricing. Then crew are asked and everything else follows.
 */
export async function completeBooking(
  found: FoundBooking | undefined,
  request: CompleteBookingRequest,
): Promise<ChangeOutcome> {
  return sendUpdate(found, async (handle) => {
    const result = await handle.executeUpdate(completeBookingUpdate, { args: [request] });
    return { outcome: 'changed', workflowId: handle.workflowId, ...result };
  });
}

/** Every outcome but a change: what a booking that takes no update answers. */
type NotApplied = Exclude<ChangeOutcome, { outcome: 'changed' }>;

export type AssignOutcome = { outcome: 'assigned'; workflowId: string; crew: string[]; revision: number } | NotApplied;

export async function assignCrew(found: FoundBooking | undefined, request: AssignCrewRequest): Promise<AssignOutcome> {
  return sendUpdate(found, async (handle) => {
    const result = await handle.executeUpdate(assignCrewUpdate, { args: [request] });
    return { outcome: 'assigned', workflowId: handle.workflowId, ...result };
  });
}

async function sendUpdate<T extends { outcome: string }>(
  found: FoundBooking | undefined,
  send: (handle: FoundBooking['handle']) => Promise<T>,
): Promise<T | NotApplied> {
  if (!found) return { outcome: 'unknown-booking' };
  const { handle, description } = found;
  const { workflowId } = handle;
  if (description.status.name !== 'RUNNING') return { outcome: 'closed', workflowId, status: description.status.name };
  if (description.type === LEGACY_WORKFLOW_TYPE) {
    return {
      outcome: 'refused',
      workflowId,
      reason:
        'this booking started before bookings could change: change it in JADA and SCC by hand, ' +
        'or cancel it and deliver it again',
    };
  }
  try {
    return await send(handle);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { outcome: 'closed', workflowId, status: 'CLOSED' };
    if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure)) throw err;
    const { type, message, details } = err.cause;
    switch (type) {
      case 'BookingUnchanged':
        return { outcome: 'unchanged', workflowId };
      case 'StaleBookingChange':
        return { outcome: 'stale', workflowId, reason: message };
      case 'InvalidBookingChange':
        return { outcome: 'invalid', workflowId, errors: (details?.[0] as FieldError[] | undefined) ?? [] };
      case 'BookingChangeRefused':
        return { outcome: 'refused', workflowId, reason: message };
      default:
        throw err;
    }
  }
}

/**
 * A re-delivery of a booking whose workflow is the old type: the same details are a harmless
 * duplicate, other details cannot be applied. The old type has no query for its details, so they are
 * read from its start event with the client's data converter (these starts predate the codec and pass through).
 */
export async function redeliveryToLegacy(found: FoundBooking, booking: Booking): Promise<ChangeOutcome> {
  const history = await found.handle.fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  // Decoded with the client's converter: encrypted starts decrypt, the plain ones of before pass through.
  const input = payload
    ? await decodeFromPayloadsAtIndex<BookingFulfillmentInput>(found.handle.client.options.loadedDataConverter, 0, [
        payload,
      ])
    : undefined;
  const workflowId = found.handle.workflowId;
  if (input && diffBookings(input.booking, booking).length === 0) return { outcome: 'unchanged', workflowId };
  return changeBooking(found, { channel: booking.source, booking });
}

/** A change that was taken, or that changed nothing: a 200 on every route. */
export type AppliedOutcome = Extract<ChangeOutcome, { outcome: 'changed' | 'unchanged' | 'stale' }>;

export function isApplied(result: ChangeOutcome): result is AppliedOutcome {
  return result.outcome === 'changed' || result.outcome === 'unchanged' || result.outcome === 'stale';
}

/** The body of that 200: what changed, or that nothing did and why. */
export function appliedAnswer(result: AppliedOutcome): Record<string, unknown> {
  switch (result.outcome) {
    case 'changed':
      return { workflowId: result.workflowId, changed: result.changed, revision: result.revision };
    case 'unchanged':
      return { workflowId: result.workflowId, changed: [] };
    case 'stale':
      return { workflowId: result.workflowId, changed: [], stale: true, reason: result.reason };
  }
}
