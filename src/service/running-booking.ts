import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { bookingFulfillment } from '../../workflows/booking-fulfillment';
import { TenantKey } from '../../workflows/search-attributes';

export type RunningBookingOutcome =
  { outcome: 'done' } | { outcome: 'unknown-booking' } | { outcome: 'closed'; status: string };

/**
 * Acts on a booking's workflow only while it runs. The server answers a signal (or a cancel) to a
 * closed workflow with the same NotFound as to a missing one, so describe() first tells 404 from 409;
 * a NotFound after describe() saw it running means it closed in between: still a 409.
 *
 * Workflow IDs alone do not prove ownership, so the Tenant search attribute set at start is checked,
 * and a mismatch answers as unknown, never revealing another tenant's booking.
 */
export async function actOnRunningBooking(
  client: Client,
  tenantId: string,
  workflowId: string,
  act: (handle: WorkflowHandle<typeof bookingFulfillment>) => Promise<unknown>,
): Promise<RunningBookingOutcome> {
  const handle = client.workflow.getHandle<typeof bookingFulfillment>(workflowId);
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { outcome: 'unknown-booking' };
    throw err;
  }
  if (description.typedSearchAttributes.get(TenantKey) !== tenantId) return { outcome: 'unknown-booking' };
  if (description.status.name !== 'RUNNING') return { outcome: 'closed', status: description.status.name };
  try {
    await act(handle);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { outcome: 'closed', status: 'CLOSED' };
    throw err;
  }
  return { outcome: 'done' };
}
