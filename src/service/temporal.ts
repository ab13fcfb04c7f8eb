import type { Client } from '@temporalio/client';

/**
 * Readiness: Temporal answers a cheap call within `timeoutMs`. Without a deadline a dead frontend
 * would leave the probe hanging until the orchestrator's own timeout.
 */
export async function temporalReachable(client: Client, timeoutMs = 2000): Promise<boolean> {
  try {
    await client.connection.withDeadline(Date.now() + timeoutMs, () => client.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  }
}
