import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { crewRoster, everyoneAnswered, recordCrewResponse, type CrewResponse } from '../src/domain/crew';
import {
  DEFAULT_UPLOAD_WINDOW,
  confirmationDeadline,
  nextPageChange,
  uploadWindow,
  uploadWindowState,
} from '../src/domain/time';
import { externalApi, mail, publishing } from './activity-options';
import { crewResponseSignal, statusQuery } from './messages';
import { FulfillmentStageKey, SccEventIdKey } from './search-attributes';
import type { BookingFulfillmentInput, BookingFulfillmentResult, BookingStatus, FulfillmentStage } from './types';

/** Patch marker: histories recorded before step 6 complete right after the email. */
export const KEEP_PAGE_CURRENT_PATCH = 'keep-page-current';
/** Patch marker: histories recorded before the SccEventId search attribute do not upsert it. */
export const SCC_EVENT_ID_PATCH = 'scc-event-id-search-attribute';
/** Patch marker: histories recorded before crew updates send no email after a late answer. */
export const CREW_UPDATE_PATCH = 'crew-update-email';

/**
 * BookingFulfillment: calendar entry -> crew event -> wait for crew answers until everyone answered or
 * the deadline -> guest page on every site -> ops summary email -> keep the page true (re-publish when
 * the upload window opens, before its presigned POST expires, when a late crew answer arrives, and
 * when the window closes) -> complete.
 */
export async function bookingFulfillment(input: BookingFulfillmentInput): Promise<BookingFulfillmentResult> {
  const { tenant, booking, crew, slug } = input;
  const { workflowId } = workflowInfo();
  const ref = { tenant, workflowId, booking };
  const answers: Record<string, CrewResponse> = {};
  let deadlinePassed = false;
  /** Bumped on every recorded answer, so the page loop can tell that the roster changed. */
  let crewVersion = 0;
  const windowPolicy = input.uploadWindow ?? DEFAULT_UPLOAD_WINDOW;
  const window = uploadWindow(booking.charter, windowPolicy);

  const status: BookingStatus = {
    workflowId,
    tenant,
    bookingId: booking.bookingId,
    source: booking.source,
    stage: 'CREATING_CALENDAR_ENTRY',
    crew: crewRoster(crew, answers, false),
    pages: [],
    pageVersion: 0,
    timestamps: { RECEIVED: new Date(Date.now()).toISOString() },
  };

  const refreshCrew = () => {
    status.crew = crewRoster(crew, answers, deadlinePassed);
    const answered = status.crew.filter((m) => m.status === 'accepted' || m.status === 'declined').length;
    setCurrentDetails(
      [
        `**${status.stage}**`,
        `Crew answered ${answered}/${crew.length}:`,
        ...status.crew.map((m) => `- ${m.role} ${m.id}: ${m.status}`),
      ].join('\n'),
    );
  };

  const enter = (stage: FulfillmentStage) => {
    status.stage = stage;
    status.timestamps[stage] = new Date(Date.now()).toISOString();
    upsertSearchAttributes([{ key: FulfillmentStageKey, value: stage }]);
    refreshCrew();
  };

  setHandler(crewResponseSignal, ({ tenant: sender, ...response }) => {
    if (sender !== undefined && sender !== tenant) {
      log.warn('Crew answer ignored', { crewId: response.crewId, reason: 'another tenant', sender });
      return;
    }
    const outcome = recordCrewResponse(answers, crew, response);
    if (outcome === 'recorded') {
      crewVersion += 1;
      log.info('Crew answer recorded', { crewId: response.crewId, response: response.response });
    } else log.warn('Crew answer ignored', { crewId: response.crewId, reason: outcome });
    refreshCrew();
  });
  setHandler(statusQuery, () => status);

  /**
   * Compensations, newest first (STYLE: saga), run if ops cancel the booking. JADA and SCC offer no
   * cancellation in their contracts, so undoing those is a line in the notice to ops.
   */
  const compensations: { what: string; undo: () => Promise<unknown> }[] = [];
  const toDoByHand: string[] = [];
  /** Versions handed to publish attempts, so a withdrawal never reuses an in-flight version's CallerReference. */
  let lastPageVersion = 0;

  const publishPage = async () => {
    const crewVersionShown = crewVersion;
    const version = ++lastPageVersion;
    const uploadState = uploadWindowState(window, Date.now());
    const publication = await publishing.publishGuestPage.executeWithOptions(
      { summary: `Guest page v${version} to every site (uploads ${uploadState})` },
      [{ ...ref, slug, crew: status.crew, version, uploadWindow: window, uploadState }],
    );
    status.pageVersion = version;
    status.pages = publication.pages.map(({ site, url }) => ({ site, url }));
    status.uploadWindow = {
      opensAt: new Date(window.opensAt).toISOString(),
      closesAt: new Date(window.closesAt).toISOString(),
      state: publication.uploadState,
    };
    return { state: publication.uploadState, at: Date.now(), crewVersion: crewVersionShown };
  };

  /** Undo what can be undone, newest first; a failed undo is logged and handed to ops, never fatal. */
  const compensate = async (stoppedAt: FulfillmentStage) => {
    enter('CANCELLED');
    const undone: string[] = [];
    for (const { what, undo } of compensations) {
      try {
        await undo();
        undone.push(what);
      } catch (err) {
        log.error('Compensation failed', { what, error: describeFailure(err) });
        toDoByHand.push(`${what}: FAILED (${describeFailure(err)})`);
      }
    }
    try {
      await mail.sendCancellationNotice.executeWithOptions({ summary: 'Cancellation notice to ops' }, [
        { ...ref, reason: `Cancelled while ${stoppedAt}`, undone, toDoByHand },
      ]);
    } catch (err) {
      log.error('Cancellation notice not sent', { error: describeFailure(err) });
    }
  };

  try {
    enter('CREATING_CALENDAR_ENTRY');
    const calendar = await externalApi.createCalendarEntry.executeWithOptions({ summary: 'JADA calendar entry' }, [
      ref,
    ]);
    status.jadaEventId = calendar.jadaEventId;
    toDoByHand.unshift(`Remove JADA calendar entry ${calendar.jadaEventId}`);

    enter('CREATING_CREW_EVENT');
    const crewEvent = await externalApi.createCrewEvent.executeWithOptions(
      { summary: `SCC crew event for ${crew.map((c) => c.role).join(', ') || 'no crew'}` },
      [{ ...ref, crew }],
    );
    status.sccEventId = crewEvent.sccEventId;
    if (patched(SCC_EVENT_ID_PATCH)) upsertSearchAttributes([{ key: SccEventIdKey, value: crewEvent.sccEventId }]);
    toDoByHand.unshift(
      `Cancel SCC crew event ${crewEvent.sccEventId} and tell the crew (${crew.map((c) => c.id).join(', ')})`,
    );

    enter('AWAITING_CREW');
    const deadline = confirmationDeadline(
      workflowInfo().startTime.getTime(),
      Date.parse(booking.charter.start),
      input.crewConfirmation.timeoutMs,
      input.crewConfirmation.leadBeforeStartMs,
    );
    status.crewDeadline = new Date(deadline).toISOString();
    const remaining = deadline - Date.now();
    const allAnswered =
      everyoneAnswered(crew, answers) ||
      (remaining > 0 && (await condition(() => everyoneAnswered(crew, answers), remaining)));
    deadlinePassed = !allAnswered;
    refreshCrew();
    status.crewOutcome = !allAnswered
      ? 'TIMED_OUT'
      : status.crew.every((m) => m.status === 'accepted')
        ? 'ALL_CONFIRMED'
        : 'ALL_ANSWERED';

    enter('PUBLISHING_PAGE');
    // Registered before the first publish: a cancellation while it is in flight may leave a page behind.
    compensations.unshift({
      what: 'Guest page replaced by a "cancelled" notice on every site, calendar file deleted, CloudFront invalidated',
      undo: () =>
        publishing.withdrawGuestPage.executeWithOptions({ summary: 'Withdraw the guest page' }, [
          { tenant, workflowId, slug, version: ++lastPageVersion },
        ]),
    });
    let published = await publishPage();

    enter('EMAILING_OPS');
    /** Whose answers ops have been told about; a later answer gets a crew update. */
    const toldOps = new Set(Object.keys(answers));
    let crewUpdates = 0;
    const sent = await mail.sendOpsSummary.executeWithOptions(
      { summary: `Ops summary email (crew ${status.crewOutcome})` },
      [
        {
          ...ref,
          crew: status.crew,
          pages: status.pages,
          jadaEventId: calendar.jadaEventId,
          sccEventId: crewEvent.sccEventId,
        },
      ],
    );
    status.opsEmailMessageId = sent.messageId;

    if (patched(KEEP_PAGE_CURRENT_PATCH)) {
      enter('KEEPING_PAGE_CURRENT');
      for (let next = nextPageChange(window, published, windowPolicy.refreshEveryMs); next !== undefined;) {
        // Durable timer, or an earlier wake-up by a late crew answer. After a timer, workflow time is
        // at or past `next`, so the state the page is published in is the one the timer waited for.
        const shown = published.crewVersion;
        await condition(() => crewVersion !== shown, Math.max(1, next - Date.now()));
        refreshCrew();
        published = await publishPage();
        const news = Object.keys(answers).filter((id) => !toldOps.has(id));
        if (news.length > 0 && patched(CREW_UPDATE_PATCH)) {
          crewUpdates += 1;
          await mail.sendCrewUpdate.executeWithOptions({ summary: `Crew update ${crewUpdates} to ops` }, [
            { ...ref, crew: status.crew, changed: news, sequence: crewUpdates },
          ]);
          news.forEach((id) => toldOps.add(id));
        }
        next = nextPageChange(window, published, windowPolicy.refreshEveryMs);
      }
    }

    enter('COMPLETED');
    await condition(allHandlersFinished);
    return status;
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => compensate(status.stage));
      throw err;
    }
    const stoppedAt = status.stage;
    status.failure = describeFailure(err);
    enter('FAILED');
    throw ApplicationFailure.nonRetryable(
      `Booking ${booking.bookingId} stopped at ${stoppedAt}: ${status.failure}`,
      'BookingFulfillmentFailed',
    );
  }
}

/** The activity's own message names the system and the fix; the wrapper around it adds nothing for ops. */
function describeFailure(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}
