import {
  activeCrew,
  crewNeedingOps,
  crewWaitOver,
  type LifecyclePolicy,
  type LifecycleState,
  type Notice,
  type ReminderKind,
} from './lifecycle';
import { nextPageChange, uploadWindow, uploadWindowState, type UploadWindow, type UploadWindowState } from './time';

/**
 * What is out of date, and when to look again: the reconcile half of the booking entity. Systems are
 * brought up to date one step at a time in a fixed order (JADA, SCC, reminders, the page once the crew
 * wait is over, ops), and the workflow asks again after every step, change, answer or timer.
 */
export type Step =
  | { kind: 'create-calendar-entry' }
  | { kind: 'create-crew-event' }
  | { kind: 'update-calendar-entry'; revision: number }
  | { kind: 'update-crew-event'; revision: number; reask: boolean }
  | { kind: 'remind-crew'; crewId: string; reminder: ReminderKind; round: number }
  | { kind: 'publish-page'; revision: number; crewVersion: number; uploadState: UploadWindowState }
  | { kind: 'send-summary' }
  | { kind: 'send-notice'; notice: Notice };

export function windowOf(state: LifecycleState, policy: LifecyclePolicy): UploadWindow {
  return uploadWindow(state.booking.charter, policy.uploadWindow);
}

/** When each reminder of a silent member is due: strictly between ask and deadline, in order. */
export function reminderTimes(
  seat: { askedAt: string; deadline: string },
  policy: LifecyclePolicy,
): { kind: ReminderKind; at: number }[] {
  const asked = Date.parse(seat.askedAt);
  const deadline = Date.parse(seat.deadline);
  const times: { kind: ReminderKind; at: number }[] = [
    { kind: 'after-ask', at: asked + policy.reminders.afterAskMs },
    { kind: 'before-deadline', at: deadline - policy.reminders.beforeDeadlineMs },
  ];
  const valid = times.filter((t) => t.at > asked && t.at < deadline);
  // A first reminder at or after the second would remind twice for nothing: the second stands.
  const [first, second] = valid;
  if (first && second && second.at <= first.at) return [second];
  return valid;
}

function dueReminders(state: LifecycleState, policy: LifecyclePolicy) {
  if (!state.scc.id) return [];
  return activeCrew(state).flatMap((seat) =>
    seat.answer
      ? []
      : reminderTimes(seat, policy)
          .filter((t) => seat.reminded[t.kind] === undefined)
          .map((t) => ({ seat, ...t })),
  );
}

/** The page is due once the crew wait is over (and from then on whenever what it shows is behind). */
function pageStep(state: LifecycleState, policy: LifecyclePolicy, nowMs: number): Step | undefined {
  const { page } = state;
  if (page.version === 0 && !crewWaitOver(state, nowMs)) return undefined;
  const window = windowOf(state, policy);
  const uploadState = uploadWindowState(window, nowMs);
  const shown = page.state !== undefined && page.at !== undefined ? { state: page.state, at: page.at } : undefined;
  const refreshDue =
    shown !== undefined && (nextPageChange(window, shown, policy.uploadWindow.refreshEveryMs) ?? Infinity) <= nowMs;
  const behind =
    page.revision < state.revision || page.crewVersion < state.crewVersion || page.state !== uploadState || refreshDue;
  if (!behind) return undefined;
  return {
    kind: 'publish-page',
    revision: state.revision,
    crewVersion: state.crewVersion,
    uploadState,
  };
}

export function nextStep(state: LifecycleState, policy: LifecyclePolicy, nowMs: number): Step | undefined {
  if (state.jada.id === undefined) return { kind: 'create-calendar-entry' };
  if (state.held) return heldStep(state);
  if (state.scc.id === undefined) return { kind: 'create-crew-event' };
  if (state.jada.revision < state.revision) return { kind: 'update-calendar-entry', revision: state.revision };
  if (state.scc.revision < state.sccRevision) {
    return {
      kind: 'update-crew-event',
      revision: state.sccRevision,
      reask: state.scc.revision < state.sccTimesMovedAt,
    };
  }
  const reminder = dueReminders(state, policy).find((r) => r.at <= nowMs);
  if (reminder)
    return { kind: 'remind-crew', crewId: reminder.seat.id, reminder: reminder.kind, round: reminder.seat.round };
  const page = pageStep(state, policy, nowMs);
  if (page) return page;
  if (state.page.version > 0 && state.summary === undefined) return { kind: 'send-summary' };
  const [notice] = state.notices;
  if (notice) return { kind: 'send-notice', notice };
  return undefined;
}

/**
 * A held booking holds its slot in JADA (kept at the feed's times) and ops hear of it and of every
 * move; SCC, the page and the summary wait for its details.
 */
function heldStep(state: LifecycleState): Step | undefined {
  if (state.jada.revision < state.revision) return { kind: 'update-calendar-entry', revision: state.revision };
  const [notice] = state.notices;
  return notice ? { kind: 'send-notice', notice } : undefined;
}

/** The next instant at which something becomes due by itself (a reminder, a deadline, the page's window). */
export function nextWake(state: LifecycleState, policy: LifecyclePolicy, nowMs: number): number | undefined {
  // A held booking never completed is over when its charter is: nothing else is due by itself.
  if (state.held) {
    const end = Date.parse(state.booking.charter.end);
    return end > nowMs ? end : undefined;
  }
  const times: number[] = [];
  for (const r of dueReminders(state, policy)) times.push(r.at);
  for (const seat of activeCrew(state)) {
    if (!seat.answer && seat.escalatedAt === undefined) times.push(Date.parse(seat.deadline));
  }
  const { page } = state;
  if (page.state !== undefined && page.at !== undefined) {
    const next = nextPageChange(
      windowOf(state, policy),
      { state: page.state, at: page.at },
      policy.uploadWindow.refreshEveryMs,
    );
    if (next !== undefined) times.push(next);
  }
  const future = times.filter((t) => t > nowMs);
  return future.length === 0 ? undefined : Math.min(...future);
}

/** Done: the page went out closed (the upload window is over) and nothing is owed to anyone. */
export function isSettled(state: LifecycleState, policy: LifecyclePolicy, nowMs: number): boolean {
  if (state.held) return Date.parse(state.booking.charter.end) <= nowMs && nextStep(state, policy, nowMs) === undefined;
  return state.page.state === 'closed' && nextStep(state, policy, nowMs) === undefined;
}

export type LifecycleStage =
  | 'CREATING_CALENDAR_ENTRY'
  | 'AWAITING_DETAILS'
  | 'CREATING_CREW_EVENT'
  | 'AWAITING_CREW'
  | 'NEEDS_CREW'
  | 'PUBLISHING_PAGE'
  | 'EMAILING_OPS'
  | 'KEEPING_PAGE_CURRENT'
  | 'COMPLETED';

/**
 * The stage ops see (the status query; the FulfillmentStage search attribute when it is a resting
 * one, isRestingStage). AWAITING_DETAILS is a held booking (from a calendar feed) with its JADA slot
 * taken, waiting for ops to complete it. NEEDS_CREW stands for AWAITING_CREW or KEEPING_PAGE_CURRENT
 * while a member declined or stayed silent past the deadline and the charter has not started: ops
 * should replace them (assignCrew).
 */
export function stageOf(state: LifecycleState, policy: LifecyclePolicy, nowMs: number): LifecycleStage {
  if (state.jada.id === undefined) return 'CREATING_CALENDAR_ENTRY';
  if (state.held) return isSettled(state, policy, nowMs) ? 'COMPLETED' : 'AWAITING_DETAILS';
  if (state.scc.id === undefined) return 'CREATING_CREW_EVENT';
  if (isSettled(state, policy, nowMs)) return 'COMPLETED';
  // While the booking waits (for crew, or for the page's next change), crew ops must act on say so.
  const needsCrew = crewNeedingOps(state, nowMs).length > 0 && nowMs < Date.parse(state.booking.charter.start);
  if (state.page.version === 0) {
    if (crewWaitOver(state, nowMs)) return 'PUBLISHING_PAGE';
    return needsCrew ? 'NEEDS_CREW' : 'AWAITING_CREW';
  }
  if (state.summary === undefined) return 'EMAILING_OPS';
  return needsCrew ? 'NEEDS_CREW' : 'KEEPING_PAGE_CURRENT';
}

/**
 * Stages a booking rests in: it waits there for people (crew, ops) or time (the page's next change),
 * or is over. The others last one activity each. Only resting stages go to the FulfillmentStage search
 * attribute (behind a patch, workflows/booking-lifecycle.ts): they are what visibility queries look
 * for, and each upsert is a history event and a visibility write.
 */
const RESTING: Record<LifecycleStage | 'CANCELLED' | 'FAILED', boolean> = {
  CREATING_CALENDAR_ENTRY: false,
  AWAITING_DETAILS: true,
  CREATING_CREW_EVENT: false,
  AWAITING_CREW: true,
  NEEDS_CREW: true,
  PUBLISHING_PAGE: false,
  EMAILING_OPS: false,
  KEEPING_PAGE_CURRENT: true,
  COMPLETED: true,
  CANCELLED: true,
  FAILED: true,
};

export function isRestingStage(stage: LifecycleStage | 'CANCELLED' | 'FAILED'): boolean {
  return RESTING[stage];
}
