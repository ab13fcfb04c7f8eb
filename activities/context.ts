import type { S3Client } from '@aws-sdk/client-s3';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { Booking } from '../src/domain/booking';
import type { Tenant, TenantDirectory } from '../src/config/tenant';
import type { MailTransport } from '../src/mail/transport';
import { configurationFailure } from './failures';

export interface ActivityDeps {
  tenants: TenantDirectory;
  s3: S3Client;
  cloudfront: CloudFrontClient;
  mail: MailTransport;
  /** Private bucket for the worker's own records (which ops emails were sent). */
  stateBucket: string;
  /** Link from the ops email to a workflow in the Temporal UI; `{workflowId}` is replaced. */
  temporalUiWorkflowUrl?: string;
  /** Per-request timeout towards JADA and SCC. */
  httpTimeoutMs?: number;
  now?: () => number;
}

/** Every activity's input names the booking, its tenant and its workflow (the idempotency key). */
export interface BookingRef {
  tenant: string;
  workflowId: string;
  booking: Booking;
}

/** What each activity file gets: the dependencies, a clock, and the tenant lookup. */
export interface ActivityContext extends ActivityDeps {
  now: () => number;
  tenant(id: string): Tenant;
}

export function activityContext(deps: ActivityDeps): ActivityContext {
  return {
    ...deps,
    now: deps.now ?? Date.now,
    tenant(id) {
      const tenant = deps.tenants.get(id);
      if (!tenant) throw configurationFailure(`Unknown tenant "${id}": add it to the tenants file of the worker`);
      return tenant;
    },
  };
}
