import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { CodecServerEnvSchema, ServiceEnvSchema, WorkerEnvSchema } from '../../src/config/env';
import { loadTenants, type TenantFileEntry } from '../../src/config/tenants-file';
import { defaultSites } from '../../src/publish/sites';
import { LOCAL_AWS, type GuestSiteResources } from './aws';
import { sampleFeed, sampleTenant, tenantFileEntry } from '../../sim/samples';
import { NAMESPACE } from './config';
import type { LocalKeys } from './keys';

/** The sample operator's zone (Pier 39): FareHarbor's deliveries carry only offsets. */
export const LOCAL_CHARTER_ZONE = 'America/Los_Angeles';

/** Secrets are named in the tenants file and handed to the processes by these variables. */
const SECRET_ENV = { jadaToken: 'JADA_DASHBOARD_TOKEN', sccServiceKey: 'JADA_SCC_SERVICE_KEY' } as const;

export interface TenantUrls {
  jada: string;
  sccApi: string;
  /** Origin of the edge server of each guest site. */
  edge: { nested: string; flat: string };
  /** The demo boat's Boatsetter calendar export, served by the feed stand-in. */
  feed: string;
}

/** The local tenant's one calendar feed: Boatsetter's export of the demo boat. */
export const LOCAL_FEED = { name: 'boatsetter', standInName: 'jada-sea-breeze' } as const;

/** The one local tenant, the sample operator, with the stand-ins' URLs and the stack's keys and buckets. */
export function localTenant(
  tenantId: string,
  keys: LocalKeys,
  urls: TenantUrls,
  aws: GuestSiteResources & { uploadsBucket: string },
): TenantFileEntry {
  const tenant = sampleTenant({
    id: tenantId,
    auth: {
      intakeKeyHash: keys.hashes.intakeKey,
      crewCallbackKeyHash: keys.hashes.crewCallbackKey,
      opsKeyHash: keys.hashes.opsKey,
    },
    jada: { baseUrl: urls.jada, token: keys.jadaDashboardToken },
    scc: { apiUrl: urls.sccApi, serviceKey: keys.sccServiceKey },
    sites: defaultSites({
      nested: { ...aws.nested, domain: urls.edge.nested },
      flat: { ...aws.flat, domain: urls.edge.flat },
    }),
    uploads: { bucket: aws.uploadsBucket, maxBytes: 15 * 1024 * 1024 },
    channels: {
      fareharbor: {
        secretHash: createHash('sha256').update(keys.fareHarborSecret).digest('hex'),
        timeZone: LOCAL_CHARTER_ZONE,
      },
    },
    feeds: [sampleFeed({ name: LOCAL_FEED.name, url: urls.feed, timeZone: LOCAL_CHARTER_ZONE })],
  });
  return tenantFileEntry(tenant, SECRET_ENV);
}

/** The local tenant's ops page; its key is `opsKey` in local-keys.json. */
export function opsPageUrl(serviceUrl: string, tenantId: string): string {
  return `${serviceUrl}/ops/${tenantId}/`;
}

/** The local tenant's FareHarbor webhook: its secret is in the path, as FareHarbor is given it. */
export function fareHarborWebhookUrl(serviceUrl: string, tenantId: string, keys: LocalKeys): string {
  return `${serviceUrl}/tenants/${tenantId}/channels/fareharbor/${keys.fareHarborSecret}`;
}

export interface StackEnvInputs {
  keys: LocalKeys;
  tenantsFile: string;
  temporalAddress: string;
  temporalUiUrl: string;
  codecPort: number;
  smtpUrl: string;
  motoUrl: string;
  serviceHost: string;
  servicePort: number;
  serviceUrl: string;
  stateBucket: string;
  taskQueue?: string;
}

export interface StackEnvs {
  worker: Record<string, string>;
  service: Record<string, string>;
  codec: Record<string, string>;
}

/** What the worker and the service are given: exactly their env contracts, plus (worker only) the tenant's secrets. */
export function stackEnvs(i: StackEnvInputs): StackEnvs {
  const temporal = {
    TEMPORAL_ADDRESS: i.temporalAddress,
    TEMPORAL_NAMESPACE: NAMESPACE,
    ...(i.taskQueue ? { TEMPORAL_TASK_QUEUE: i.taskQueue } : {}),
    TEMPORAL_UI_URL: i.temporalUiUrl,
    TENANTS_FILE: i.tenantsFile,
    PAYLOAD_KEYS: i.keys.payloadKeys,
  };
  // Only the worker calls JADA and SCC; the service loads the tenants file without their secrets.
  const secrets = {
    [SECRET_ENV.jadaToken]: i.keys.jadaDashboardToken,
    [SECRET_ENV.sccServiceKey]: i.keys.sccServiceKey,
  };
  return {
    worker: {
      ...temporal,
      SMTP_URL: i.smtpUrl,
      AWS_REGION: LOCAL_AWS.region,
      AWS_ENDPOINT_URL: i.motoUrl,
      AWS_ACCESS_KEY_ID: LOCAL_AWS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS.secretAccessKey,
      STATE_BUCKET: i.stateBucket,
      // Ctrl-C should not wait the production default of 30 s for a stand-in call.
      SHUTDOWN_GRACE_SECONDS: '10',
      // The SDK's INFO lines (bundle sizes, state changes) would drown the stack's own output.
      LOG_LEVEL: 'warn',
      // Held bookings from the calendar feed start in the worker, through the same intake.
      SLUG_SECRET: i.keys.slugSecret,
      PUBLIC_BASE_URL: i.serviceUrl,
      ...secrets,
    },
    service: {
      ...temporal,
      SERVICE_HOST: i.serviceHost,
      SERVICE_PORT: String(i.servicePort),
      PUBLIC_BASE_URL: i.serviceUrl,
      SLUG_SECRET: i.keys.slugSecret,
      OPS_SESSION_SECRET: i.keys.opsSessionSecret,
    },
    // No token: the dev server's UI has no login to pass one. Loopback and the UI's origin only.
    codec: {
      PAYLOAD_KEYS: i.keys.payloadKeys,
      CODEC_HOST: '127.0.0.1',
      CODEC_PORT: String(i.codecPort),
      CODEC_CORS_ORIGIN: i.temporalUiUrl,
    },
  };
}

/**
 * The environment a child starts from: this shell's, minus anything either contract reads and any
 * AWS setting, so a TEMPORAL_API_KEY or AWS_PROFILE meant for a real cluster cannot leak into the
 * local stack. OTEL_* pass: where this machine's spans go is this shell's to say (a local Jaeger).
 */
export function baseChildEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const contract = new Set([
    ...Object.keys(WorkerEnvSchema.shape),
    ...Object.keys(ServiceEnvSchema.shape),
    ...Object.keys(CodecServerEnvSchema.shape),
  ]);
  const base: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith('OTEL_') || (!contract.has(name) && !name.startsWith('AWS_'))) base[name] = value;
  }
  return base;
}

/** Checks the generated file with the same loader the worker and service use, then writes it. */
export function writeTenantsFile(path: string, tenant: TenantFileEntry, env: Record<string, string>): void {
  const file = { tenants: [tenant] };
  loadTenants(file, env, 'the generated tenants file');
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
}

/** KEY=value lines that `node --env-file` and most dotenv readers accept. */
export function writeEnvFile(path: string, header: string, env: Record<string, string>): void {
  const lines = Object.entries(env).map(([name, value]) => `${name}=${envFileValue(name, value)}`);
  writeFileSync(path, `# ${header}\n${lines.join('\n')}\n`, { mode: 0o600 });
}

/** Quoted only when needed, and never with escapes: Node's --env-file reader does not undo them. */
function envFileValue(name: string, value: string): string {
  if (/^[\w@%+=:,./-]*$/.test(value)) return value;
  if (!/[\n']/.test(value)) return `'${value}'`;
  if (!/[\n"]/.test(value)) return `"${value}"`;
  throw new Error(`${name} cannot be written to an env file: it holds both kinds of quote or a line break`);
}
