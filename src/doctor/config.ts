import { parseEnv, WorkerEnvSchema, type WorkerEnv } from '../config/env';
import type { Tenant } from '../config/tenant';
import { loadTenants, readTenantsFile, TenantsFileSchema } from '../config/tenants-file';
import type { AwsClientOptions } from '../publish/aws-clients';

/** What the doctor checks with: the worker's own environment and tenants, as the worker would load them. */
export interface DoctorConfig {
  env: WorkerEnv;
  tenants: Tenant[];
  aws: AwsClientOptions;
  /** By tenant id: the variables the tenants file names for its secrets, for the fix lines. */
  secretEnv: Record<string, { jadaToken: string; sccServiceKey: string }>;
  /** Every secret value the configuration holds, so that none is ever printed. */
  secrets: string[];
}

/**
 * Reads the worker's environment (WorkerEnvSchema, TENANTS_FILE and the secrets it names), listing
 * every problem at once as the worker does. AWS credentials come from the environment given when it
 * holds them (a generated env file), else from the SDK's usual chain.
 */
export function doctorConfig(env: NodeJS.ProcessEnv): DoctorConfig {
  const parsed = parseEnv(WorkerEnvSchema, env);
  const raw = readTenantsFile(parsed.TENANTS_FILE);
  const tenants = loadTenants(raw, env, parsed.TENANTS_FILE);
  // Valid, since loading passed: what loading resolves away, the names of the secrets' variables.
  const file = TenantsFileSchema.parse(raw);
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = env;
  return {
    env: parsed,
    tenants,
    aws: {
      region: parsed.AWS_REGION,
      endpoint: parsed.AWS_ENDPOINT_URL,
      ...(AWS_ACCESS_KEY_ID && AWS_SECRET_ACCESS_KEY
        ? { credentials: { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY } }
        : {}),
    },
    secretEnv: Object.fromEntries(
      file.tenants.map((t) => [t.id, { jadaToken: t.jada.tokenEnv, sccServiceKey: t.scc.serviceKeyEnv }]),
    ),
    secrets: secretsOf(parsed, tenants, env),
  };
}

function secretsOf(env: WorkerEnv, tenants: readonly Tenant[], raw: NodeJS.ProcessEnv): string[] {
  const smtp = (() => {
    try {
      const url = new URL(env.SMTP_URL);
      return [url.password, decodeURIComponent(url.password)];
    } catch {
      return [];
    }
  })();
  return [
    ...tenants.flatMap((t) => [t.jada.token, t.scc.serviceKey, ...(t.feeds ?? []).map((f) => f.url)]),
    ...smtp,
    ...env.PAYLOAD_KEYS.map((key) => key.key.toString('base64')),
    raw.TEMPORAL_API_KEY,
    raw.AWS_SECRET_ACCESS_KEY,
    raw.AWS_SESSION_TOKEN,
    raw.SLUG_SECRET,
  ].filter((s): s is string => typeof s === 'string' && s.length > 0);
}
