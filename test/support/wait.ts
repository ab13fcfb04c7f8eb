import type { WorkflowHandle } from '@temporalio/client';
import { statusQuery } from '../../workflows/messages';
import type { BookingStatus, FulfillmentStage } from '../../workflows/types';

/** Polls the `status` query until the booking reaches `stage` (or a later one that `done` accepts). */
export async function waitForStage(
  handle: WorkflowHandle,
  stage: FulfillmentStage,
  timeoutMs = 30_000,
): Promise<BookingStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: BookingStatus | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(statusQuery);
      if (last.stage === stage) return last;
      if (last.stage === 'FAILED') throw new Error(`booking failed while waiting for ${stage}: ${last.failure}`);
    } catch (err) {
      // The first workflow task may not have run yet: the query has no handler until then.
      if (err instanceof Error && err.message.startsWith('booking failed')) throw err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`booking did not reach ${stage} within ${timeoutMs} ms (last: ${last?.stage ?? 'no answer'})`);
}

/** Polls `read` until `done` holds; the last value is in the error otherwise. */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
}
