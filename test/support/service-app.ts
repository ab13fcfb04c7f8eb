import { createHash } from 'node:crypto';
import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { compare, hash } from 'bcrypt';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { tenantDirectory, type Tenant } from '../../src/config/tenant';
import { sampleTenant } from '../../sim/samples';
import type { Booking } from '../../src/domain/booking';
import { diffBookings } from '../../src/domain/booking-changes';
import type { CrewResponse } from '../../src/domain/crew';
import { buildApp, type ServiceDeps } from '../../src/service/app';
import type { IntakeSettings } from '../../src/service/start-booking';
import type { BookingStatus } from '../../workflows/types';

export const ACME_INTAKE_KEY = 'acme-intake-key-3f9e1b77c2';
export const ACME_CREW_KEY = 'acme-crew-callback-key-8d02aa41';
export const BLUE_INTAKE_KEY = 'bluewater-intake-key-51c6e0d9';
export const BLUE_CREW_KEY = 'bluewater-crew-callback-key-0b7f2c3e';
/** acme's FareHarbor webhook secret; bluewater has no FareHarbor channel. */
export const ACME_FAREHARBOR_SECRET = 'acme-fh-7Qm2xV9pLw4sRt8nK3bZ';

export const SETTINGS: IntakeSettings = {
  taskQueue: 'unit-test-queue',
  slugSecret: 'unit-test-slug-secret',
  crewConfirmation: { timeoutMs: 60_000, leadBeforeStartMs: 0 },
};

function tenant(id: string, intakeKeyHash: string, crewCallbackKeyHash: string): Tenant {
  return sampleTenant({
    id,
    name: `${id} charters`,
    auth: { intakeKeyHash, crewCallbackKeyHash },
    defaultCrew: [{ id: 'crew-default', role: 'Captain' }],
  });
}

let tenants: Promise<Tenant[]> | undefined;

/** Two tenants, so every test can try one's key on the other's paths. Cost 4: bcrypt, but quick. */
export function testTenants(): Promise<Tenant[]> {
  tenants ??= (async () => [
    {
      ...tenant('acme', await hash(ACME_INTAKE_KEY, 4), await hash(ACME_CREW_KEY, 4)),
      channels: {
        fareharbor: { secretHash: createHash('sha256').update(ACME_FAREHARBOR_SECRET).digest('hex') },
      },
    },
    tenant('bluewater', await hash(BLUE_INTAKE_KEY, 4), await hash(BLUE_CREW_KEY, 4)),
  ])();
  return tenants;
}

interface FakeWorkflow {
  tenant: string;
  /** The BookingId search attribute, as intake sets it. */
  bookingId?: string;
  status: 'RUNNING' | 'COMPLETED' | 'FAILED';
  signals: CrewResponse[];
  bookingStatus?: BookingStatus;
  /** The details it started with, for the change path (absent: any re-delivery is unchanged). */
  booking?: Booking;
  type?: string;
}

/**
 * A stand-in for the few @temporalio/client calls the service makes, for the unit tests of HTTP
 * handling only (status codes, bodies, auth, logs). It is not a Temporal: what the service does
 * with a real server (one workflow per booking under concurrency, signals, 409 after completion)
 * is tested in test/integration/service against the dev server. Errors are the SDK's own classes.
 */
export class FakeTemporal {
  readonly workflows = new Map<string, FakeWorkflow>();
  readonly startedIds: string[] = [];
  /** When set, every call fails with it (Temporal down, or a bug). */
  failure: Error | undefined;
  systemInfoCalls = 0;

  readonly client = {
    workflow: {
      start: async (_type: string, options: { workflowId: string; args: [{ tenant: string; booking: Booking }] }) => {
        this.check();
        if (this.workflows.has(options.workflowId)) {
          throw new WorkflowExecutionAlreadyStartedError(
            'Workflow execution already started',
            options.workflowId,
            'bookingFulfillment',
          );
        }
        const [{ tenant, booking }] = options.args;
        this.workflows.set(options.workflowId, {
          tenant,
          bookingId: booking.bookingId,
          status: 'RUNNING',
          signals: [],
          booking,
        });
        this.startedIds.push(options.workflowId);
        return { workflowId: options.workflowId };
      },
      getHandle: (workflowId: string) => ({
        workflowId,
        describe: async () => {
          const wf = this.find(workflowId);
          return {
            type: wf.type ?? 'bookingLifecycle',
            status: { name: wf.status },
            typedSearchAttributes: {
              get: (key: { name: string }) => ({ Tenant: wf.tenant, BookingId: wf.bookingId })[key.name],
            },
          };
        },
        signal: async (_signal: unknown, response: CrewResponse) => {
          const wf = this.find(workflowId);
          if (wf.status !== 'RUNNING')
            throw new WorkflowNotFoundError('workflow execution already completed', workflowId, undefined);
          wf.signals.push(response);
        },
        /** changeBooking only: unchanged details are refused as the workflow's validator refuses them. */
        executeUpdate: async (_update: unknown, { args: [request] }: { args: [{ booking?: Booking }] }) => {
          const wf = this.find(workflowId);
          const changed = wf.booking && request.booking ? diffBookings(wf.booking, request.booking) : [];
          if (changed.length === 0) {
            throw new WorkflowUpdateFailedError(
              'Update failed',
              ApplicationFailure.create({ type: 'BookingUnchanged', message: 'Nothing changed' }),
            );
          }
          if (request.booking) wf.booking = request.booking;
          return { changed: changed.map((c) => c.path), revision: 2 };
        },
        query: async () => {
          const wf = this.find(workflowId);
          return wf.bookingStatus ?? statusOf(workflowId, wf);
        },
      }),
    },
    connection: { withDeadline: <R>(_deadline: number, fn: () => Promise<R>) => fn() },
    workflowService: {
      getSystemInfo: async () => {
        this.systemInfoCalls += 1;
        this.check();
        return {};
      },
    },
  } as unknown as Client;

  private check(): void {
    if (this.failure) throw this.failure;
  }

  private find(workflowId: string): FakeWorkflow {
    this.check();
    const wf = this.workflows.get(workflowId);
    if (!wf) throw new WorkflowNotFoundError('workflow not found', workflowId, undefined);
    return wf;
  }
}

function statusOf(workflowId: string, wf: FakeWorkflow): BookingStatus {
  return {
    workflowId,
    tenant: wf.tenant,
    bookingId: workflowId.split('-').slice(3).join('-'),
    source: 'boatsetter',
    stage: 'AWAITING_CREW',
    crew: [],
    pages: [],
    pageVersion: 0,
    timestamps: {},
  };
}

/**
 * How Temporal's client fails when the frontend is down (gRPC UNAVAILABLE, the default) or a call
 * outlives its deadline (CANCELLED, as a status query with no worker does): a ServiceError with the
 * gRPC error as its cause.
 */
export function temporalDownError(code: 1 | 14 = 14): Error {
  const details =
    code === 14 ? 'No connection established. Last error: connect ECONNREFUSED 10.0.0.7:7233' : 'Call cancelled';
  const grpc = Object.assign(new Error(`${code} ${code === 14 ? 'UNAVAILABLE' : 'CANCELLED'}: ${details}`), {
    code,
    details,
    metadata: {},
  });
  return new Error('Failed to call Temporal', { cause: grpc });
}

export interface TestResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read arbitrary answer shapes
  json(): any;
}

export interface TestRequest {
  method?: string;
  url: string;
  headers?: OutgoingHttpHeaders;
  payload?: string;
}

export interface TestApp {
  app: FastifyInstance;
  /** One request over real HTTP to the app on a loopback port. */
  send(req: TestRequest): Promise<TestResponse>;
  temporal: FakeTemporal;
  /** How many times bcrypt's compare ran. */
  bcryptCalls(): number;
  /** Lines the service logged, when built with `captureLogs`. */
  logs: string[];
}

export async function buildTestApp(
  options: Partial<Pick<ServiceDeps, 'readiness' | 'publicBaseUrl' | 'auth' | 'tracer' | 'metrics'>> & {
    captureLogs?: boolean;
  } = {},
): Promise<TestApp> {
  const temporal = new FakeTemporal();
  let calls = 0;
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const app = buildApp({
    client: temporal.client,
    tenants: tenantDirectory(await testTenants()),
    settings: SETTINGS,
    publicBaseUrl: options.publicBaseUrl,
    readiness: options.readiness,
    tracer: options.tracer,
    metrics: options.metrics,
    logger: options.captureLogs ? { level: 'trace', stream } : false,
    auth: {
      ...options.auth,
      compare: async (key, hashed) => {
        calls += 1;
        return compare(key, hashed);
      },
    },
  });
  // Real HTTP rather than app.inject: light-my-request loads `cookie` 2, which is ESM only, and
  // Jest 29's CommonJS runtime cannot require it. Still so on Node 24: its require(esm) does not reach
  // Jest's own module registry.
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, send: (req) => send(port, req), temporal, bcryptCalls: () => calls, logs };
}

function send(port: number, req: TestRequest): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const headers: OutgoingHttpHeaders = { ...req.headers };
    if (req.payload !== undefined) headers['content-length'] = Buffer.byteLength(req.payload);
    // A connection per request: no keep-alive state carries over between assertions.
    const outgoing = request(
      { host: '127.0.0.1', port, method: req.method ?? 'GET', path: req.url, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
        });
        res.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(req.payload);
  });
}

/** JSON POST with a key (none when undefined); strings are sent as they are, anything else as JSON. */
export function postJson(t: TestApp, url: string, key: string | undefined, payload: unknown): Promise<TestResponse> {
  return t.send({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'x-service-key': key }) },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
}
