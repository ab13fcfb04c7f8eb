import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { BOOKING_SOURCES, CrewAssignmentSchema, type FieldError, type ParseResult } from '../domain/booking';
import type { CrewResponse } from '../domain/crew';
import { crewResponseSignal } from '../../workflows/messages';
import { fieldErrors } from './errors';
import { actOnRunningBooking, type RunningBookingOutcome } from './running-booking';

/**
 * SCC's callback body. Not strict, unlike the booking contract: this is a third party's payload, and
 * a field SCC adds one day should not stop crew answers from arriving.
 */
const CrewResponseRequestSchema = z.object({
  eventId: z.string().min(1).max(200).optional(),
  workflowId: z.string().min(1).max(300).optional(),
  crewId: CrewAssignmentSchema.shape.id,
  response: z.enum(['accepted', 'declined']),
  respondedAt: z.iso.datetime({ offset: true, error: 'must be ISO-8601 with an offset, e.g. 2026-05-30T10:00:00-07:00' }),
});

export interface CrewResponseRequest {
  workflowId: string;
  response: CrewResponse;
}

/**
 * Validates a crew-response callback for `tenantId` and lists every problem at once.
 *
 * Only `workflowId` is accepted. Resolving SCC's `eventId` would need either a search attribute
 * holding the SCC event id (a workflow change) or scanning the tenant's open workflows and querying
 * each; neither belongs in a callback path. SCC events carry `external_id` = workflow ID, so SCC can
 * always send it.
 */
export function parseCrewResponseRequest(input: unknown, tenantId: string): ParseResult<CrewResponseRequest> {
  const result = CrewResponseRequestSchema.safeParse(input);
  if (!result.success) {
    const errors = fieldErrors(result.error.issues);
    if (isRecord(input)) errors.push(...targetErrors(input.eventId, input.workflowId, tenantId));
    return { ok: false, errors };
  }
  const { eventId, workflowId, crewId, response, respondedAt } = result.data;
  const errors = targetErrors(eventId, workflowId, tenantId);
  if (errors.length > 0 || workflowId === undefined) return { ok: false, errors };
  return { ok: true, value: { workflowId, response: { crewId, response, respondedAt } } };
}

function targetErrors(eventId: unknown, workflowId: unknown, tenantId: string): FieldError[] {
  if (eventId !== undefined && workflowId !== undefined) {
    return [{ path: '(body)', message: 'send exactly one of eventId and workflowId' }];
  }
  if (eventId !== undefined) return [{ path: 'eventId', message: 'eventId lookup is not supported; send workflowId' }];
  if (workflowId === undefined) return [{ path: 'workflowId', message: 'is required' }];
  if (typeof workflowId === 'string' && !bookingWorkflowIdPattern(tenantId).test(workflowId)) {
    return [{ path: 'workflowId', message: `must be a booking of tenant ${tenantId}: booking-${tenantId}-{source}-{bookingId}` }];
  }
  return [];
}

/** The shape bookingWorkflowId gives for this tenant. A cheap first filter; ownership is checked on the workflow. */
function bookingWorkflowIdPattern(tenantId: string): RegExp {
  const escaped = tenantId.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  return new RegExp(`^booking-${escaped}-(${BOOKING_SOURCES.join('|')})-[a-z0-9._-]{1,64}$`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Signals the booking's workflow, while it runs (see actOnRunningBooking). */
export function deliverCrewResponse(
  client: Client,
  tenantId: string,
  workflowId: string,
  response: CrewResponse,
): Promise<RunningBookingOutcome> {
  return actOnRunningBooking(client, tenantId, workflowId, (handle) => handle.signal(crewResponseSignal, response));
}
