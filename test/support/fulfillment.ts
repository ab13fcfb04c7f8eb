import type { AddressInfo } from 'node:net';
import bcrypt from 'bcrypt';
import type { FastifyInstance } from 'fastify';
import { buildApp, type ServiceDeps } from '../../src/service/app';
import type { S3Client } from '@aws-sdk/client-s3';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../../activities';
import type { Tenant } from '../../src/config/tenant';
import { defaultSites } from '../../src/publish/sites';
import { sampleTenant } from '../../sim/samples';
import { tenantDirectory } from '../../src/config/tenant';
import type { Booking } from '../../src/domain/booking';
import { DEFAULT_UPLOAD_WINDOW, type UploadWindowPolicy } from '../../src/domain/time';
import { createMailTransport } from '../../src/mail/transport';
import { startJadaSim, type JadaSim, type JadaSimOptions } from '../../sim/jada';
import { startSccSim, type SccSim, type SccSimOptions } from '../../sim/scc';
import { startBookingFulfillment, type IntakeSettings } from '../../src/service/start-booking';
import type { bookingLifecycle } from '../../workflows/booking-lifecycle';
import type { ReminderPolicy } from '../../src/domain/lifecycle';
import { createBucket, createDistribution, motoClients, uniqueName } from './aws';
import { startFaultyProxy, type FaultyProxy } from '../../sim/faulty-proxy';
import { startSmtpServer, type TestSmtpServer } from './smtp';
import { connectTemporal, testServers, uniqueTaskQueue, type TemporalForTest } from './temporal';
import type { Tracing } from '../../src/telemetry/tracing';
import { workerTracingOptions } from '../../src/telemetry/temporal-tracing';

export const JADA_TOKEN = 'jada-test-token-7f3a9c';
export const SCC_SERVICE_KEY = 'scc-test-service-key-5b21e8';
export const SLUG_SECRET = 'slug-test-secret';
export const INTAKE_KEY = 'intake-test-key-91c2';
export const CREW_CALLBACK_KEY = 'crew-callback-test-key-40d7';

export interface HarnessOptions {
  /** Overrides of the tenant's secrets and URLs, for the wrong-key tests. */
  tenant?: (tenant: Tenant, env: { jada: JadaSim; scc: SccSim }) => Tenant;
  crewTimeoutMs?: number;
  /** The crew wait ends at the latest this long before the charter (default 0: no cap). */
  crewLeadMs?: number;
  uploadWindow?: UploadWindowPolicy;
  /** When silent crew are reminded (default: the workflow's, which seconds-long deadlines never reach). */
  crewReminders?: ReminderPolicy;
  /** Another Temporal than the run's dev server (a time-skipping one); the caller closes it. */
  temporal?: TemporalForTest;
  /** The activities' clock (default Date.now). */
  now?: () => number;
  /** Per request to JADA and SCC (HTTP_TIMEOUT_MS). */
  httpTimeoutMs?: number;
  mailTimeoutMs?: number;
  mailClaimLeaseMs?: number;
  /** false: JADA and SCC answer their PATCH/DELETE/reminder endpoints with 404, as a deployment without them. */
  lifecycleEndpoints?: boolean;
  /** The worker's tracing (its workflow spans' sink, its activity interceptors); default off. */
  tracing?: Tracing;
}

export interface FulfillmentHarness {
  temporal: TemporalForTest;
  worker: Worker;
  taskQueue: string;
  tenant: Tenant;
  jada: JadaSim;
  scc: SccSim;
  smtp: TestSmtpServer;
  /** Between the worker and moto: inject S3/CloudFront failures here. */
  aws: FaultyProxy;
  s3: S3Client;
  cloudfront: CloudFrontClient;
  stateBucket: string;
  activities: ReturnType<typeof createActivities>;
  settings: IntakeSettings;
  start(booking: Booking): Promise<WorkflowHandle<typeof bookingLifecycle>>;
  stop(): Promise<void>;
}

export interface TenantWorld {
  tenant: Tenant;
  jada: JadaSim;
  scc: SccSim;
  smtp: TestSmtpServer;
  /** Clients straight to moto, for set-up and assertions. */
  s3: S3Client;
  cloudfront: CloudFrontClient;
  stateBucket: string;
  stop(): Promise<void>;
}

/**
 * Everything a booking touches outside Temporal, all real and local: the JADA and SCC stand-ins over
 * HTTP, an SMTP server, and two S3 buckets behind two CloudFront distributions in moto, with a
 * tenant configured for them.
 */
export async function startTenantWorld(
  options: { tenantId?: string; jada?: Partial<JadaSimOptions>; scc?: Partial<SccSimOptions> } = {},
): Promise<TenantWorld> {
  const { motoUrl } = testServers();
  const { s3, cloudfront } = motoClients(motoUrl);
  const [jada, scc, smtp] = await Promise.all([
    startJadaSim({ token: JADA_TOKEN, ...options.jada }),
    startSccSim({ serviceKeyHash: await bcrypt.hash(SCC_SERVICE_KEY, 4), ...options.scc }),
    startSmtpServer(),
  ]);
  const [nestedBucket, flatBucket, uploadsBucket, stateBucket] = (await Promise.all(
    ['guests-nested', 'guests-flat', 'uploads', 'state'].map((p) => createBucket(s3, uniqueName(p))),
  )) as [string, string, string, string];
  const [nestedDist, flatDist] = await Promise.all([
    createDistribution(cloudfront, nestedBucket),
    createDistribution(cloudfront, flatBucket),
  ]);
  const baseTenant = sampleTenant({
    id: options.tenantId ?? uniqueTenantId(),
    auth: {
      intakeKeyHash: await bcrypt.hash(INTAKE_KEY, 4),
      crewCallbackKeyHash: await bcrypt.hash(CREW_CALLBACK_KEY, 4),
    },
    jada: { baseUrl: jada.url, token: JADA_TOKEN },
    scc: { apiUrl: scc.apiUrl, serviceKey: SCC_SERVICE_KEY },
    sites: defaultSites({
      nested: { bucket: nestedBucket, distributionId: nestedDist.id, domain: nestedDist.domainName },
      flat: { bucket: flatBucket, distributionId: flatDist.id, domain: flatDist.domainName },
    }),
    uploads: { bucket: uploadsBucket, maxBytes: 15 * 1024 * 1024 },
    defaultCrew: [{ id: 'crew-default-captain', role: 'Captain' }],
  });
  return {
    tenant: baseTenant,
    jada,
    scc,
    smtp,
    s3,
    cloudfront,
    stateBucket,
    async stop() {
      s3.destroy();
      cloudfront.destroy();
      await Promise.all([jada.stop(), scc.stop(), smtp.stop()]);
    },
  };
}

/**
 * A tenant world plus a worker on its own task queue against the run's Temporal dev server (or
 * `options.temporal`), in this process. The worker's S3/CloudFront calls go through a proxy that can
 * inject failures, with the worker's own client settings (the SDK's retries on, its timeouts), so a
 * test sees what production does with a 5xx or a lost answer.
 */
export async function startFulfillmentHarness(options: HarnessOptions = {}): Promise<FulfillmentHarness> {
  const lifecycle = { lifecycleEndpoints: options.lifecycleEndpoints ?? true };
  const world = await startTenantWorld({ jada: lifecycle, scc: lifecycle });
  const { jada, scc, smtp, s3, cloudfront, stateBucket } = world;
  const aws = await startFaultyProxy(testServers().motoUrl);
  const workerAws = motoClients(aws.url);
  const baseTenant = world.tenant;
  const tenant = options.tenant ? options.tenant(baseTenant, { jada, scc }) : baseTenant;
  const mail = createMailTransport(smtp.url, { timeoutMs: options.mailTimeoutMs ?? 1500 });
  const temporal = options.temporal ?? (await connectTemporal());
  const taskQueue = uniqueTaskQueue('fulfillment');
  const settings: IntakeSettings = {
    taskQueue,
    slugSecret: SLUG_SECRET,
    crewConfirmation: { timeoutMs: options.crewTimeoutMs ?? 60_000, leadBeforeStartMs: options.crewLeadMs ?? 0 },
    uploadWindow: options.uploadWindow ?? DEFAULT_UPLOAD_WINDOW,
    ...(options.crewReminders ? { crewReminders: options.crewReminders } : {}),
  };
  const activities = createActivities({
    tenants: tenantDirectory([tenant]),
    s3: workerAws.s3,
    cloudfront: workerAws.cloudfront,
    mail,
    stateBucket,
    httpTimeoutMs: options.httpTimeoutMs ?? 1000,
    // A send that hung leaves its claim until the lease ends; seconds, so the retry comes within a test.
    mailClaimLeaseMs: options.mailClaimLeaseMs ?? 3000,
    temporalUiWorkflowUrl: 'http://127.0.0.1:8233/namespaces/default/workflows/{workflowId}',
    opsPageUrl: 'http://127.0.0.1:3000/ops/{tenant}/',
    // Bookings from calendar feeds start through intake with this harness's settings.
    feedSync: { client: temporal.client, intake: settings },
    // The digest and rosters read visibility and the bookings' status queries.
    client: temporal.client,
    now: options.now,
  });
  const worker = await temporal.createWorker({ taskQueue, activities, ...workerTracingOptions(options.tracing) });
  const running = worker.run();
  return {
    temporal,
    worker,
    taskQueue,
    tenant,
    jada,
    scc,
    smtp,
    aws,
    s3,
    cloudfront,
    stateBucket,
    activities,
    settings,
    async start(booking) {
      const { workflowId } = await startBookingFulfillment(temporal.client, tenant, booking, settings);
      return temporal.client.workflow.getHandle<typeof bookingLifecycle>(workflowId);
    },
    async stop() {
      worker.shutdown();
      await running;
      mail.close();
      workerAws.s3.destroy();
      workerAws.cloudfront.destroy();
      await Promise.all([world.stop(), aws.stop(), options.temporal ? undefined : temporal.close()]);
    },
  };
}

/** Tenant ids are lower-case letters and digits, so that workflow IDs cannot collide across tenants. */
export function uniqueTenantId(): string {
  return `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/** The HTTP service over real HTTP on a loopback port, against the harness's Temporal and tenant. */
export async function listenOnHarness(
  h: FulfillmentHarness,
  deps: Partial<Pick<ServiceDeps, 'client' | 'tracer' | 'metrics'>> = {},
): Promise<{ app: FastifyInstance; base: string }> {
  const app = buildApp({
    client: h.temporal.client,
    tenants: tenantDirectory([h.tenant]),
    settings: h.settings,
    logger: false,
    ...deps,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}
