// `npm run bench -- workflow-memory [--bookings=N]`: the heap one cached booking costs the worker, and
// what in the workflow bundle that heap is. The pipeline benchmark reads the worker's RSS from outside;
// this reads the sandbox's heap from inside: a worker in this process with its workflows on this
// thread (the SDK's debugMode, same reusable V8 context as the workflow thread), N bookings waiting for
// crew in its cache, a full GC before each reading. Each variant bundles the workflows differently, so
// the difference between two variants is what the thing left out costs per booking.
import { join } from 'node:path';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Client, Connection } from '@temporalio/client';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  bundleWorkflowCode,
  type BundleOptions,
} from '@temporalio/worker';
import { sampleBooking, sampleTenant } from '../sim/samples';
import { startBookingFulfillment } from '../src/service/start-booking';
import { workerTracingOptions } from '../src/telemetry/temporal-tracing';
import { quietBundlerLogger, shippedBundleOptions } from './build-workflow-bundle';
import { createNoopActivities } from './bench/noop-activities';
import { NAMESPACE } from './local-stack/config';
import { poll, sleep } from './local-stack/processes';
import { startBenchDevServer } from './bench/dev-server';

interface Variant {
  name: string;
  bundle: Pick<BundleOptions, 'preloadModules' | 'workflowInterceptorModules'>;
}

const SHIPPED = shippedBundleOptions();
const VARIANTS: Variant[] = [
  { name: 'as shipped', bundle: {} },
  // Without workflows/shared-modules: every booking evaluates its own zod and src/domain.
  { name: 'nothing preloaded', bundle: { preloadModules: [] } },
  { name: 'no tracing interceptors', bundle: { workflowInterceptorModules: [] } },
];

/** A full, synchronous GC: the readings are live heap, not what V8 has not collected yet. */
function gcNow(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

const heapMb = () => process.memoryUsage().heapUsed / 2 ** 20;
const rssMb = () => process.memoryUsage().rss / 2 ** 20;

interface Reading {
  heapBeforeMb: number;
  heapAfterMb: number;
  perBookingKb: number;
  /** The process's resident memory per booking over the same span: heap, native (the SDK's core) and V8's slack. */
  rssPerBookingKb: number;
}

async function measureVariant(
  variant: Variant,
  o: { address: string; client: Client; bookings: number },
): Promise<Reading> {
  const { code } = await bundleWorkflowCode({ ...SHIPPED, ...variant.bundle, logger: quietBundlerLogger });
  const tenant = sampleTenant({ id: 'benchmem' });
  const taskQueue = `bench-memory-${variant.name.replace(/\W+/g, '-')}-${Date.now()}`;
  let crewAsked = 0;
  const noop = createNoopActivities({ client: o.client, onEmailed: () => undefined });
  const connection = await NativeConnection.connect({ address: o.address });
  const worker = await Worker.create({
    connection,
    namespace: NAMESPACE,
    taskQueue,
    workflowBundle: { code },
    debugMode: true,
    // Untraced, as a worker without OTEL_* runs: the interceptors' spans go to a no-op sink.
    ...workerTracingOptions(undefined),
    maxCachedWorkflows: o.bookings + 10,
    activities: {
      ...noop,
      // Crew stay silent: every booking stays in the crew wait, in the cache.
      async createCrewEvent({ workflowId, crew }: { workflowId: string; crew: { id: string }[] }) {
        crewAsked += 1;
        return { sccEventId: `evt_${workflowId}`, created: true, notifiedCrewIds: crew.map((c) => c.id) };
      },
    },
  });
  const running = worker.run();
  running.catch(() => undefined);
  try {
    await sleep(500);
    gcNow();
    const heapBeforeMb = heapMb();
    const rssBeforeMb = rssMb();
    for (let i = 0; i < o.bookings; i += 1) {
      // As the service starts a booking (same input, search attributes and ID policy); ids are unique.
      await startBookingFulfillment(o.client, tenant, sampleBooking(), {
        taskQueue,
        slugSecret: 'bench-memory-slug-secret',
        crewConfirmation: { timeoutMs: 48 * 3600_000, leadBeforeStartMs: 0 },
      });
    }
    await poll(async () => (crewAsked >= o.bookings ? true : undefined), {
      timeoutMs: 120_000,
      intervalMs: 200,
      what: `${o.bookings} bookings asking their crew`,
    });
    // The activities' completions and the workflow tasks they cause settle.
    await sleep(3000);
    gcNow();
    const heapAfterMb = heapMb();
    const rssAfterMb = rssMb();
    const snapshots = process.env.BENCH_HEAP_SNAPSHOT_DIR;
    if (snapshots) console.log(`heap snapshot: ${writeHeapSnapshot(join(snapshots, `${taskQueue}.heapsnapshot`))}`);
    return {
      heapBeforeMb,
      heapAfterMb,
      perBookingKb: ((heapAfterMb - heapBeforeMb) * 1024) / o.bookings,
      rssPerBookingKb: ((rssAfterMb - rssBeforeMb) * 1024) / o.bookings,
    };
  } finally {
    worker.shutdown();
    await running.catch(() => undefined);
    await connection.close();
  }
}

export async function benchWorkflowMemory(args: string[]): Promise<boolean> {
  const bookings = Number(args.find((a) => a.startsWith('--bookings='))?.split('=')[1] ?? 200);
  // The SDK's warnings for the bench's own short-lived workers would bury the readings.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const temporal = await startBenchDevServer();
  const { address } = temporal;
  try {
    const client = new Client({ connection: await Connection.connect({ address }), namespace: NAMESPACE });
    for (const variant of VARIANTS) {
      const reading = await measureVariant(variant, { address, client, bookings });
      console.log(
        `${variant.name.padEnd(28)} heap ${reading.heapBeforeMb.toFixed(1)} -> ${reading.heapAfterMb.toFixed(1)} MB for ${bookings} bookings: ${reading.perBookingKb.toFixed(0)} KB per cached booking; RSS ${reading.rssPerBookingKb.toFixed(0)} KB per booking`,
      );
    }
    return true;
  } finally {
    await temporal.stop();
  }
}
