import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { FastifyInstance } from 'fastify';
import type { Booking } from '../../../src/domain/booking';
import { startTracing, type Tracing } from '../../../src/telemetry/tracing';
import { clientTracingInterceptors } from '../../../src/telemetry/temporal-tracing';
import type { bookingLifecycle } from '../../../workflows/booking-lifecycle';
import type { crewRosters } from '../../../workflows/ops-digest';
import { crewResponseSignal } from '../../../workflows/messages';
import { opsSummaryMessageId } from '../../../src/mail/message-id';
import { sampleBooking } from '../../../sim/samples';
import { testDataConverter } from '../../support/codec';
import { replayOptions } from '../../support/histories';
import { testServers } from '../../support/temporal';
import {
  CREW_CALLBACK_KEY,
  INTAKE_KEY,
  listenOnHarness,
  startFulfillmentHarness,
  type FulfillmentHarness,
} from '../../support/fulfillment';
import { waitFor, waitForStage } from '../../support/wait';

const iso = (ms: number) => new Date(ms).toISOString();

/** The activities one booking runs, from intake to the ops summary and the close of the upload window. */
const BOOKING_ACTIVITIES = ['createCalendarEntry', 'createCrewEvent', 'publishGuestPage', 'sendOpsSummary'];

/**
 * One booking, traced as production traces it but in this process: the service's HTTP spans and
 * Temporal client spans, the worker's activity spans and the workflow's spans (through the sink), all
 * into one in-memory exporter. The booking's whole fulfilment is one trace under its intake request.
 */
describe('one trace per booking', () => {
  const spans = new InMemorySpanExporter();
  let tracing: Tracing;
  let h: FulfillmentHarness;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    tracing = startTracing({ serviceName: 'booking-trace-test', destinations: [] }, [new SimpleSpanProcessor(spans)]);
    h = await startFulfillmentHarness({
      tracing,
      crewTimeoutMs: 60_000,
      // Seconds, so the booking completes (and its workflow span ends) within the test.
      uploadWindow: { openBeforeStartMs: 1000, closeAfterEndMs: 1000, refreshEveryMs: 60_000 },
    });
    const client = new Client({
      connection: h.temporal.client.connection,
      dataConverter: testDataConverter(),
      interceptors: clientTracingInterceptors(tracing),
    });
    ({ app, base } = await listenOnHarness(h, { client, tracer: tracing.tracer }));
  });
  afterAll(async () => {
    await app?.close();
    await h?.stop();
    await tracing?.shutdown();
  });

  const post = (path: string, key: string, body: unknown) =>
    fetch(`${base}/tenants/${h.tenant.id}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-service-key': key },
      body: JSON.stringify(body),
    });

  test('from the intake request through the workflow and each activity to the email, one trace; no guest detail in it', async () => {
    const now = Date.now();
    const booking: Booking = sampleBooking({
      charter: { start: iso(now + 10_000), end: iso(now + 11_000), timeZone: 'America/Los_Angeles' },
    });
    const intake = await post('/bookings', INTAKE_KEY, booking);
    expect(intake.status).toBe(202);
    const { workflowId } = (await intake.json()) as { workflowId: string };
    const handle = h.temporal.client.workflow.getHandle<typeof bookingLifecycle>(workflowId);
    await waitForStage(handle, 'AWAITING_CREW');
    for (const member of booking.crew!) {
      const answer = await post('/crew-responses', CREW_CALLBACK_KEY, {
        workflowId,
        crewId: member.id,
        response: 'accepted',
        respondedAt: iso(Date.now()),
      });
      expect(answer.status).toBe(202);
    }
    expect((await handle.result()).stage).toBe('COMPLETED');
    expect(h.smtp.messages.length).toBeGreaterThanOrEqual(1);

    const finished = await waitFor(
      async () => spans.getFinishedSpans(),
      (all) => all.some((s) => s.name === 'RunWorkflow:bookingLifecycle'),
      10_000,
    );
    const request = finished.find(
      (s) => s.name === 'POST /tenants/:tenant/bookings' && s.attributes['http.response.status_code'] === 202,
    );
    expect(request).toBeDefined();
    const traceId = request!.spanContext().traceId;
    const trace = finished.filter((s) => s.spanContext().traceId === traceId);
    const named = (name: string) => trace.filter((s) => s.name === name);

    // The chain: HTTP request -> workflow start (client) -> workflow run -> each activity.
    const [start] = named('StartWorkflow:bookingLifecycle');
    expect(start?.parentSpanId).toBe(request!.spanContext().spanId);
    const [run] = named('RunWorkflow:bookingLifecycle');
    expect(run?.parentSpanId).toBe(start!.spanContext().spanId);
    // The page is published more than once (crew confirmed, then the upload window's opening and close).
    for (const activity of BOOKING_ACTIVITIES) {
      const scheduled = named(`StartActivity:${activity}`);
      const executed = named(`RunActivity:${activity}`);
      expect({ activity, runs: executed.length > 0 }).toEqual({ activity, runs: true });
      for (const s of scheduled) expect(s.parentSpanId).toBe(run!.spanContext().spanId);
      const scheduledIds = scheduled.map((s) => s.spanContext().spanId);
      for (const e of executed) {
        expect(scheduledIds).toContain(e.parentSpanId);
        expect(e.attributes.temporalWorkflowId).toBe(workflowId);
      }
    }
    expect(named('RunActivity:sendOpsSummary')).toHaveLength(1);
    // Every span of the trace hangs from the request: nothing is orphaned in another trace.
    const ids = new Set(trace.map((s) => s.spanContext().spanId));
    for (const span of trace) if (span !== request) expect(ids.has(span.parentSpanId!)).toBe(true);
    const activityTraces = new Set(
      finished
        .filter((s) => s.name.startsWith('RunActivity:') && s.attributes.temporalWorkflowId === workflowId)
        .map((s) => s.spanContext().traceId),
    );
    expect([...activityTraces]).toEqual([traceId]);

    // Crew answers are their own requests (their own traces); the signal's handling is under them.
    const callbacks = finished.filter((s) => s.name === 'POST /tenants/:tenant/crew-responses');
    expect(callbacks).toHaveLength(2);

    expect(piiIn(finished, booking)).toEqual([]);

    // Its history carries the sampled context it was started with, and replays on the bundle.
    const history = await handle.fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    expect(Object.keys(started?.header?.fields ?? {})).toContain('_tracer-data');
    await Worker.runReplayHistory(replayOptions(testServers().bundlePath), history, workflowId);
  });

  test('a booking started without trace context records nothing; a traced crew answer to it records its own spans', async () => {
    const now = Date.now();
    const booking: Booking = sampleBooking({
      charter: { start: iso(now + 10_000), end: iso(now + 11_000), timeZone: 'America/Los_Angeles' },
    });
    // The run's own client has no tracing interceptors: what the service and the worker start with tracing off.
    const handle = await h.start(booking);
    const { workflowId } = handle;
    await waitForStage(handle, 'AWAITING_CREW');
    const [first, ...others] = booking.crew!;
    const traced = await post('/crew-responses', CREW_CALLBACK_KEY, {
      workflowId,
      crewId: first!.id,
      response: 'accepted',
      respondedAt: iso(Date.now()),
    });
    expect(traced.status).toBe(202);
    for (const member of others) {
      await handle.signal(crewResponseSignal, {
        crewId: member.id,
        response: 'accepted',
        respondedAt: iso(Date.now()),
      });
    }
    expect((await handle.result()).stage).toBe('COMPLETED');
    expect(h.smtp.messages.map((m) => m.messageId)).toContain(opsSummaryMessageId(workflowId));

    // Workflow spans carry the workflow's id, activity spans temporalWorkflowId.
    const ofBooking = (s: ReadableSpan) =>
      s.attributes.workflowId === workflowId || s.attributes.temporalWorkflowId === workflowId;
    const recorded = await waitFor(
      async () => spans.getFinishedSpans().filter(ofBooking),
      (mine) => mine.some((s) => s.name === 'HandleSignal:crewResponse'),
      10_000,
    );
    // Only the traced answer: the service's signal and the workflow's handling of it, in the callback
    // request's trace. No run, activity or untraced signal span.
    expect(recorded.map((s) => s.name).sort()).toEqual(['HandleSignal:crewResponse', 'SignalWorkflow:crewResponse']);
    const callbacks = spans.getFinishedSpans().filter((s) => s.name === 'POST /tenants/:tenant/crew-responses');
    const traceIds = new Set(recorded.map((s) => s.spanContext().traceId));
    expect(traceIds.size).toBe(1);
    expect(callbacks.map((s) => s.spanContext().traceId)).toContain([...traceIds][0]);

    // Started without context, one signal with it: the unrecorded spans replay as the recorded ones do.
    await Worker.runReplayHistory(replayOptions(testServers().bundlePath), await handle.fetchHistory(), workflowId);
  });

  test('a scheduled workflow, which no traced caller starts, is a trace of its own', async () => {
    const workflowId = `rosters-trace-${Date.now().toString(36)}`;
    // Started as its schedule starts it: no trace context in the headers.
    await h.temporal.client.workflow.execute<typeof crewRosters>('crewRosters', {
      taskQueue: h.taskQueue,
      workflowId,
      args: [{ tenant: h.tenant.id, leadMs: 60_000, periodMs: 60_000 }],
    });
    const mine = await waitFor(
      async () =>
        spans
          .getFinishedSpans()
          .filter((s) => s.attributes.workflowId === workflowId || s.attributes.temporalWorkflowId === workflowId),
      (all) =>
        all.some((s) => s.name === 'RunWorkflow:crewRosters') && all.some((s) => s.name.startsWith('RunActivity:')),
      10_000,
    );
    const run = mine.find((s) => s.name === 'RunWorkflow:crewRosters')!;
    expect(run.parentSpanId).toBeUndefined();
    const activity = mine.find((s) => s.name === 'RunActivity:findCrewRosters');
    expect(activity?.spanContext().traceId).toBe(run.spanContext().traceId);
  });
});

/** Any guest name, email, phone or note text found anywhere in the spans (names, attributes, events, status). */
function piiIn(spans: ReadableSpan[], booking: Booking): string[] {
  const text = JSON.stringify(
    spans.map((s) => ({
      name: s.name,
      attributes: s.attributes,
      events: s.events,
      status: s.status,
      resource: s.resource.attributes,
    })),
  );
  const guest = booking.guest;
  const secrets = [guest.name, ...guest.name.split(' '), guest.email!, guest.phone!, booking.notes!];
  return secrets.filter((secret) => text.includes(secret));
}
