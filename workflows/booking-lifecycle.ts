import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { checkChange, checkCompletion, type ChangeRefusal } from '../src/domain/change-request';
import {
  DEFAULT_REMINDERS,
  activeCrew,
  applyChange,
  assignCrew,
  completeHeld,
  crewAssignments,
  crewWaitOver,
  initialState,
  passTime,
  recordAnswer,
  recordJada,
  recordNoticeSent,
  recordPublish,
  recordReminder,
  recordScc,
  recordSummary,
  roster,
  type LifecyclePolicy,
  type LifecycleState,
  type Notice,
} from '../src/domain/lifecycle';
import {
  isRestingStage,
  isSettled,
  nextStep,
  nextWake,
  stageOf,
  windowOf,
  type Step,
} from '../src/domain/lifecycle-plan';
import { DEFAULT_UPLOAD_WINDOW } from '../src/domain/time';
import { externalApi, mail, publishing } from './activity-options';
import {
  assignCrewUpdate,
  changeBookingUpdate,
  completeBookingUpdate,
  crewResponseSignal,
  statusQuery,
} from './messages';
import { CharterStartKey, FulfillmentStageKey, SccEventIdKey } from './search-attributes';
import type { BookingLifecycleInput, BookingStatus, CrewOutcome, FulfillmentStage, PublishedPageRef } from './types';

/**
 * Patch marker: runs without it upsert FulfillmentStage at every stage, the ones lasting one activity
 * too; runs with it only when the resting stage changes (isRestingStage).
 */
export const RESTING_STAGE_PATCH = 'fulfillment-stage-resting-only';

/**
 * The booking's entity, from intake until the upload window closes or it is cancelled (DESIGN.md,
 * "Booking lifecycle"). Changes (Update changeBooking), crew answers (signal crewResponse) and crew
 * replacements (Update assignCrew) change its state at once; the loop then brings every system up
 * to date one step at a time (src/domain/lifecycle-plan.ts decides which), and sleeps until the next
 * event or timer (reminders, deadlines, the upload window).
 */
export async function bookingLifecycle(input: BookingLifecycleInput): Promise<BookingStatus> {
  const { tenant, slug } = input;
  const { workflowId } = workflowInfo();
  const policy: LifecyclePolicy = {
    crewConfirmation: input.crewConfirmation,
    reminders: input.crewReminders ?? DEFAULT_REMINDERS,
    uploadWindow: input.uploadWindow ?? DEFAULT_UPLOAD_WINDOW,
  };
  let state: LifecycleState =
    input.carried?.state ??
    initialState(input.booking, input.crew, policy, workflowInfo().startTime.getTime(), input.held);
  let pages: PublishedPageRef[] = input.carried?.pages ?? [];
  const timestamps: BookingStatus['timestamps'] = input.carried?.timestamps ?? { RECEIVED: state.receivedAt };
  let ended: { stage: 'CANCELLED' | 'FAILED' | 'COMPLETED'; failure?: string } | undefined;
  const toDoByHand: string[] = [];
  /** Set by every handler: the loop looks again at once instead of sleeping to its next timer. */
  let poked = false;
  /** Page versions handed to attempts, so a withdrawal never reuses an in-flight version's CallerReference. */
  let pageVersionsHandedOut = state.page.version;
  /** Which creates were started, so a cancellation mid-create can tell ops what may exist. */
  const started = { jada: false, scc: false };
  /**
   * No earlier run of this booking can have created anything: this is its first run (not continued as
   * new) and not a reset one (a reset keeps the original run's id). A create this run starts for the
   * first time then tells its activity so, which skips the lookup on its first attempt (mayAlreadyExist).
   */
  const firstRun = (() => {
    const info = workflowInfo();
    return info.continuedFromExecutionRunId === undefined && info.runId === info.originalExecutionRunId;
  })();
  /** Marks a create started; true when nothing before it can have made the record (its `noEarlierCreate`). */
  const startCreate = (system: keyof typeof started): boolean => {
    const noEarlierCreate = firstRun && !started[system];
    started[system] = true;
    return noEarlierCreate;
  };

  const ref = () => ({ tenant, workflowId, booking: state.booking });
  const stage = (): FulfillmentStage => ended?.stage ?? stageOf(state, policy, Date.now());

  const status = (): BookingStatus => {
    const now = Date.now();
    const window = windowOf(state, policy);
    return {
      workflowId,
      tenant,
      bookingId: state.booking.bookingId,
      source: state.booking.source,
      stage: stage(),
      crew: roster(state, now),
      crewOutcome: crewOutcome(state, now),
      crewDeadline: latestDeadline(state),
      jadaEventId: state.jada.id,
      sccEventId: state.scc.id,
      pages,
      pageVersion: state.page.version,
      uploadWindow: state.page.state && {
        opensAt: new Date(window.opensAt).toISOString(),
        closesAt: new Date(window.closesAt).toISOString(),
        state: state.page.state,
      },
      opsEmailMessageId: state.summary?.messageId,
      failure: ended?.failure,
      timestamps,
      revision: state.revision,
      booking: state.booking,
      changes: state.changes,
      crewHistory: state.crew.map(({ answer, ...seat }) => ({
        ...seat,
        answer: answer?.response,
        answeredAt: answer?.respondedAt,
      })),
      toDoByHand,
      ...(state.held ? { held: state.held } : {}),
    };
  };

  /**
   * Search attributes and the UI's current details follow the stage; written only when it changes.
   * The status query and `timestamps` see every stage; FulfillmentStage, on runs with the patch, only
   * the resting ones (RECEIVED, set at start, stays until the first).
   */
  let shownStage: string | undefined;
  let shownStart = state.booking.charter.start;
  /**
   * Decided once, at the first show() (the first workflow task): patched() on a replay without the
   * marker would answer true again once the run goes live, and an old run must stay old all its life.
   */
  let restingOnly: boolean | undefined;
  /** What the attribute holds: the start's value (RECEIVED, or what a continued run inherited) until upserted. */
  let indexedStage = workflowInfo().typedSearchAttributes.get(FulfillmentStageKey);
  const show = () => {
    restingOnly ??= patched(RESTING_STAGE_PATCH);
    const now = stage();
    if (now !== shownStage) {
      shownStage = now;
      timestamps[now] ??= new Date(Date.now()).toISOString();
      if (!restingOnly) upsertSearchAttributes([{ key: FulfillmentStageKey, value: now }]);
    }
    if (restingOnly && isRestingStage(now) && now !== indexedStage) {
      indexedStage = now;
      upsertSearchAttributes([{ key: FulfillmentStageKey, value: now }]);
    }
    if (state.booking.charter.start !== shownStart) {
      shownStart = state.booking.charter.start;
      upsertSearchAttributes([{ key: CharterStartKey, value: new Date(shownStart) }]);
    }
    const crew = roster(state, Date.now());
    const answered = crew.filter((m) => m.status === 'accepted' || m.status === 'declined').length;
    setCurrentDetails(
      [
        `**${now}** (revision ${state.revision})`,
        `Crew answered ${answered}/${crew.length}:`,
        ...crew.map((m) => `- ${m.role} ${m.id}: ${m.status}`),
      ].join('\n'),
    );
  };

  setHandler(crewResponseSignal, ({ tenant: sender, ...response }) => {
    if (sender !== undefined && sender !== tenant) {
      log.warn('Crew answer ignored', { crewId: response.crewId, reason: 'another tenant', sender });
      return;
    }
    const { state: next, outcome } = recordAnswer(state, response, Date.now());
    state = next;
    if (outcome === 'recorded')
      log.info('Crew answer recorded', { crewId: response.crewId, response: response.response });
    else log.warn('Crew answer ignored', { crewId: response.crewId, reason: outcome });
    poked = true;
  });

  setHandler(
    changeBookingUpdate,
    (request) => {
      const checked = checkChange(state, request, Date.now());
      if (!checked.ok) throw refusal(checked.refusal);
      const applied = applyChange(state, checked.booking, request.channel, policy, Date.now());
      state = applied.state;
      log.info('Booking changed', { revision: state.revision, fields: applied.changes.map((c) => c.path) });
      poked = true;
      return { changed: applied.changes.map((c) => c.path), revision: state.revision };
    },
    {
      validator: (request) => {
        refuseWhenClosed();
        const checked = checkChange(state, request, Date.now());
        if (!checked.ok) throw refusal(checked.refusal);
      },
    },
  );

  setHandler(
    completeBookingUpdate,
    (request) => {
      const checked = checkCompletion(state, request, Date.now());
      if (!checked.ok) throw refusal(checked.refusal);
      const completed = completeHeld(state, checked.booking, request.channel, policy, Date.now());
      state = completed.state;
      log.info('Held booking completed', { revision: state.revision, fields: completed.changes.map((c) => c.path) });
      poked = true;
      return { changed: completed.changes.map((c) => c.path), revision: state.revision };
    },
    {
      validator: (request) => {
        refuseWhenClosed();
        const checked = checkCompletion(state, request, Date.now());
        if (!checked.ok) throw refusal(checked.refusal);
      },
    },
  );

  setHandler(
    assignCrewUpdate,
    (request) => {
      const assigned = assignCrew(state, request, policy, Date.now());
      if ('refused' in assigned) throw refusal({ type: 'BookingChangeRefused', message: assigned.refused });
      state = assigned.state;
      log.info('Crew assigned', { member: request.member.id, replaced: request.replace });
      poked = true;
      return { crew: activeCrew(state).map((s) => s.id), revision: state.revision };
    },
    {
      validator: (request) => {
        refuseWhenClosed();
        const assigned = assignCrew(state, request, policy, Date.now());
        if ('refused' in assigned) throw refusal({ type: 'BookingChangeRefused', message: assigned.refused });
      },
    },
  );

  setHandler(statusQuery, status);

  function refuseWhenClosed() {
    if (ended) throw refusal({ type: 'BookingChangeRefused', message: `The booking is ${ended.stage.toLowerCase()}` });
    if (Date.parse(state.booking.charter.end) <= Date.now()) {
      throw refusal({ type: 'BookingChangeRefused', message: `The charter ended at ${state.booking.charter.end}` });
    }
  }

  /** One step: the activity that brings one system up to date, and what it did recorded in the state. */
  async function run(step: Step): Promise<void> {
    switch (step.kind) {
      case 'create-calendar-entry': {
        const revision = state.revision;
        const noEarlierCreate = startCreate('jada');
        const entry = await externalApi.createCalendarEntry.executeWithOptions({ summary: 'JADA calendar entry' }, [
          { ...ref(), noEarlierCreate },
        ]);
        state = recordJada(state, entry.jadaEventId, revision);
        return;
      }
      case 'create-crew-event': {
        const revision = state.sccRevision;
        const crew = crewAssignments(state);
        const noEarlierCreate = startCreate('scc');
        const event = await externalApi.createCrewEvent.executeWithOptions(
          { summary: `SCC crew event for ${crew.map((c) => c.role).join(', ') || 'no crew'}` },
          [{ ...ref(), crew, noEarlierCreate }],
        );
        state = recordScc(state, event.sccEventId, revision);
        upsertSearchAttributes([{ key: SccEventIdKey, value: event.sccEventId }]);
        return;
      }
      case 'update-calendar-entry': {
        const jadaEventId = state.jada.id as string;
        const updated = await externalApi.updateCalendarEntry.executeWithOptions(
          { summary: `JADA calendar entry to revision ${step.revision}` },
          [{ ...ref(), jadaEventId, revision: step.revision }],
        );
        if (updated.outcome === 'not-supported')
          byHand(`Update JADA calendar entry ${jadaEventId} to revision ${step.revision}`);
        state = recordJada(state, jadaEventId, step.revision);
        return;
      }
      case 'update-crew-event': {
        const sccEventId = state.scc.id as string;
        const crew = crewAssignments(state);
        const updated = await externalApi.updateCrewEvent.executeWithOptions(
          { summary: `SCC crew event to revision ${step.revision}${step.reask ? ' (crew asked again)' : ''}` },
          [{ ...ref(), sccEventId, crew, revision: step.revision, reask: step.reask }],
        );
        if (updated.outcome === 'not-supported')
          byHand(`Update SCC crew event ${sccEventId} (crew ${crew.map((c) => c.id).join(', ')})`);
        state = recordScc(state, sccEventId, step.revision);
        return;
      }
      case 'remind-crew': {
        const sccEventId = state.scc.id as string;
        const reminded = await externalApi.remindCrew.executeWithOptions(
          { summary: `Reminder (${step.reminder}) to ${step.crewId}` },
          [
            {
              tenant,
              workflowId,
              sccEventId,
              crewIds: [step.crewId],
              reminder: `${step.reminder}-r${step.round}-${step.crewId}`,
            },
          ],
        );
        if (reminded.outcome === 'not-supported') byHand(`Remind ${step.crewId} of SCC event ${sccEventId}`);
        state = recordReminder(state, step.crewId, step.reminder, step.round, Date.now());
        return;
      }
      case 'publish-page': {
        const version = ++pageVersionsHandedOut;
        const uploadWindow = windowOf(state, policy);
        const published = await publishing.publishGuestPage.executeWithOptions(
          { summary: `Guest page v${version} to every site (revision ${step.revision}, uploads ${step.uploadState})` },
          [
            {
              ...ref(),
              slug,
              crew: roster(state, Date.now()),
              version,
              uploadWindow,
              uploadState: step.uploadState,
              sequence: step.revision - 1,
            },
          ],
        );
        pages = published.pages.map(({ site, url }) => ({ site, url }));
        state = recordPublish(
          state,
          { version, revision: step.revision, crewVersion: step.crewVersion, state: published.uploadState },
          Date.now(),
        );
        return;
      }
      case 'send-summary': {
        const sent = await mail.sendOpsSummary.executeWithOptions({ summary: 'Ops summary email' }, [
          {
            ...ref(),
            crew: roster(state, Date.now()),
            pages,
            jadaEventId: state.jada.id as string,
            sccEventId: state.scc.id as string,
          },
        ]);
        state = recordSummary(state, sent.messageId, Date.now());
        return;
      }
      case 'send-notice':
        await sendNotice(step.notice);
        state = recordNoticeSent(state, step.notice);
        return;
    }
  }

  async function sendNotice(notice: Notice): Promise<void> {
    const crew = roster(state, Date.now());
    // A member ops replaced before their alert went out is no longer news; the others still are.
    const onCrew = (ids: string[]) => ids.filter((id) => crew.some((m) => m.id === id));
    switch (notice.kind) {
      case 'change':
        await mail.sendBookingChange.executeWithOptions(
          { summary: `Booking change email (revision ${notice.revision})` },
          [
            {
              ...ref(),
              changes: notice.changes,
              revision: notice.revision,
              channel: notice.channel,
              crewReasked: notice.crewReasked,
            },
          ],
        );
        return;
      case 'crew-alert': {
        const declined = onCrew(notice.declined);
        if (declined.length === 0) return;
        await mail.sendCrewAlert.executeWithOptions(
          { summary: `Crew alert ${notice.sequence}: ${declined.join(', ')} declined` },
          [{ ...ref(), crew, declined, round: notice.sequence }],
        );
        return;
      }
      case 'escalation': {
        const missing = onCrew(notice.missing);
        if (missing.length === 0) return;
        await mail.sendCrewEscalation.executeWithOptions(
          { summary: `Crew escalation ${notice.sequence}: ${missing.join(', ')} silent` },
          [{ ...ref(), crew, missing, round: notice.sequence }],
        );
        return;
      }
      case 'held':
        await mail.sendHeldBookingNotice.executeWithOptions(
          { summary: `Held booking from feed ${notice.feed}: details wanted` },
          [{ ...ref(), feed: notice.feed, jadaEventId: state.jada.id as string }],
        );
        return;
      case 'crew-update': {
        const changed = onCrew(notice.changed);
        if (changed.length === 0) return;
        await mail.sendCrewUpdate.executeWithOptions({ summary: `Crew update ${notice.sequence} to ops` }, [
          { ...ref(), crew, changed, sequence: notice.sequence },
        ]);
        return;
      }
    }
  }

  function byHand(line: string) {
    log.warn('Not supported by this deployment: left to ops', { what: line });
    toDoByHand.push(line);
  }

  /** Compensations newest first (STYLE: saga): the page, the SCC event, the JADA entry, then the notice. */
  async function compensate(stoppedAt: FulfillmentStage): Promise<void> {
    ended = { stage: 'CANCELLED' };
    show();
    const undone: string[] = [];
    const attempt = async (what: string, undo: () => Promise<{ outcome: string } | unknown>, instead: string) => {
      try {
        const result = (await undo()) as { outcome?: string } | undefined;
        if (result?.outcome === 'not-supported') toDoByHand.push(instead);
        else undone.push(what);
      } catch (err) {
        log.error('Compensation failed', { what, error: describeFailure(err) });
        toDoByHand.push(`${instead}: FAILED (${describeFailure(err)})`);
      }
    };
    if (pageVersionsHandedOut > 0) {
      await attempt(
        'Guest page replaced by a "cancelled" notice on every site, calendar file deleted, CloudFront invalidated',
        () =>
          publishing.withdrawGuestPage.executeWithOptions({ summary: 'Withdraw the guest page' }, [
            { tenant, workflowId, slug, version: ++pageVersionsHandedOut },
          ]),
        'Withdraw the guest page',
      );
    }
    const crewIds = activeCrew(state)
      .map((s) => s.id)
      .join(', ');
    if (state.scc.id) {
      const sccEventId = state.scc.id;
      await attempt(
        `SCC crew event ${sccEventId} cancelled (SCC tells the crew)`,
        () =>
          externalApi.cancelCrewEvent.executeWithOptions({ summary: 'Cancel the SCC crew event' }, [
            { tenant, workflowId, sccEventId },
          ]),
        `Cancel SCC crew event ${sccEventId} and tell the crew (${crewIds})`,
      );
    } else if (started.scc) toDoByHand.push(`Check SCC for a crew event with external id ${workflowId} and cancel it`);
    if (state.jada.id) {
      const jadaEventId = state.jada.id;
      await attempt(
        `JADA calendar entry ${jadaEventId} deleted`,
        () =>
          externalApi.deleteCalendarEntry.executeWithOptions({ summary: 'Delete the JADA calendar entry' }, [
            { tenant, workflowId, jadaEventId },
          ]),
        `Remove JADA calendar entry ${jadaEventId}`,
      );
    } else if (started.jada)
      toDoByHand.push(`Check JADA for a calendar entry with external id ${workflowId} and remove it`);
    try {
      await mail.sendCancellationNotice.executeWithOptions({ summary: 'Cancellation notice to ops' }, [
        { ...ref(), reason: `Cancelled while ${stoppedAt}`, undone, toDoByHand },
      ]);
    } catch (err) {
      log.error('Cancellation notice not sent', { error: describeFailure(err) });
    }
  }

  try {
    for (;;) {
      state = passTime(state, Date.now());
      show();
      const step = nextStep(state, policy, Date.now());
      if (step) {
        await run(step);
        continue;
      }
      if (isSettled(state, policy, Date.now())) break;
      if (workflowInfo().continueAsNewSuggested) {
        await condition(allHandlersFinished);
        // Handlers finished may have changed the state: look once more before handing it on.
        if (nextStep(state, policy, Date.now()) === undefined) {
          await continueAsNew<typeof bookingLifecycle>({ ...input, carried: { state, pages, timestamps } });
        }
        continue;
      }
      poked = false;
      const wake = nextWake(state, policy, Date.now());
      if (wake === undefined) await condition(() => poked);
      else await condition(() => poked, Math.max(1, wake - Date.now()));
    }
    ended = { stage: 'COMPLETED' };
    show();
    await condition(allHandlersFinished);
    return status();
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => compensate(stage()));
      throw err;
    }
    const stoppedAt = stage();
    ended = { stage: 'FAILED', failure: describeFailure(err) };
    show();
    throw ApplicationFailure.nonRetryable(
      `Booking ${state.booking.bookingId} stopped at ${stoppedAt}: ${ended.failure}`,
      'BookingFulfillmentFailed',
    );
  }
}

/** The validator's refusal as the caller sees it: its type names the answer, details carry field errors. */
function refusal(refusal: ChangeRefusal): ApplicationFailure {
  return ApplicationFailure.create({
    type: refusal.type,
    message: refusal.message,
    nonRetryable: true,
    details: 'errors' in refusal ? [refusal.errors] : [],
  });
}

/** How the crew wait ended, once it has: everyone accepted, everyone answered, or someone stayed silent. */
function crewOutcome(state: LifecycleState, now: number): CrewOutcome | undefined {
  if (state.page.version === 0 && !crewWaitOver(state, now)) return undefined;
  const crew = roster(state, now);
  if (crew.some((m) => m.status === 'no-answer' || m.status === 'pending')) return 'TIMED_OUT';
  return crew.every((m) => m.status === 'accepted') ? 'ALL_CONFIRMED' : 'ALL_ANSWERED';
}

function latestDeadline(state: LifecycleState): string | undefined {
  const deadlines = activeCrew(state)
    .map((s) => s.deadline)
    .sort();
  return deadlines[deadlines.length - 1];
}

/** The activity's own message names the system and the fix; the wrapper around it adds nothing for ops. */
function describeFailure(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}
