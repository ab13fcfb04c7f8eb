import type { S3Client } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { Booking } from '../src/domain/booking';
import type { CalendarFeed, Tenant, TenantDirectory } from '../src/config/tenant';
import type { MailTransport } from '../src/mail/transport';
import { JadaClient } from '../src/clients/jada';
import { SccClient } from '../src/clients/scc';
import { Context } from '@temporalio/activity';
import { HEARTBEAT_EVERY_MS, type CallOptions } from '../src/domain/time-budgets';
import { configurationFailure } from './failures';
import type { FeedSyncDeps } from './feed-sync';

export interface ActivityDeps {
  tenants: TenantDirectory;
  s3: S3Client;
  cloudfront: CloudFrontClient;
  mail: MailTransport;
  /** Private bucket for the worker's own records (which ops emails were sent). */
  stateBucket: string;
  /** Link from the ops email to a workflow in the Temporal UI; `{workflowId}` is replaced. */
  temporalUiWorkflowUrl?: string;
  /** The service's ops page for a tenant, `{tenant}` replaced (held-booking emails link to it). */
  opsPageUrl?: string;
  /** Temporal, for the digest's and the rosters' visibility lists and status queries. */
  client?: Client;
  /** Intake for bookings from calendar feeds (a Temporal client and the intake settings); none without SLUG_SECRET. */
  feedSync?: FeedSyncDeps;
  /** Per-request timeout towards JADA and SCC. */
  httpTimeoutMs?: number;
  /** How long a claim in the sent-mail ledger holds off other attempts (MAIL_CLAIM_LEASE_MS). */
  mailClaimLeaseMs?: number;
  now?: () => number;
}

/** Every activity's input names the booking, its tenant and its workflow (the idempotency key). */
export interface BookingRef {
  tenant: string;
  workflowId: string;
  booking: Booking;
}

/**
 * A create's input. `noEarlierCreate` is the workflow's word that no earlier activity of this booking
 * can have made the record: its first run (not continued as new, not reset) starting this create for
 * the first time. Absent, as in histories of earlier code, it may exist.
 */
export interface CreateRef extends BookingRef {
  noEarlierCreate?: boolean;
}

/**
 * Whether the record may already exist, so a create must look for it first: unless the workflow says no
 * earlier activity made it and this is the activity's first attempt (a retry's predecessor may have).
 */
export function mayAlreadyExist(ref: CreateRef): boolean {
  return !(ref.noEarlierCreate === true && Context.current().info.attempt === 1);
}

/** What each activity file gets: the dependencies, a clock, the tenant and feed lookups and the tenant's clients. */
export interface ActivityContext extends ActivityDeps {
  now: () => number;
  tenant(id: string): Tenant;
  feed(tenantId: string, name: string): CalendarFeed;
  jada(tenantId: string): JadaClient;
  scc(tenantId: string): SccClient;
}

export function activityContext(deps: ActivityDeps): ActivityContext {
  const tenant = (id: string): Tenant => {
    const found = deps.tenants.get(id);
    if (!found) throw configurationFailure(`Unknown tenant "${id}": add it to the tenants file of the worker`);
    return found;
  };
  return {
    ...deps,
    now: deps.now ?? Date.now,
    tenant,
    feed: (tenantId, name) => {
      const found = tenant(tenantId).feeds?.find((f) => f.name === name);
      if (!found) throw configurationFailure(`Tenant ${tenantId} has no feed "${name}" in the worker's tenants file`);
      return found;
    },
    jada: (tenantId) => {
      const { jada } = tenant(tenantId);
      return new JadaClient({ baseUrl: jada.baseUrl, token: jada.token, timeoutMs: deps.httpTimeoutMs });
    },
    scc: (tenantId) => {
      const { scc } = tenant(tenantId);
      return new SccClient({ apiUrl: scc.apiUrl, serviceKey: scc.serviceKey, timeoutMs: deps.httpTimeoutMs });
    },
  };
}

/**
 * One activity attempt: it gets Temporal's cancellation signal to pass to every call (so an attempt
 * Temporal has timed out or cancelled, or a worker shutting down past its grace, stops calling), and
 * heartbeats every HEARTBEAT_EVERY_MS while it runs, so a worker that died mid-attempt is noticed
 * within the profile's heartbeat timeout instead of its start-to-close.
 *
 * Not at its start: Temporal counts the heartbeat timeout from the attempt's start until its first
 * heartbeat, so a beat at once tells it nothing, and costs a RecordActivityTaskHeartbeat (a write to
 * the workflow's state) on every attempt. An attempt that ends sooner, as nearly all do, sends none.
 */
export async function inAttempt<T>(run: (call: CallOptions) => Promise<T>): Promise<T> {
  const context = Context.current();
  const beat = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
  const { cancellationSignal: signal } = context;
  try {
    return await run({ signal });
  } catch (err) {
    // Cancelled (timed out, the workflow cancelled, the worker shutting down): say so, whatever the
    // aborted call threw, so Temporal records a cancellation rather than a failure to retry.
    throw signal.aborted ? (signal.reason ?? err) : err;
  } finally {
    clearInterval(beat);
  }
}
