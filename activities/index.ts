import { calendarEntryActivities } from './calendar-entry';
import { activityContext, type ActivityDeps } from './context';
import { crewEventActivities } from './crew-event';
import { feedSyncActivities } from './feed-sync';
import { guestPageActivities } from './guest-page';
import { opsDigestActivities } from './ops-digest';
import { opsMailActivities } from './ops-mail';

export type { ActivityDeps, BookingRef } from './context';
export type { CalendarEntry, CalendarEntryDeletion, CalendarEntryUpdate } from './calendar-entry';
export type { CrewEvent, CrewEventCancellation, CrewEventUpdate, CrewReminder } from './crew-event';
export type { FeedRef, FeedSyncDeps, FetchedFeed } from './feed-sync';
export type { GuestPagePublication } from './guest-page';
export type { OpsMailSent } from './ops-mail';

/**
 * The activities, built from their dependencies (STYLE: activities by factory); one file per step.
 * Each one is an idempotent call into src/: running it twice for the same booking has one effect.
 */
export function createActivities(deps: ActivityDeps) {
  const ctx = activityContext(deps);
  return {
    ...calendarEntryActivities(ctx),
    ...crewEventActivities(ctx),
    ...guestPageActivities(ctx),
    ...opsMailActivities(ctx),
    ...feedSyncActivities(ctx),
    ...opsDigestActivities(ctx),
  };
}

export type Activities = ReturnType<typeof createActivities>;
