import { DefaultLogger, NativeConnection, Runtime, Worker, type LogLevel } from '@temporalio/worker';
import { createActivities } from '../activities';
import { WorkerEnvSchema, parseEnv } from '../src/config/env';
import { tenantDirectory } from '../src/config/tenant';
import { loadTenantsFile } from '../src/config/tenants-file';
import { createAwsClients } from '../src/publish/aws-clients';
import { createMailTransport } from '../src/mail/transport';
import { temporalConnectionOptions } from '../src/config/temporal-connection';

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
  const tenants = tenantDirectory(loadTenantsFile(env.TENANTS_FILE, process.env));
  const { s3, cloudfront } = createAwsClients({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL });
  const mail = createMailTransport(env.SMTP_URL);
  const connection = await NativeConnection.connect(temporalConnectionOptions(env));
  try {
    const worker = await Worker.create({
      connection,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      ...(env.WORKFLOW_BUNDLE_PATH
        ? { workflowBundle: { codePath: env.WORKFLOW_BUNDLE_PATH } }
        : { workflowsPath: require.resolve('../workflows') }),
      activities: createActivities({
        tenants,
        s3,
        cloudfront,
        mail,
        stateBucket: env.STATE_BUCKET,
        httpTimeoutMs: env.HTTP_TIMEOUT_MS,
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
      }),
    );
    await worker.run();
    console.log(JSON.stringify({ msg: 'worker stopped' }));
  } finally {
    await connection.close();
    mail.close();
    s3.destroy();
    cloudfront.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
