import { readFileSync } from 'node:fs';
import type { Client, ConnectionOptions } from '@temporalio/client';
import type { ServiceEnv } from '../config/env';

/**
 * The same choices as the worker's connection (worker/connection.ts), for @temporalio/client's
 * Connection: plain TCP for a local dev server; TLS (optionally mTLS) and/or an API key for a
 * cluster or Temporal Cloud. It lives here because src/ does not import from worker/.
 */
export function clientConnectionOptions(
  env: Pick<ServiceEnv, 'TEMPORAL_ADDRESS' | 'TEMPORAL_API_KEY' | 'TEMPORAL_TLS' | 'TEMPORAL_TLS_CERT_PATH' | 'TEMPORAL_TLS_KEY_PATH'>,
): ConnectionOptions {
  const mtls =
    env.TEMPORAL_TLS_CERT_PATH && env.TEMPORAL_TLS_KEY_PATH
      ? { clientCertPair: { crt: readFileSync(env.TEMPORAL_TLS_CERT_PATH), key: readFileSync(env.TEMPORAL_TLS_KEY_PATH) } }
      : undefined;
  const tls = mtls ?? (env.TEMPORAL_TLS || env.TEMPORAL_API_KEY ? true : undefined);
  return { address: env.TEMPORAL_ADDRESS, tls, apiKey: env.TEMPORAL_API_KEY };
}

/**
 * Readiness: Temporal answers a cheap call within `timeoutMs`. Without a deadline a dead frontend
 * would leave the probe hanging until the orchestrator's own timeout.
 */
export async function temporalReachable(client: Client, timeoutMs = 2000): Promise<boolean> {
  try {
    await client.connection.withDeadline(Date.now() + timeoutMs, () => client.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  }
}
