import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ACTIVITY_PROFILES } from '../src/domain/time-budgets';
import { mail } from './activity-options';
import { ScheduledStartTimeKey } from './search-attributes';

export interface OpsDigestInput {
  tenant: string;
  /** Only for a schedule every N seconds (tests): the period is then N seconds, not the local day. */
  everySeconds?: number;
}

export interface OpsDigestResult {
  period: string;
  messageId: string;
  /** An earlier run (or attempt) of this period sent it: nothing was sent now. */
  alreadySent: boolean;
  today: number;
  tomorrow: number;
  needsAction: number;
}

export interface CrewRostersInput {
  tenant: string;
  /** A roster goes out this long before its charter starts (the tenant's `rosters.leadHours`). */
  leadMs: number;
  /** How often the schedule runs: each run also covers one period beyond the lead. */
  periodMs: number;
}

export interface CrewRostersResult {
  after: string;
  until: string;
  sent: { workflowId: string; messageId: string; alreadySent: boolean }[];
}

/** Read-only visibility work: retried for an hour, then the run fails and the next one reads again. */
const visibility = proxyActivities<Activities>({
  startToCloseTimeout: ACTIVITY_PROFILES.visibility.startToCloseMs,
  heartbeatTimeout: ACTIVITY_PROFILES.visibility.heartbeatMs,
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * The run's period: the time the schedule meant it for (the TemporalScheduledStartTime search
 * attribute the schedule sets on every run, triggered ones too), else, for a run started by hand, its
 * start. Never the clock at some later point: a retried or replayed run names the same period.
 */
function scheduledTime(): string {
  const info = workflowInfo();
  return (info.typedSearchAttributes.get(ScheduledStartTimeKey) ?? info.startTime).toISOString();
}

/**
 * The daily ops digest of one tenant, run by its schedule (`digest-{tenant}`, worker/schedules.ts).
 * The reading of Temporal and the planning happen in an activity; the email goes through the
 * sent-mail ledger under a Message-ID of the tenant and the period, so a retry, a worker killed
 * mid-send or a second run for the same period sends nothing twice.
 */
export async function opsDigest(input: OpsDigestInput): Promise<OpsDigestResult> {
  const { workflowId } = workflowInfo();
  const digest = await visibility.gatherOpsDigest.executeWithOptions({ summary: 'Read the bookings for the digest' }, [
    { tenant: input.tenant, at: scheduledTime(), ...(input.everySeconds ? { everySeconds: input.everySeconds } : {}) },
  ]);
  const sent = await mail.sendOpsDigest({ workflowId, digest });
  return {
    period: digest.period,
    messageId: sent.messageId,
    alreadySent: sent.alreadySent,
    today: digest.today.length,
    tomorrow: digest.tomorrow.length,
    needsAction: digest.needsAction.length,
  };
}

/**
 * The crew rosters due in this run's window (`roster-{tenant}`): one email per charter starting
 * within the lead plus one period of the scheduled time, each under a Message-ID of the booking and
 * its charter start, so overlapping windows and retried runs send each roster once.
 */
export async function crewRosters(input: CrewRostersInput): Promise<CrewRostersResult> {
  const { workflowId } = workflowInfo();
  const due = await visibility.findCrewRosters.executeWithOptions({ summary: 'Find the charters due a roster' }, [
    { tenant: input.tenant, at: scheduledTime(), leadMs: input.leadMs, periodMs: input.periodMs },
  ]);
  const sent: CrewRostersResult['sent'] = [];
  for (const roster of due.rosters) {
    const result = await mail.sendCrewRoster.executeWithOptions(
      { summary: `Roster: ${roster.source} ${roster.bookingId} at ${roster.start}` },
      [{ tenant: input.tenant, workflowId, roster }],
    );
    sent.push({ workflowId: roster.workflowId, ...result });
  }
  return { after: due.after, until: due.until, sent };
}
