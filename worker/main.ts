import { getHeapStatistics } from 'node:v8';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogLevel } from '@temporalio/worker';
import { createActivities } from '../activities';
import { WorkerEnvSchema, parseEnv } from '../src/config/env';
import { tenantDirectory } from '../src/config/tenant';
import { loadTenantsFile } from '../src/config/tenants-file';
import { createAwsClients } from '../src/publish/aws-clients';
import { createMailTransport } from '../src/mail/transport';
import { temporalConnectionOptions } from '../src/config/temporal-connection';
import { ConfigurationError } from '../src/config/problems';
import { intakeSettingsFromEnv } from '../src/service/start-booking';
import { encryptedDataConverter } from '../src/codec/data-converter';
import { ensureTenantSchedules } from './schedules';
import { startTracingFromEnv } from '../src/telemetry/tracing';
import { workflowBundlerOptions } from '../src/config/workflow-bundle';
import {
  WORKFLOW_INTERCEPTOR_MODULES,
  clientTracingInterceptors,
  workerTracingOptions,
} from '../src/telemetry/temporal-tracing';

const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * The worker: connects to Temporal, registers the BookingFulfillment workflow and its activities, and
 * on SIGINT/SIGTERM stops polling, lets running activities finish (up to SHUTDOWN_GRACE_SECONDS) and exits.
 */
async function main(): Promise<void> {
  const env = parseEnv(WorkerEnvSchema, process.env);
  Runtime.install({
    logger: new DefaultLogger(env.LOG_LEVEL.toUpperCase() as LogLevel),
    ...(env.METRICS_PROMETHEUS_ADDRESS
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: env.METRICS_PROMETHEUS_ADDRESS } } } }
      : {}),
  });
  const tracing = startTracingFromEnv(env, 'charter-fulfillment-worker');
  const tenants = tenantDirectory(loadTenantsFile(env.TENANTS_FILE, process.env));
  const withFeeds = tenants.ids().filter((id) => (tenants.get(id)?.feeds ?? []).length > 0);
  if (withFeeds.length > 0 && env.SLUG_SECRET === undefined) {
    throw new ConfigurationError('the environment', [
      `SLUG_SECRET is not set: tenants ${withFeeds.join(', ')} have calendar feeds, whose bookings the worker starts`,
    ]);
  }
  const { s3, cloudfront } = createAwsClients({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL });
  const mail = createMailTransport(env.SMTP_URL);
  const connection = await NativeConnection.connect(temporalConnectionOptions(env));
  // Bookings from calendar feeds start through intake, which is a Temporal client's work.
  const clientConnection = await Connection.connect(temporalConnectionOptions(env));
  const dataConverter = encryptedDataConverter(env.PAYLOAD_KEYS);
  const client = new Client({
    connection: clientConnection,
    namespace: env.TEMPORAL_NAMESPACE,
    dataConverter,
    interceptors: clientTracingInterceptors(tracing),
  });
  try {
    if (env.FEED_SCHEDULES_AT_START) {
      const changes = await ensureTenantSchedules(client, tenants, {
        taskQueue: env.TEMPORAL_TASK_QUEUE,
        everyMinutes: env.FEED_SYNC_EVERY_MINUTES,
      });
      console.log(JSON.stringify({ msg: 'tenant schedules', ...changes }));
    }
    const traced = workerTracingOptions(tracing);
    const worker = await Worker.create({
      connection,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      dataConverter,
      ...(env.WORKFLOW_BUNDLE_PATH
        ? { workflowBundle: { codePath: env.WORKFLOW_BUNDLE_PATH } }
        : {
            workflowsPath: WORKFLOWS_PATH,
            bundlerOptions: workflowBundlerOptions(WORKFLOWS_PATH),
          }),
      // A prebuilt bundle has them built in (scripts/build-workflow-bundle.ts); a source one gets them here.
      interceptors: {
        ...traced.interceptors,
        ...(env.WORKFLOW_BUNDLE_PATH ? {} : { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }),
      },
      sinks: traced.sinks,
      maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
      activities: createActivities({
        tenants,
        s3,
        cloudfront,
        mail,
        stateBucket: env.STATE_BUCKET,
        client,
        httpTimeoutMs: env.HTTP_TIMEOUT_MS,
        ...(env.SLUG_SECRET
          ? {
              feedSync: {
                client,
                intake: intakeSettingsFromEnv({ ...env, SLUG_SECRET: env.SLUG_SECRET }, env.TEMPORAL_TASK_QUEUE),
              },
            }
          : {}),
        opsPageUrl: env.PUBLIC_BASE_URL ? `${env.PUBLIC_BASE_URL.replace(/\/$/, '')}/ops/{tenant}/` : undefined,
        temporalUiWorkflowUrl: env.TEMPORAL_UI_URL
          ? `${env.TEMPORAL_UI_URL.replace(/\/$/, '')}/namespaces/${encodeURIComponent(env.TEMPORAL_NAMESPACE)}/workflows/{workflowId}`
          : undefined,
      }),
      // The SDK's runtime turns SIGINT/SIGTERM into worker.shutdown(); this bounds how long that waits.
      shutdownGraceTime: `${env.SHUTDOWN_GRACE_SECONDS} seconds`,
    });
    console.log(
      JSON.stringify({
        msg: 'worker started',
        taskQueue: env.TEMPORAL_TASK_QUEUE,
        namespace: env.TEMPORAL_NAMESPACE,
        tenants: tenants.ids(),
        maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
        // V8's heap limit (NODE_OPTIONS=--max-old-space-size): with the cache, what bounds the worker's memory.
        heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20),
      }),
    );
    await worker.run();
    console.log(JSON.stringify({ msg: 'worker stopped' }));
  } finally {
    await clientConnection.close();
    await connection.close();
    mail.close();
    s3.destroy();
    cloudfront.destroy();
    await tracing?.shutdown();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
