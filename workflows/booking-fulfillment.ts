import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { crewRoster, everyoneAnswered, recordCrewResponse, type CrewResponse } from '../src/domain/crew';
import { confirmationDeadline } from '../src/domain/time';
import { crewResponseSignal, statusQuery } from './messages';
import { FulfillmentStageKey } from './search-attributes';
import type { BookingFulfillmentInput, BookingFulfillmentResult, BookingStatus, FulfillmentStage } from './types';

/**
 * Timeout profiles (STYLE: group proxies by profile). Every call has a start-to-close timeout, and
 * retries are bounded by time rather than count: an outage of JADA or SCC for an afternoon should
 * delay a booking, not fail it, while a wrong key fails at once (non-retryable).
 */
const externalApi = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '6 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

const publishing = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: '6 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

const mail = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '6 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * BookingFulfillment: calendar entry -> crew event -> wait for crew answers until everyone answered or
 * the deadline -> guest page on every site -> ops summary email.
 */
export async function bookingFulfillment(input: BookingFulfillmentInput): Promise<BookingFulfillmentResult> {
  const { tenant, booking, crew, slug } = input;
  const { workflowId } = workflowInfo();
  const ref = { tenant, workflowId, booking };
  const answers: Record<string, CrewResponse> = {};
  let deadlinePassed = false;

  const status: BookingStatus = {
    workflowId,
    tenant,
    bookingId: booking.bookingId,
    source: booking.source,
    stage: 'CREATING_CALENDAR_ENTRY',
    crew: crewRoster(crew, answers, false),
    pages: [],
    timestamps: { RECEIVED: new Date(Date.now()).toISOString() },
  };

  const refreshCrew = () => {
    status.crew = crewRoster(crew, answers, deadlinePassed);
    const answered = status.crew.filter((m) => m.status === 'accepted' || m.status === 'declined').length;
    setCurrentDetails(
      [`**${status.stage}**`, `Crew answered ${answered}/${crew.length}:`, ...status.crew.map((m) => `- ${m.role} ${m.id}: ${m.status}`)].join('\n'),
    );
  };

  const enter = (stage: FulfillmentStage) => {
    status.stage = stage;
    status.timestamps[stage] = new Date(Date.now()).toISOString();
    upsertSearchAttributes([{ key: FulfillmentStageKey, value: stage }]);
    refreshCrew();
  };

  setHandler(crewResponseSignal, (response) => {
    const outcome = recordCrewResponse(answers, crew, response);
    if (outcome === 'recorded') log.info('Crew answer recorded', { crewId: response.crewId, response: response.response });
    else log.warn('Crew answer ignored', { crewId: response.crewId, reason: outcome });
    refreshCrew();
  });
  setHandler(statusQuery, () => status);

  try {
    enter('CREATING_CALENDAR_ENTRY');
    const calendar = await externalApi.createCalendarEntry(ref);
    status.jadaEventId = calendar.jadaEventId;

    enter('CREATING_CREW_EVENT');
    const crewEvent = await externalApi.createCrewEvent({ ...ref, crew });
    status.sccEventId = crewEvent.sccEventId;

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
      everyoneAnswered(crew, answers) || (remaining > 0 && (await condition(() => everyoneAnswered(crew, answers), remaining)));
    deadlinePassed = !allAnswered;
    refreshCrew();
    status.crewOutcome = !allAnswered
      ? 'TIMED_OUT'
      : status.crew.every((m) => m.status === 'accepted')
        ? 'ALL_CONFIRMED'
        : 'ALL_ANSWERED';

    enter('PUBLISHING_PAGE');
    const publication = await publishing.publishGuestPage({ ...ref, slug, crew: status.crew, version: 1 });
    status.pages = publication.pages.map(({ site, url }) => ({ site, url }));

    enter('EMAILING_OPS');
    const sent = await mail.sendOpsSummary({
      ...ref,
      crew: status.crew,
      pages: status.pages,
      jadaEventId: calendar.jadaEventId,
      sccEventId: crewEvent.sccEventId,
    });
    status.opsEmailMessageId = sent.messageId;

    enter('COMPLETED');
    await condition(allHandlersFinished);
    return status;
  } catch (err) {
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
