import { join } from 'node:path';
import { WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import type { Tenant } from '../../src/config/tenant';
import type { Booking } from '../../src/domain/booking';
import { fulfillmentInput, staticSummary } from '../../src/service/start-booking';
import { BookingIdKey, CharterStartKey, FulfillmentStageKey, TenantKey } from '../../workflows/search-attributes';
import { createNoopActivities } from './noop-activities';
import type { noopBookingFulfillment } from './noop-workflow';
import { runConcurrently } from './pool';
import { quietBundlerLogger as quietLogger } from '../build-workflow-bundle';
import { FAILURE_CONVERTER_PATH } from '../../src/codec/data-converter';

/** The service's defaults (CREW_CONFIRMATION_*), so the floor's input is the real one's, byte for byte in shape. */
const CREW_CONFIRMATION = { timeoutMs: 48 * 3600_000, leadBeforeStartMs: 24 * 3600_000 };

/** Bundled once, ahead of the run (webpack takes seconds of CPU that no phase should be charged). */
export function bundleNoopWorkflow(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: join(__dirname, 'noop-workflow.ts'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: quietLogger,
  });
}

export interface FloorRun {
  workflowIds: string[];
  /** Date.now() before the first start. */
  firstStartAt: number;
  /** Date.now() when the last no-op email step ran. */
  lastEmailAt: number;
}

export interface NoopFloor {
  /**
   * A workflow per booking, `concurrency` of them in flight from start to email step, as the pipeline's
   * saturation batches run; each may take `timeoutMs` to reach its email step.
   */
  run(bookings: Booking[], concurrency: number, timeoutMs: number): Promise<FloorRun>;
  stop(): Promise<void>;
}

/**
 * The floor's worker, in this process, on its own task queue of the stack's Temporal: the SDK's
 * default worker options, as the product's worker has. Workflows are started as the service starts
 * bookings (same input, search attributes, summary and ID policy), but by the client directly.
 */
export async function startNoopFloor(o: {
  address: string;
  namespace: string;
  taskQueue: string;
  client: Client;
  /** The product's (encrypting) data converter, so the floor pays for the codec as the product does. */
  dataConverter: DataConverter;
  tenant: Tenant;
  slugSecret: string;
  bundle: WorkflowBundle;
}): Promise<NoopFloor> {
  const emailed = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  const onEmailed = (workflowId: string, at: number) => {
    emailed.set(workflowId, at);
    waiting.get(workflowId)?.(at);
  };
  const connection = await NativeConnection.connect({ address: o.address });
  let worker: Worker;
  try {
    worker = await Worker.create({
      connection,
      namespace: o.namespace,
      taskQueue: o.taskQueue,
      workflowBundle: o.bundle,
      dataConverter: o.dataConverter,
      activities: createNoopActivities({ client: o.client, onEmailed }),
    });
  } catch (err) {
    await connection.close();
    throw err;
  }
  const running = worker.run();
  // Its failure is stop()'s to report; until then it must not count as unhandled and end the process.
  running.catch(() => undefined);

  const start = async (booking: Booking): Promise<string> => {
    const { workflowId, input } = fulfillmentInput(o.tenant, booking, {
      slugSecret: o.slugSecret,
      crewConfirmation: CREW_CONFIRMATION,
    });
    await o.client.workflow.start<typeof noopBookingFulfillment>('noopBookingFulfillment', {
      taskQueue: o.taskQueue,
      workflowId,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [
        { key: BookingIdKey, value: booking.bookingId },
        { key: TenantKey, value: o.tenant.id },
        { key: CharterStartKey, value: new Date(booking.charter.start) },
        { key: FulfillmentStageKey, value: 'RECEIVED' },
      ],
      staticSummary: staticSummary(o.tenant, booking),
    });
    return workflowId;
  };

  const emailStep = (workflowId: string, timeoutMs: number) =>
    new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(workflowId);
        reject(new Error(`no-op booking ${workflowId} did not reach its email step within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      waiting.set(workflowId, (at) => {
        clearTimeout(timer);
        waiting.delete(workflowId);
        resolve(at);
      });
      const at = emailed.get(workflowId);
      if (at !== undefined) waiting.get(workflowId)?.(at);
    });

  return {
    async run(bookings, concurrency, timeoutMs) {
      const firstStartAt = Date.now();
      const runs = await runConcurrently(bookings.length, concurrency, async (i) => {
        const workflowId = await start(bookings[i]!);
        return { workflowId, emailedAt: await emailStep(workflowId, timeoutMs) };
      });
      return {
        workflowIds: runs.map((r) => r.workflowId),
        firstStartAt,
        lastEmailAt: Math.max(...runs.map((r) => r.emailedAt)),
      };
    },
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      try {
        await running;
      } finally {
        await connection.close();
      }
    },
  };
}
