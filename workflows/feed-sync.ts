import { ApplicationFailure, ActivityFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { nextSnapshot, planFeedSync, type FeedDelivery } from '../src/domain/feed-sync';
import { ACTIVITY_PROFILES } from '../src/domain/time-budgets';
import { externalApi, mail } from './activity-options';

export interface FeedSyncInput {
  tenant: string;
  /** The feed's name in the tenant's `feeds`. */
  feed: string;
  /** How the fetch is retried within this run before the run fails (the schedule runs again later). */
  fetchRetry?: { maximumAttempts: number; initialIntervalMs: number };
}

export interface FeedSyncResult {
  outcome: 'not-modified' | 'synced';
  /** Events the feed shows whose charter has not ended. */
  events: number;
  added: number;
  moved: number;
  vanished: number;
  /** VEVENTs that are not bookings (cancelled, recurring, without times). */
  skipped: number;
  deliveries: FeedDelivery[];
}

/** Retried for about a minute by default: a feed down for longer fails this run, and the next one tries again. */
const DEFAULT_FETCH_RETRY = { maximumAttempts: 4, initialIntervalMs: 10_000 };

/** Deliveries go through intake, in small batches: the Temporal frontend takes them in parallel. */
const DELIVERIES_AT_ONCE = 4;

/**
 * One sync of a marketplace calendar feed, run by the feed's Temporal Schedule (worker/schedules.ts).
 * It compares the feed with what the last good sync saw (a snapshot in the state bucket) and brings
 * bookings along: new events become held bookings, moved ones change, vanished ones are reported to
 * ops and never cancelled. A feed that cannot be read fails the run (visible in the Temporal UI),
 * tells ops once per outage, and changes no booking; the snapshot is written last, so a run that
 * failed half-way is simply done again by the next one (every delivery is idempotent).
 */
export async function feedSync(input: FeedSyncInput): Promise<FeedSyncResult> {
  const ref = { tenant: input.tenant, feed: input.feed };
  const { workflowId } = workflowInfo();
  const retry = input.fetchRetry ?? DEFAULT_FETCH_RETRY;
  const feeds = proxyActivities<Activities>({
    startToCloseTimeout: ACTIVITY_PROFILES.feedFetch.startToCloseMs,
    heartbeatTimeout: ACTIVITY_PROFILES.feedFetch.heartbeatMs,
    retry: { maximumAttempts: retry.maximumAttempts, initialInterval: retry.initialIntervalMs, backoffCoefficient: 2 },
  });

  const previous = await externalApi.readFeedSnapshot(ref);
  let fetched;
  try {
    fetched = await feeds.fetchCalendarFeed.executeWithOptions({ summary: `Fetch the ${input.feed} feed` }, [
      { ...ref, etag: previous?.etag, lastModified: previous?.lastModified },
    ]);
  } catch (err) {
    const reason = describeFailure(err);
    await mail.sendFeedOutage({ ...ref, workflowId, reason, lastGoodSync: previous?.syncedAt });
    throw ApplicationFailure.nonRetryable(
      `Calendar feed ${input.feed} of ${input.tenant} could not be synced (no booking changed): ${reason}`,
      'FeedSyncFailed',
    );
  }

  if (fetched.notModified) {
    const events = previous?.events ?? [];
    if (previous) await externalApi.writeFeedSnapshot({ ...ref, snapshot: nextSnapshot(events, previous, Date.now()) });
    return {
      outcome: 'not-modified',
      events: events.length,
      added: 0,
      moved: 0,
      vanished: 0,
      skipped: 0,
      deliveries: [],
    };
  }

  const plan = planFeedSync(previous?.events ?? [], fetched.events, Date.now());
  const deliveries: FeedDelivery[] = [];
  const due = [...plan.added, ...plan.moved.map(({ before: _before, ...event }) => event)];
  for (let i = 0; i < due.length; i += DELIVERIES_AT_ONCE) {
    const batch = due.slice(i, i + DELIVERIES_AT_ONCE);
    deliveries.push(
      ...(await Promise.all(
        batch.map((event) =>
          externalApi.deliverFeedEvent.executeWithOptions(
            { summary: `${plan.added.includes(event) ? 'New' : 'Moved'}: ${event.start} to ${event.end}` },
            [{ ...ref, event }],
          ),
        ),
      )),
    );
  }
  if (plan.vanished.length > 0) {
    await mail.sendFeedEventsMissing({ ...ref, workflowId, events: plan.vanished });
  }
  const snapshot = nextSnapshot(fetched.events, fetched, Date.now());
  await externalApi.writeFeedSnapshot({ ...ref, snapshot });
  return {
    outcome: 'synced',
    events: snapshot.events.length,
    added: plan.added.length,
    moved: plan.moved.length,
    vanished: plan.vanished.length,
    skipped: fetched.skipped,
    deliveries,
  };
}

function describeFailure(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}
