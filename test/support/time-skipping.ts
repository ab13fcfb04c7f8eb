import { activityInfo } from '@temporalio/activity';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes';
import { installTestRuntime, testServers, type TemporalForTest } from './temporal';
import { workerTracingOptions } from '../../src/telemetry/temporal-tracing';

export interface TimeSkippingTemporal extends TemporalForTest {
  env: TestWorkflowEnvironment;
  /** How long createTimeSkipping took to start the server and connect, in real milliseconds. */
  startupMs: number;
  /** The server's clock: workflow time. */
  now(): Promise<number>;
  /**
   * Moves workflow time forward to `at`, firing every timer due before it, then holds it again. While
   * it is held, time passes at the wall clock's pace, so activities and signals take real seconds.
   */
  skipTo(at: number): Promise<void>;
}

/**
 * Temporal's time-skipping test server (the Java one, provisioned by scripts/tools.mjs), one per test
 * file: its clock is global to the server, so tests that skip time must not share it concurrently.
 * Workers run on the same prebuilt workflow bundle as on the dev server.
 */
export async function startTimeSkippingTemporal(): Promise<TimeSkippingTemporal> {
  const path = process.env.TEST_TEMPORAL_TEST_SERVER;
  const { bundlePath } = testServers();
  if (!path) throw new Error(process.env.TEST_TEMPORAL_TEST_SERVER_ERROR ?? 'the global setup found no test server');
  installTestRuntime();
  const started = Date.now();
  const env = await createTimeSkipping(path);
  const startupMs = Date.now() - started;
  await registerSearchAttributes(env);
  return {
    env,
    startupMs,
    client: env.client,
    nativeConnection: env.nativeConnection,
    createWorker: (options) =>
      Worker.create({
        connection: env.nativeConnection,
        workflowBundle: { codePath: bundlePath },
        ...workerTracingOptions(undefined),
        ...options,
      }),
    close: () => env.teardown(),
    now: () => env.currentTimeMs(),
    async skipTo(at) {
      const now = await env.currentTimeMs();
      if (at > now) await env.sleep(at - now);
    },
  };
}

/**
 * The SDK gives the server 5 s to answer its first connection. The class-data archive that
 * scripts/tools.mjs records gets the JVM there in about 2 s on a busy 2-core machine, about 5 without
 * it; one more try covers a machine busier still.
 */
async function createTimeSkipping(path: string): Promise<TestWorkflowEnvironment> {
  const start = () =>
    TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
  try {
    return await start();
  } catch (err) {
    // Not instanceof: under jest the SDK's errors come from another realm.
    const message = String((err as { message?: unknown } | undefined)?.message ?? err);
    if (!/did not start within/.test(message)) throw err;
    process.stderr.write(`[time-skipping] ${message.split(':')[0]} in time: trying once more\n`);
    return await start();
  }
}

/**
 * The Java test server knows only its own Custom*Field attributes and its command line takes no others
 * (`<port> [--enable-time-skipping]`), so a start naming BookingId fails with INVALID_ARGUMENT "search
 * attribute BookingId is not defined". Its operator service registers them, as on a real cluster.
 */
async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      SEARCH_ATTRIBUTE_KEYS.map((key) => [
        key.name,
        temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`],
      ]),
    ),
  });
}

/**
 * A clock for activities that follows workflow time: when the server scheduled this attempt. Under time
 * skipping the worker's own clock stays on the wall clock while the workflow's jumps days ahead; in
 * production the two agree, and activities read Date.now().
 */
export function workflowTimeInActivity(): number {
  return activityInfo().currentAttemptScheduledTimestampMs;
}
