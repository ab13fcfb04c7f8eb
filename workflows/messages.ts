import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ChangeBookingRequest, ChangeBookingResult, CompleteBookingRequest } from '../src/domain/change-request';
import type { AssignCrewRequest } from '../src/domain/lifecycle';
import type { CrewResponse } from '../src/domain/crew';
import type { BookingStatus } from './types';

/**
 * A crew answer as the service signals it. `tenant` is the tenant whose callback key delivered it; the
 * workflow ignores an answer whose tenant is not its own. Optional: answers signalled before it was
 * added, and by tools that signal by hand, carry none.
 */
export interface CrewResponseMessage extends CrewResponse {
  tenant?: string;
}

/** Crew confirmations: SCC -> our crew-response callback -> this signal. Duplicates are harmless. */
export const crewResponseSignal = defineSignal<[CrewResponseMessage]>('crewResponse');

/** Everything ops (and the booking status endpoint) need to know about a booking right now. */
export const statusQuery = defineQuery<BookingStatus>('status');

/**
 * A change to the booking from a channel's re-delivery, ops' PATCH or the Temporal UI. The validator
 * refuses invalid, stale, unchanged or too-late changes (nothing in history); an accepted one is
 * applied to the booking at once and answered with what changed, and every system follows.
 */
export const changeBookingUpdate = defineUpdate<ChangeBookingResult, [ChangeBookingRequest]>('changeBooking');

/** Replace a crew member (or add one): `{replace?: crewId, member: {id, role, name?}}`. */
export const assignCrewUpdate = defineUpdate<{ crew: string[]; revision: number }, [AssignCrewRequest]>('assignCrew');

/**
 * The details of a held booking (from a calendar feed, only its slot known), from the ops page or the
 * API: at least guest and pricing, as a merge patch. Refused unless the booking is AWAITING_DETAILS.
 */
export const completeBookingUpdate = defineUpdate<ChangeBookingResult, [CompleteBookingRequest]>('completeBooking');
