import { Client, Connection } from '@temporalio/client';
import { ServiceEnvSchema, parseEnv } from '../config/env';
import { ConfigurationError } from '../config/problems';
import { tenantDirectory } from '../config/tenant';
import { loadTenantsFile } from '../config/tenants-file';
import { temporalConnectionOptions } from '../config/temporal-connection';
import { encryptedDataConverter } from '../codec/data-converter';
import { buildApp } from './app';
import { intakeSettingsFromEnv } from './start-booking';
import { startTracingFromEnv } from '../telemetry/tracing';
import { clientTracingInterceptors } from '../telemetry/temporal-tracing';
import { serviceMetrics, startPrometheusMetrics } from '../telemetry/service-metrics';

const SERVICE_NAME = 'charter-fulfillment-service';

/**
 * The HTTP service: reads the environment and tenants file (every problem at once), connects to
 * Temporal, listens, and on SIGINT/SIGTERM stops taking requests, lets in-flight ones finish and
 * closes the Temporal connection.
 */
async function main(): Promise<void> {
  const env = parseEnv(ServiceEnvSchema, process.env);
  const tenantList = loadTenantsFile(env.TENANTS_FILE, process.env, { resolveSecrets: false });
  const withOpsPage = tenantList.filter((t) => t.auth.opsKeyHash !== undefined).map((t) => t.id);
  if (withOpsPage.length > 0 && env.OPS_SESSION_SECRET === undefined) {
    throw new ConfigurationError('the environment', [
      `OPS_SESSION_SECRET: is required: tenant(s) ${withOpsPage.join(', ')} have an ops page (auth.opsKeyHash)`,
    ]);
  }
  const tenants = tenantDirectory(tenantList);
  const tracing = startTracingFromEnv(env, SERVICE_NAME);
  const prometheus = env.METRICS_PROMETHEUS_ADDRESS
    ? startPrometheusMetrics(env.METRICS_PROMETHEUS_ADDRESS, SERVICE_NAME)
    : undefined;
  const connection = await Connection.connect(temporalConnectionOptions(env));
  const client = new Client({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    dataConverter: encryptedDataConverter(env.PAYLOAD_KEYS),
    interceptors: clientTracingInterceptors(tracing),
  });
  const app = buildApp({
    client,
    tenants,
    settings: intakeSettingsFromEnv(env, env.TEMPORAL_TASK_QUEUE),
    publicBaseUrl: env.PUBLIC_BASE_URL,
    logger: { level: env.LOG_LEVEL },
    ...(env.OPS_SESSION_SECRET ? { ops: { sessionSecret: env.OPS_SESSION_SECRET } } : {}),
    ...(tracing ? { tracer: tracing.tracer } : {}),
    ...(prometheus ? { metrics: serviceMetrics(prometheus.meter) } : {}),
  });
  const closeTelemetry = async () => {
    await Promise.all([tracing?.shutdown(), prometheus?.shutdown()]);
  };

  let closing: Promise<void> | undefined;
  const shutdown = (signal: NodeJS.Signals) => {
    closing ??= (async () => {
      app.log.info({ signal }, 'service stopping');
      try {
        await app.close();
        await connection.close();
        await closeTelemetry();
        app.log.info('service stopped');
      } catch (err) {
        app.log.error({ err }, 'service did not stop cleanly');
        process.exitCode = 1;
      }
    })();
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);

  try {
    await app.listen({
      host: env.SERVICE_HOST,
      port: env.SERVICE_PORT,
      listenTextResolver: (address) => `service listening at ${address} (tenants: ${tenants.ids().join(', ')})`,
    });
  } catch (err) {
    await connection.close();
    await closeTelemetry();
    throw err;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
