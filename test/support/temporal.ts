import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { testDataConverter } from './codec';
import { workerTracingOptions } from '../../src/telemetry/temporal-tracing';

/** What the global setup started; throws with a hint when a test file runs outside the integration project. */
export function testServers() {
  const address = process.env.TEST_TEMPORAL_ADDRESS;
  const motoUrl = process.env.TEST_MOTO_URL;
  const motoDirectUrl = process.env.TEST_MOTO_DIRECT_URL;
  const bundlePath = process.env.TEST_WORKFLOW_BUNDLE;
  if (!address || !motoUrl || !motoDirectUrl || !bundlePath) {
    throw new Error(
      'Integration tests need the global setup: run them with `npm test` or `npx jest --selectProjects integration`',
    );
  }
  return { address, motoUrl, motoDirectUrl, bundlePath };
}

export interface TemporalForTest {
  client: Client;
  nativeConnection: NativeConnection;
  /** A Worker on the prebuilt bundle, with a task queue unique to the caller. */
  createWorker(options: Pick<WorkerOptions, 'taskQueue' | 'activities'> & Partial<WorkerOptions>): Promise<Worker>;
  close(): Promise<void>;
}

let runtimeInstalled = false;

/** Once per test file, before anything else touches the SDK's Runtime (a TestWorkflowEnvironment does). */
export function installTestRuntime(): void {
  if (runtimeInstalled) return;
  // Workflow and activity logs at INFO would bury the test report; failures still print as WARN/ERROR.
  Runtime.install({ logger: new DefaultLogger(process.env.TEST_LOG_LEVEL === 'DEBUG' ? 'DEBUG' : 'WARN') });
  runtimeInstalled = true;
}

/** A client and workers with the production data converter (test keys): payloads are encrypted as in production. */
export async function connectTemporal(address = testServers().address): Promise<TemporalForTest> {
  installTestRuntime();
  const { bundlePath } = testServers();
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  const dataConverter = testDataConverter();
  return {
    client: new Client({ connection, dataConverter }),
    nativeConnection,
    createWorker: (options) =>
      Worker.create({
        connection: nativeConnection,
        workflowBundle: { codePath: bundlePath },
        dataConverter,
        ...workerTracingOptions(undefined),
        ...options,
      }),
    close: async () => {
      await nativeConnection.close();
      await connection.close();
    },
  };
}

export function uniqueTaskQueue(name: string): string {
  return `${name}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
