import { Client, Connection } from '@temporalio/client';
import { WorkerEnvSchema, parseEnv } from '../src/config/env';
import { tenantDirectory } from '../src/config/tenant';
import { loadTenantsFile } from '../src/config/tenants-file';
import { temporalConnectionOptions } from '../src/config/temporal-connection';
import { encryptedDataConverter } from '../src/codec/data-converter';
import { ensureTenantSchedules } from './schedules';

/**
 * `npm run schedules`: makes the tenant schedules (feeds, digest, rosters) what the tenants file says (as the worker does at
 * start), and prints what it created, updated and removed. Reads the worker's environment.
 */
async function main(): Promise<void> {
  const env = parseEnv(WorkerEnvSchema, process.env);
  const tenants = tenantDirectory(loadTenantsFile(env.TENANTS_FILE, process.env, { resolveSecrets: false }));
  const connection = await Connection.connect(temporalConnectionOptions(env));
  try {
    const client = new Client({
      connection,
      namespace: env.TEMPORAL_NAMESPACE,
      dataConverter: encryptedDataConverter(env.PAYLOAD_KEYS),
    });
    const changes = await ensureTenantSchedules(client, tenants, {
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      everyMinutes: env.FEED_SYNC_EVERY_MINUTES,
    });
    console.log(JSON.stringify({ msg: 'tenant schedules', ...changes }));
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
