import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
} from '@temporalio/client';
import { DEFAULT_DIGEST, DEFAULT_ROSTERS, tenantTimeZone, type TenantDirectory } from '../src/config/tenant';
import { parseTimeOfDay } from '../src/domain/ops-digest';
import type { FeedSyncInput, feedSync } from '../workflows/feed-sync';
import type { CrewRostersInput, OpsDigestInput, crewRosters, opsDigest } from '../workflows/ops-digest';

/** Memo on every schedule made from the tenants file: what marks one as ours to update or remove. */
const MANAGED_BY = 'charter-fulfillment tenants file';

export interface FeedScheduleOptions {
  taskQueue: string;
  /** For feeds that do not say (FEED_SYNC_EVERY_MINUTES). */
  everyMinutes: number;
  /** Tests shorten the fetch's retries; production keeps the workflow's default. */
  fetchRetry?: FeedSyncInput['fetchRetry'];
}

export interface TenantScheduleOptions extends FeedScheduleOptions {
  /** Tests: the digest every N seconds instead of daily at the tenant's time (each run its own period). */
  digestEverySeconds?: number;
  /** Tests: the roster schedule every N seconds instead of the tenant's `rosters.everyMinutes`. */
  rosterEverySeconds?: number;
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

/** `digest-{tenant}` and `roster-{tenant}`: one of each per tenant. */
export function digestScheduleId(tenant: string): string {
  return `digest-${tenant}`;
}

export function rosterScheduleId(tenant: string): string {
  return `roster-${tenant}`;
}

/**
 * Every schedule the tenants file asks for: the feed syncs, and per tenant the daily ops digest (at
 * `digest.at` in the tenant's zone) and the crew rosters (every `rosters.everyMinutes`), each created,
 * updated in place (a paused schedule stays paused) or removed as ensureFeedSchedules does.
 */
export async function ensureTenantSchedules(
  client: Client,
  tenants: TenantDirectory,
  options: TenantScheduleOptions,
): Promise<ScheduleChanges> {
  // One reconcile, so the namespace's schedules are listed once for both kinds.
  const wanted = new Map([...feedSchedules(tenants, options), ...opsSchedules(tenants, options)]);
  return reconcile(client, wanted, (id) => FEED_SCHEDULE_ID.test(id) || OPS_SCHEDULE_ID.test(id), options.taskQueue);
}

const OPS_SCHEDULE_ID = /^(digest|roster)-[a-z0-9]+$/;

function opsSchedules(tenants: TenantDirectory, options: TenantScheduleOptions): Map<string, ScheduleOptions> {
  const wanted = new Map<string, ScheduleOptions>();
  const memo = { managedBy: MANAGED_BY, taskQueue: options.taskQueue };
  for (const tenantId of tenants.ids()) {
    const tenant = tenants.get(tenantId)!;
    const timeZone = tenantTimeZone(tenant);
    const digest = tenant.digest ?? DEFAULT_DIGEST;
    if (digest.enabled) {
      const scheduleId = digestScheduleId(tenantId);
      const input: OpsDigestInput = {
        tenant: tenantId,
        ...(options.digestEverySeconds ? { everySeconds: options.digestEverySeconds } : {}),
      };
      wanted.set(scheduleId, {
        scheduleId,
        spec: options.digestEverySeconds
          ? { intervals: [{ every: `${options.digestEverySeconds} seconds` }] }
          : { calendars: [{ ...parseTimeOfDay(digest.at), comment: `daily at ${digest.at}` }], timezone: timeZone },
        action: {
          type: 'startWorkflow',
          workflowType: 'opsDigest' satisfies (typeof opsDigest)['name'],
          workflowId: scheduleId,
          args: [input],
          taskQueue: options.taskQueue,
          staticSummary: `Daily ops digest of ${tenant.name} (${tenantId}), ${digest.at} ${timeZone}`,
        },
        // A digest late by hours (Temporal was down at its time) is still worth sending; one run at a time.
        policies: { overlap: ScheduleOverlapPolicy.BUFFER_ONE, catchupWindow: '6 hours' },
        memo,
      });
    }
    const rosters = tenant.rosters ?? DEFAULT_ROSTERS;
    if (rosters.enabled) {
      const scheduleId = rosterScheduleId(tenantId);
      const periodMs = options.rosterEverySeconds ? options.rosterEverySeconds * 1000 : rosters.everyMinutes * 60_000;
      const input: CrewRostersInput = { tenant: tenantId, leadMs: rosters.leadHours * 3600_000, periodMs };
      wanted.set(scheduleId, {
        scheduleId,
        spec: { intervals: [{ every: `${periodMs / 1000} seconds` }] },
        action: {
          type: 'startWorkflow',
          workflowType: 'crewRosters' satisfies (typeof crewRosters)['name'],
          workflowId: scheduleId,
          args: [input],
          taskQueue: options.taskQueue,
          staticSummary: `Crew rosters of ${tenant.name} (${tenantId}), ${rosters.leadHours} h before each charter`,
        },
        // A missed run is covered by the next one's window (lead plus one period), so no catching up.
        policies: { overlap: ScheduleOverlapPolicy.BUFFER_ONE, catchupWindow: '10 minutes' },
        memo,
      });
    }
  }
  return wanted;
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
  return reconcile(client, feedSchedules(tenants, options), (id) => FEED_SCHEDULE_ID.test(id), options.taskQueue);
}

function feedSchedules(tenants: TenantDirectory, options: FeedScheduleOptions): Map<string, ScheduleOptions> {
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
  return wanted;
}

const FEED_SCHEDULE_ID = /^feed-[a-z0-9]+-[a-z0-9]+$/;

/**
 * Creates or updates each wanted schedule, and removes the namespace's schedules whose ID `isKind`
 * accepts that are not wanted, made from the tenants file for this task queue.
 */
async function reconcile(
  client: Client,
  wanted: Map<string, ScheduleOptions>,
  isKind: (scheduleId: string) => boolean,
  taskQueue: string,
): Promise<ScheduleChanges> {
  const changes: ScheduleChanges = { created: [], updated: [], removed: [] };
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

  for (const scheduleId of await scheduleIds(client, isKind)) {
    if (wanted.has(scheduleId)) continue;
    const handle = client.schedule.getHandle(scheduleId);
    // Another deployment on this namespace (its own task queue, its own payload keys) keeps its own
    // schedules: one whose memo this worker cannot read, or that names another queue, is not ours.
    const memo = await handle.describe().then(
      (d) => d.memo ?? {},
      () => ({}) as Record<string, unknown>,
    );
    if (memo.managedBy !== MANAGED_BY || memo.taskQueue !== taskQueue) continue;
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
 * The IDs of the namespace's schedules that `isKind` accepts, from the raw list: the SDK's list decodes every
 * schedule's memo, which fails for a schedule another deployment encrypted with its own keys.
 */
async function scheduleIds(client: Client, isKind: (scheduleId: string) => boolean): Promise<string[]> {
  const ids: string[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listSchedules({
      namespace: client.options.namespace,
      maximumPageSize: 1000,
      nextPageToken,
    });
    for (const entry of page.schedules ?? []) {
      if (entry.scheduleId && isKind(entry.scheduleId)) ids.push(entry.scheduleId);
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return ids;
}
