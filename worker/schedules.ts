import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
} from '@temporalio/client';
import type { TenantDirectory } from '../src/config/tenant';
import type { FeedSyncInput, feedSync } from '../workflows/feed-sync';

/** Memo on every schedule made from the tenants file: what marks one as ours to update or remove. */
const MANAGED_BY = 'charter-fulfillment tenants file';

export interface FeedScheduleOptions {
  taskQueue: string;
  /** For feeds that do not say (FEED_SYNC_EVERY_MINUTES). */
  everyMinutes: number;
  /** Tests shorten the fetch's retries; production keeps the workflow's default. */
  fetchRetry?: FeedSyncInput['fetchRetry'];
}

export interface ScheduleChanges {
  created: string[];
  updated: string[];
  removed: string[];
}

/** `feed-{tenant}-{feed}`: tenant ids and feed names have no dashes, so each ID is one feed. */
export function feedScheduleId(tenant: string, feed: string): string {
  return `feed-${tenant}-${feed}`;
}

/**
 * Makes the feed schedules what the tenants file says, idempotently: one per feed, syncing every N
 * minutes (a run that overlaps the previous one is skipped; after downtime only the latest missed run
 * happens), created or updated in place, and schedules of feeds no longer in the file removed. Safe to
 * run from every worker at start and from `npm run schedules` at once: a create that loses a race
 * updates instead. Only schedules made for this task queue are ever removed: another deployment
 * sharing the namespace keeps its own.
 */
export async function ensureFeedSchedules(
  client: Client,
  tenants: TenantDirectory,
  options: FeedScheduleOptions,
): Promise<ScheduleChanges> {
  const changes: ScheduleChanges = { created: [], updated: [], removed: [] };
  const wanted = new Map<string, ScheduleOptions>();
  for (const tenantId of tenants.ids()) {
    for (const feed of tenants.get(tenantId)?.feeds ?? []) {
      const scheduleId = feedScheduleId(tenantId, feed.name);
      const input: FeedSyncInput = {
        tenant: tenantId,
        feed: feed.name,
        ...(options.fetchRetry ? { fetchRetry: options.fetchRetry } : {}),
      };
      wanted.set(scheduleId, {
        scheduleId,
        spec: { intervals: [{ every: `${feed.everyMinutes ?? options.everyMinutes} minutes` }] },
        action: {
          type: 'startWorkflow',
          workflowType: 'feedSync' satisfies (typeof feedSync)['name'],
          workflowId: scheduleId,
          args: [input],
          taskQueue: options.taskQueue,
          staticSummary: `Sync the ${feed.source} calendar of ${feed.boat} (${tenantId}/${feed.name})`,
        },
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
        memo: { managedBy: MANAGED_BY, taskQueue: options.taskQueue },
      });
    }
  }

  for (const [scheduleId, schedule] of wanted) {
    try {
      await client.schedule.create(schedule);
      changes.created.push(scheduleId);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(scheduleId).update((previous) => ({
        ...previous,
        spec: schedule.spec,
        action: schedule.action,
        policies: { ...previous.policies, ...schedule.policies },
      }));
      changes.updated.push(scheduleId);
    }
  }

  for (const scheduleId of await feedScheduleIds(client)) {
    if (wanted.has(scheduleId)) continue;
    const handle = client.schedule.getHandle(scheduleId);
    // Another deployment on this namespace (its own task queue, its own payload keys) keeps its own
    // schedules: one whose memo this worker cannot read, or that names another queue, is not ours.
    const memo = await handle.describe().then(
      (d) => d.memo ?? {},
      () => ({}) as Record<string, unknown>,
    );
    if (memo.managedBy !== MANAGED_BY || memo.taskQueue !== options.taskQueue) continue;
    try {
      await handle.delete();
      changes.removed.push(scheduleId);
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
  }
  return changes;
}

/**
 * The IDs of the namespace's feed schedules, from the raw list: the SDK's list decodes every
 * schedule's memo, which fails for a schedule another deployment encrypted with its own keys.
 */
async function feedScheduleIds(client: Client): Promise<string[]> {
  const ids: string[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listSchedules({
      namespace: client.options.namespace,
      maximumPageSize: 1000,
      nextPageToken,
    });
    for (const entry of page.schedules ?? []) {
      if (entry.scheduleId && /^feed-[a-z0-9]+-[a-z0-9]+$/.test(entry.scheduleId)) ids.push(entry.scheduleId);
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return ids;
}
