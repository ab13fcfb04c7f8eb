import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { BOOKING_SOURCES, CrewAssignmentSchema } from '../domain/booking';
import { fieldErrors, type FieldError, type ParseResult } from '../domain/validation';
import type { CrewResponse } from '../domain/crew';
import { crewResponseSignal } from '../../workflows/messages';
import { SccEventIdKey, TenantKey } from '../../workflows/search-attributes';
import type { bookingLifecycle } from '../../workflows/booking-lifecycle';
import { describeBooking, type RunningBookingOutcome } from './running-booking';

/**
 * SCC's callback body. Not strict, unlike the booking contract: this is a third party's payload, and
 * a field SCC adds one day should not stop crew answers from arriving.
 */
const CrewResponseRequestSchema = z.object({
  // Safe to put in a visibility query as is: no quotes, no spaces.
  eventId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,200}$/, 'must be an SCC event id')
    .optional(),
  workflowId: z.string().min(1).max(300).optional(),
  crewId: CrewAssignmentSchema.shape.id,
  response: z.enum(['accepted', 'declined']),
  respondedAt: z.iso.datetime({
    offset: true,
    error: 'must be ISO-8601 with an offset, e.g. 2026-05-30T10:00:00-07:00',
  }),
});

export interface CrewResponseRequest {
  /** Which booking: our workflow ID (SCC's external_id), or SCC's own event id. */
  target: { workflowId: string } | { eventId: string };
  response: CrewResponse;
}

/** Validates a crew-response callback for `tenantId` and lists every problem at once. */
export function parseCrewResponseRequest(input: unknown, tenantId: string): ParseResult<CrewResponseRequest> {
  const result = CrewResponseRequestSchema.safeParse(input);
  if (!result.success) {
    const errors = fieldErrors(result.error.issues);
    if (isRecord(input)) errors.push(...targetErrors(input.eventId, input.workflowId, tenantId));
    return { ok: false, errors };
  }
  const { eventId, workflowId, crewId, response, respondedAt } = result.data;
  const errors = targetErrors(eventId, workflowId, tenantId);
  if (errors.length > 0) return { ok: false, errors };
  const target = workflowId !== undefined ? { workflowId } : { eventId: eventId! };
  return { ok: true, value: { target, response: { crewId, response, respondedAt } } };
}

function targetErrors(eventId: unknown, workflowId: unknown, tenantId: string): FieldError[] {
  if (eventId !== undefined && workflowId !== undefined) {
    return [{ path: '(body)', message: 'send exactly one of eventId and workflowId' }];
  }
  if (eventId !== undefined) return [];
  if (workflowId === undefined) return [{ path: 'workflowId', message: 'send workflowId or eventId' }];
  if (typeof workflowId === 'string' && !bookingWorkflowIdPattern(tenantId).test(workflowId)) {
    return [
      {
        path: 'workflowId',
        message: `must be a booking of tenant ${tenantId}: booking-${tenantId}-{source}-{bookingId}`,
      },
    ];
  }
  return [];
}

/**
 * The shape bookingWorkflowId gives for this tenant. It proves ownership: tenant ids have no dashes
 * (TenantFileEntrySchema), so `booking-{tenant}-` names one tenant only, and the service starts a
 * tenant's bookings under that prefix alone.
 */
function bookingWorkflowIdPattern(tenantId: string): RegExp {
  const escaped = tenantId.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  return new RegExp(`^booking-${escaped}-(${BOOKING_SOURCES.join('|')})-[A-Za-z0-9._-]{1,64}$`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The booking whose SCC crew event is `eventId`, through the SccEventId search attribute the workflow
 * sets once the event exists. Visibility is eventually consistent, but SCC calls back only after a
 * crew member opened a link the event's creation sent, by which time the attribute is indexed.
 */
export async function findBookingBySccEvent(
  client: Client,
  tenantId: string,
  eventId: string,
): Promise<string | undefined> {
  const query = `${SccEventIdKey.name} = "${eventId}" AND ${TenantKey.name} = "${tenantId}"`;
  for await (const execution of client.workflow.list({ query, pageSize: 1 })) return execution.workflowId;
  return undefined;
}

/**
 * Signals the booking's workflow: one call when it runs. The workflow ID already passed
 * bookingWorkflowIdPattern (the eventId path's list filters by Tenant), and the signal carries the
 * tenant, which the workflow checks too. The server answers a signal to a closed workflow with the
 * same NotFound as to a missing one, so only then is it described, to tell 404 (missing, or not this
 * tenant's) from 409 (closed).
 */
export async function deliverCrewResponse(
  client: Client,
  tenantId: string,
  workflowId: string,
  response: CrewResponse,
): Promise<RunningBookingOutcome> {
  try {
    await client.workflow
      .getHandle<typeof bookingLifecycle>(workflowId)
      .signal(crewResponseSignal, { ...response, tenant: tenantId });
    return { outcome: 'done', workflowId };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  const found = await describeBooking(client, tenantId, workflowId);
  if (!found) return { outcome: 'unknown-booking' };
  const status = found.description.status.name;
  // RUNNING here means a new run started since the signal missed: the booking it was meant for closed.
  return { outcome: 'closed', workflowId, status: status === 'RUNNING' ? 'CLOSED' : status };
}
