import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStack, type LocalStackOptions } from '../../scripts/local-stack/stack';
import { uniqueTenantId } from './fulfillment';
import { TEST_PAYLOAD_KEYS } from './codec';
import { testServers, uniqueTaskQueue } from './temporal';

/**
 * The local stack `npm start` runs, on the run's Temporal dev server and moto, with free ports, its own
 * data directory, tenant, buckets and task queue: several can run at once without meeting.
 */
export async function startTestStack(
  options: Pick<LocalStackOptions, 'env' | 'built' | 'faultyAws' | 'traces'> = {},
): Promise<LocalStack> {
  const { address, motoUrl } = testServers();
  const tenantId = uniqueTenantId();
  const stack = new LocalStack({
    dataDir: mkdtempSync(join(process.env.TEST_TMP_DIR ?? tmpdir(), 'stack-')),
    ports: 'free',
    tools: {},
    temporal: { address },
    awsUrl: motoUrl,
    tenantId,
    resourcePrefix: tenantId,
    taskQueue: uniqueTaskQueue('stack'),
    // The run's Temporal is shared: every stack, harness and test client on it uses the test keys.
    payloadKeys: TEST_PAYLOAD_KEYS,
    ...options,
    env: { worker: { LOG_LEVEL: 'warn', ...options.env?.worker }, service: { ...options.env?.service } },
  });
  return stack.start();
}
