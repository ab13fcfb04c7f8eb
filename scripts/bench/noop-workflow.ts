// The pipeline benchmark's floor: bookingFulfillment's shape with nothing behind it. Same input, the
// same activities in the same order (each a no-op, see noop-activities.ts), the crew answers arriving
// as crewResponse signals, the same search-attribute upserts (FulfillmentStage for resting stages only,
// as bookingLifecycle under its fulfillment-stage-resting-only patch; that patch's marker and its
// TemporalChangeVersion upsert, two events per run, aside) and current details, then a long timer like
// the real one keeping the page current. What it costs is Temporal's and the SDK's share of a booking;
// the rest of the real workflow's cost is the product's and its stand-ins'.
import {
  condition,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { workflowInfo } from '@temporalio/workflow';
import { isRestingStage } from '../../src/domain/lifecycle-plan';
import { crewRoster, everyoneAnswered, recordCrewResponse, type CrewResponse } from '../../src/domain/crew';
import { DEFAULT_UPLOAD_WINDOW, confirmationDeadline, uploadWindow, uploadWindowState } from '../../src/domain/time';
import { crewResponseSignal } from '../../workflows/messages';
import { FulfillmentStageKey, SccEventIdKey } from '../../workflows/search-attributes';
import type { BookingFulfillmentInput, FulfillmentStage } from '../../workflows/types';
import type { NoopActivities } from './noop-activities';

const noop = proxyActivities<NoopActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '6 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

export async function noopBookingFulfillment(input: BookingFulfillmentInput): Promise<void> {
  const { tenant, booking, crew, slug } = input;
  const { workflowId, startTime } = workflowInfo();
  const ref = { tenant, workflowId, booking };
  const answers: Record<string, CrewResponse> = {};
  const window = uploadWindow(booking.charter, input.uploadWindow ?? DEFAULT_UPLOAD_WINDOW);

  const enter = (stage: FulfillmentStage) => {
    if (isRestingStage(stage)) upsertSearchAttributes([{ key: FulfillmentStageKey, value: stage }]);
    setCurrentDetails(`**${stage}**`);
  };
  setHandler(crewResponseSignal, (response) => void recordCrewResponse(answers, crew, response));

  enter('CREATING_CALENDAR_ENTRY');
  const calendar = await noop.createCalendarEntry.executeWithOptions({ summary: 'JADA calendar entry' }, [ref]);

  enter('CREATING_CREW_EVENT');
  const crewEvent = await noop.createCrewEvent.executeWithOptions({ summary: 'SCC crew event' }, [{ ...ref, crew }]);
  upsertSearchAttributes([{ key: SccEventIdKey, value: crewEvent.sccEventId }]);

  enter('AWAITING_CREW');
  const deadline = confirmationDeadline(
    startTime.getTime(),
    Date.parse(booking.charter.start),
    input.crewConfirmation.timeoutMs,
    input.crewConfirmation.leadBeforeStartMs,
  );
  const allAnswered =
    everyoneAnswered(crew, answers) || (await condition(() => everyoneAnswered(crew, answers), deadline - Date.now()));
  const roster = crewRoster(crew, answers, !allAnswered);

  enter('PUBLISHING_PAGE');
  const uploadState = uploadWindowState(window, Date.now());
  const publication = await noop.publishGuestPage.executeWithOptions({ summary: 'Guest page v1 to every site' }, [
    { ...ref, slug, crew: roster, version: 1, uploadWindow: window, uploadState },
  ]);

  enter('EMAILING_OPS');
  await noop.sendOpsSummary.executeWithOptions({ summary: 'Ops summary email' }, [
    {
      ...ref,
      crew: roster,
      pages: publication.pages,
      jadaEventId: calendar.jadaEventId,
      sccEventId: crewEvent.sccEventId,
    },
  ]);

  enter('KEEPING_PAGE_CURRENT');
  // The real workflow's next wake-up for a page that is not open yet: the window opening, weeks away.
  await condition(() => false, Math.max(1, window.opensAt - Date.now()));
}
