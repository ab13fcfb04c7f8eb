import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { WorkerEnv } from './env';

type TemporalConnectionEnv = Pick<
  WorkerEnv,
  'TEMPORAL_ADDRESS' | 'TEMPORAL_API_KEY' | 'TEMPORAL_TLS' | 'TEMPORAL_TLS_CERT_PATH' | 'TEMPORAL_TLS_KEY_PATH'
>;

/**
 * How the worker (NativeConnection) and the service (Connection) reach Temporal: plain TCP for a
 * local dev server; TLS (optionally mTLS) and/or an API key for a cluster or Temporal Cloud.
 */
export function temporalConnectionOptions(env: TemporalConnectionEnv): {
  address: string;
  tls?: TLSConfig | true;
  apiKey?: string;
} {
  const mtls: TLSConfig | undefined =
    env.TEMPORAL_TLS_CERT_PATH && env.TEMPORAL_TLS_KEY_PATH
      ? {
          clientCertPair: {
            crt: readFileSync(env.TEMPORAL_TLS_CERT_PATH),
            key: readFileSync(env.TEMPORAL_TLS_KEY_PATH),
          },
        }
      : undefined;
  const tls = mtls ?? (env.TEMPORAL_TLS || env.TEMPORAL_API_KEY ? true : undefined);
  return { address: env.TEMPORAL_ADDRESS, tls, apiKey: env.TEMPORAL_API_KEY };
}
