import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ACTIVITY_PROFILES } from '../src/domain/time-budgets';

/**
 * Timeout profiles (STYLE: group proxies by profile), from the time budgets in
 * src/domain/time-budgets.ts: each start-to-close outlasts the worst case of its calls, so an attempt
 * has ended before Temporal starts the next one; long attempts heartbeat. Retries are bounded by time
 * rather than count: an outage of JADA or SCC for an afternoon should delay a booking, not fail it,
 * while a wrong key fails at once (non-retryable).
 */
const RETRY_FOR_HOURS = {
  scheduleToCloseTimeout: '6 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
} as const;

export const externalApi = proxyActivities<Activities>({
  startToCloseTimeout: ACTIVITY_PROFILES.externalApi.startToCloseMs,
  ...RETRY_FOR_HOURS,
});

export const publishing = proxyActivities<Activities>({
  startToCloseTimeout: ACTIVITY_PROFILES.publishing.startToCloseMs,
  heartbeatTimeout: ACTIVITY_PROFILES.publishing.heartbeatMs,
  ...RETRY_FOR_HOURS,
});

export const mail = proxyActivities<Activities>({
  startToCloseTimeout: ACTIVITY_PROFILES.mail.startToCloseMs,
  heartbeatTimeout: ACTIVITY_PROFILES.mail.heartbeatMs,
  ...RETRY_FOR_HOURS,
});
