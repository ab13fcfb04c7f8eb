import type { Client } from '@temporalio/client';
import type { TenantDirectory } from '../../config/tenant';
import type { ServiceMetrics } from '../../telemetry/service-metrics';
import type { KeyVerifier } from '../auth';
import type { IntakeSettings } from '../start-booking';

/** What route handlers share, resolved once by buildApp. */
export interface RouteContext {
  client: Client;
  tenants: TenantDirectory;
  settings: IntakeSettings;
  keys: KeyVerifier;
  /** Base of `statusUrl` in intake answers; without it, the URL the caller used. */
  publicBaseUrl?: string;
  readiness: () => Promise<boolean>;
  metrics: ServiceMetrics;
}
