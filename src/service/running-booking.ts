import {
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import { bookingWorkflowId, legacyBookingWorkflowId, type BookingRef } from '../domain/booking';
import type { bookingLifecycle } from '../../workflows/booking-lifecycle';
import { BookingIdKey, TenantKey } from '../../workflows/search-attributes';

export type BookingHandle = WorkflowHandle<typeof bookingLifecycle>;

export interface FoundBooking {
  handle: BookingHandle;
  description: WorkflowExecutionDescription;
}

/**
 * The workflow `workflowId`, if it is one of this tenant's: the Tenant search attribute set at start
 * is checked, and a mismatch answers as unknown, never revealing another tenant's booking. Status,
 * re-delivery and cancel describe first; crew answers signal first, since a workflow ID that passed
 * bookingWorkflowIdPattern is this tenant's, and describe only on NotFound (deliverCrewResponse).
 */
export async function describeBooking(
  client: Client,
  tenantId: string,
  workflowId: string,
): Promise<FoundBooking | undefined> {
  const handle = client.workflow.getHandle<typeof bookingLifecycle>(workflowId);
  let description: WorkflowExecutionDescription;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
  return description.typedSearchAttributes.get(TenantKey) === tenantId ? { handle, description } : undefined;
}

/** The workflow `workflowId`, if it is this tenant's booking `ref`: its BookingId is the id sent, exactly. */
async function describeBookingOf(
  client: Client,
  tenantId: string,
  workflowId: string,
  ref: BookingRef,
): Promise<FoundBooking | undefined> {
  const found = await describeBooking(client, tenantId, workflowId);
  return found?.description.typedSearchAttributes.get(BookingIdKey) === ref.bookingId ? found : undefined;
}

/**
 * A booking started before booking ids kept their case runs under the lower-cased ID. It is that
 * booking only if its BookingId search attribute is the id sent, exactly: `BS-77` never finds `bs-77`'s.
 * Undefined when the id has no upper-case letter (its exact ID is then the old one too).
 */
export async function findLegacyBooking(
  client: Client,
  tenantId: string,
  ref: BookingRef,
): Promise<FoundBooking | undefined> {
  const legacy = legacyBookingWorkflowId(tenantId, ref);
  if (legacy === bookingWorkflowId(tenantId, ref)) return undefined;
  return describeBookingOf(client, tenantId, legacy, ref);
}

/**
 * The booking's workflow under its exact ID, else under the ID it had before ids kept their case. The
 * exact ID can hold an old booking whose id differs in case (`BS-77` under `...-bs-77`): that one is
 * not `bs-77`, which is why the BookingId is checked there too.
 */
export async function findBooking(
  client: Client,
  tenantId: string,
  ref: BookingRef,
): Promise<FoundBooking | undefined> {
  return (
    (await describeBookingOf(client, tenantId, bookingWorkflowId(tenantId, ref), ref)) ??
    (await findLegacyBooking(client, tenantId, ref))
  );
}

export type RunningBookingOutcome =
  | { outcome: 'done'; workflowId: string }
  | { outcome: 'unknown-booking' }
  | { outcome: 'closed'; workflowId: string; status: string };

/**
 * Acts on a booking's workflow only while it runs. The server answers a signal (or a cancel) to a
 * closed workflow with the same NotFound as to a missing one, so the description tells 404 from 409;
 * a NotFound after it showed the workflow running means it closed in between: still a 409.
 */
export async function actOnRunningBooking(
  found: FoundBooking | undefined,
  act: (handle: BookingHandle) => Promise<unknown>,
): Promise<RunningBookingOutcome> {
  if (!found) return { outcome: 'unknown-booking' };
  const { handle, description } = found;
  const { workflowId } = handle;
  if (description.status.name !== 'RUNNING') return { outcome: 'closed', workflowId, status: description.status.name };
  try {
    await act(handle);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { outcome: 'closed', workflowId, status: 'CLOSED' };
    throw err;
  }
  return { outcome: 'done', workflowId };
}
