import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Booking } from '../../../src/domain/booking';
import { fulfillmentInput } from '../../../src/service/start-booking';
import { temporalReachable } from '../../../src/service/temporal';
import type { bookingFulfillment } from '../../../workflows/booking-fulfillment';
import { crewResponseSignal, statusQuery } from '../../../workflows/messages';
import { BookingIdKey, TenantKey } from '../../../workflows/search-attributes';
import type { BookingStatus } from '../../../workflows/types';
import { sampleBooking } from '../../../sim/samples';
import { testDataConverter } from '../../support/codec';
import { testServers } from '../../support/temporal';
import {
  CREW_CALLBACK_KEY,
  INTAKE_KEY,
  startFulfillmentHarness,
  type FulfillmentHarness,
  listenOnHarness,
} from '../../support/fulfillment';
import { waitFor, waitForStage } from '../../support/wait';

const iso = (ms: number) => new Date(ms).toISOString();

interface IntakeAnswer {
  workflowId: string;
  statusUrl: string;
}

/**
 * The HTTP service over real HTTP, against the run's Temporal dev server and a real worker: intake
 * starts one workflow however often a booking is delivered, crew answers become signals that finish
 * it, and a closed booking refuses further answers.
 */
describe('HTTP service with a real Temporal server and worker', () => {
  let h: FulfillmentHarness;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    h = await startFulfillmentHarness({
      crewTimeoutMs: 60_000,
      // Seconds, so a booking a few seconds ahead completes within the test (see 'crew answers ...').
      uploadWindow: { openBeforeStartMs: 1000, closeAfterEndMs: 1000, refreshEveryMs: 60_000 },
    });
    ({ app, base } = await listenOnHarness(h));
  });
  afterAll(async () => {
    await app?.close();
    await h?.stop();
  });

  const url = (path: string) => `${base}/tenants/${h.tenant.id}${path}`;
  const post = (path: string, key: string, body: unknown) =>
    fetch(url(path), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-service-key': key },
      body: JSON.stringify(body),
    });
  const postBooking = (booking: Booking) => post('/bookings', INTAKE_KEY, booking);
  const postCrewAnswer = (workflowId: string, crewId: string) =>
    post('/crew-responses', CREW_CALLBACK_KEY, {
      workflowId,
      crewId,
      response: 'accepted',
      respondedAt: iso(Date.now()),
    });
  const getStatus = (bookingId: string) =>
    fetch(url(`/bookings/${bookingId}`), { headers: { 'x-service-key': INTAKE_KEY } });

  test('a new booking is 202; the same delivery again is 200 with the same body; its status is served', async () => {
    const booking = sampleBooking();
    const first = await postBooking(booking);
    expect(first.status).toBe(202);
    const created = (await first.json()) as IntakeAnswer;
    expect(created).toEqual({
      workflowId: `booking-${h.tenant.id}-boatsetter-${booking.bookingId}`,
      statusUrl: `${url(`/bookings/${booking.bookingId}`)}?source=boatsetter`,
    });

    const again = await postBooking(booking);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ ...created, changed: [] });

    const status = await waitFor(
      async () => fetch(created.statusUrl, { headers: { 'x-service-key': INTAKE_KEY } }),
      (res) => res.status === 200,
      10_000,
    );
    const body = (await status.json()) as BookingStatus;
    expect(body).toMatchObject({
      workflowId: created.workflowId,
      tenant: h.tenant.id,
      bookingId: booking.bookingId,
      source: 'boatsetter',
    });
    expect(body.crew.map((m) => m.id)).toEqual(booking.crew!.map((m) => m.id));
  });

  test('20 concurrent deliveries of one new booking start exactly one workflow', async () => {
    const booking = sampleBooking();
    const answers = await Promise.all(Array.from({ length: 20 }, () => postBooking(booking)));
    const bodies = await Promise.all(answers.map(async (res) => (await res.json()) as IntakeAnswer));
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(19);
    const workflowId = bodies[0]!.workflowId;
    for (const body of bodies) expect(body.workflowId).toBe(workflowId);

    const runs = await waitFor(
      async () => {
        const found: string[] = [];
        for await (const wf of h.temporal.client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
          found.push(wf.runId);
        return found;
      },
      (found) => found.length > 0,
      10_000,
    );
    expect(runs).toHaveLength(1);
  });

  test('a crew answer for a booking that does not exist is 404', async () => {
    const res = await postCrewAnswer(`booking-${h.tenant.id}-boatsetter-no-such-booking`, 'crew-captain-ana');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'unknown booking' });
  });

  test('crew answers over HTTP finish the workflow; an answer after that is 409', async () => {
    const now = Date.now();
    // The crew deadline is the charter start (lead 0); the workflow completes when the upload window
    // closes, one second after the end.
    const booking = sampleBooking({
      charter: { start: iso(now + 10_000), end: iso(now + 11_000), timeZone: 'America/Los_Angeles' },
    });
    const intake = await postBooking(booking);
    expect(intake.status).toBe(202);
    const { workflowId } = (await intake.json()) as IntakeAnswer;
    const handle = h.temporal.client.workflow.getHandle<typeof bookingFulfillment>(workflowId);
    await waitForStage(handle, 'AWAITING_CREW');

    const [captain, mate] = booking.crew!;
    expect((await postCrewAnswer(workflowId, captain!.id)).status).toBe(202);
    const duplicate = await postCrewAnswer(workflowId, captain!.id);
    expect(duplicate.status).toBe(202);
    expect(await duplicate.json()).toEqual({ workflowId, accepted: true });
    expect((await postCrewAnswer(workflowId, mate!.id)).status).toBe(202);

    const result = await handle.result();
    expect(result.stage).toBe('COMPLETED');
    expect(result.crewOutcome).toBe('ALL_CONFIRMED');
    expect(result.crew.map((m) => m.status)).toEqual(['accepted', 'accepted']);

    const late = await postCrewAnswer(workflowId, mate!.id);
    expect(late.status).toBe(409);
    expect(await late.json()).toEqual({
      error: 'the booking no longer takes crew answers',
      workflowId,
      workflowStatus: 'COMPLETED',
    });

    const status = await getStatus(booking.bookingId);
    expect(status.status).toBe(200);
    expect(((await status.json()) as BookingStatus).stage).toBe('COMPLETED');
  });

  test('a crew answer is one Temporal call (the signal) while the booking runs; a closed one is described, and another tenant never reached', async () => {
    // A service of its own whose connection records every gRPC method it calls on Temporal.
    const calls: string[] = [];
    const recordCalls: Interceptor = (options, next) => {
      calls.push(options.method_definition.path.split('/').pop()!);
      return new InterceptingCall(next(options));
    };
    const connection = await Connection.connect({ address: testServers().address, interceptors: [recordCalls] });
    const counted = await listenOnHarness(h, {
      client: new Client({ connection, dataConverter: testDataConverter() }),
    });
    const answer = (workflowId: string, crewId: string) =>
      fetch(`${counted.base}/tenants/${h.tenant.id}/crew-responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-service-key': CREW_CALLBACK_KEY },
        body: JSON.stringify({ workflowId, crewId, response: 'accepted', respondedAt: iso(Date.now()) }),
      });
    try {
      const booking = sampleBooking();
      const { workflowId } = (await (await postBooking(booking)).json()) as IntakeAnswer;
      const handle = h.temporal.client.workflow.getHandle<typeof bookingFulfillment>(workflowId);
      await waitForStage(handle, 'AWAITING_CREW');
      const [captain, mate] = booking.crew!;

      calls.length = 0;
      expect((await answer(workflowId, captain!.id)).status).toBe(202);
      expect(calls).toEqual(['SignalWorkflowExecution']);
      await waitFor(
        () => handle.query(statusQuery),
        (s) => s.crew.find((m) => m.id === captain!.id)?.status === 'accepted',
        10_000,
      );

      // Defence in depth: an answer signalled for another tenant is ignored by the workflow.
      await handle.signal(crewResponseSignal, {
        crewId: mate!.id,
        response: 'declined',
        respondedAt: iso(Date.now()),
        tenant: 'othertenant',
      });
      // Another tenant's workflow ID is refused before any Temporal call.
      calls.length = 0;
      const foreign = await answer(`booking-othertenant-boatsetter-${booking.bookingId}`, mate!.id);
      expect(foreign.status).toBe(400);
      expect(calls).toEqual([]);
      expect((await handle.query(statusQuery)).crew.find((m) => m.id === mate!.id)?.status).toBe('pending');

      await handle.terminate('test done');
      calls.length = 0;
      const late = await answer(workflowId, mate!.id);
      expect(late.status).toBe(409);
      expect(await late.json()).toEqual({
        error: 'the booking no longer takes crew answers',
        workflowId,
        workflowStatus: 'TERMINATED',
      });
      expect(calls).toEqual(['SignalWorkflowExecution', 'DescribeWorkflowExecution']);

      // Under this tenant's prefix but started for another tenant (never by the service): closed, it is
      // unknown, not a 409 that would reveal it.
      const strayId = `booking-${h.tenant.id}-boatsetter-stray-${booking.bookingId}`;
      const { input } = fulfillmentInput({ ...h.tenant, id: 'othertenant' }, booking, h.settings);
      const stray = await h.temporal.client.workflow.start<typeof bookingFulfillment>('bookingFulfillment', {
        taskQueue: h.taskQueue,
        workflowId: strayId,
        args: [input],
        typedSearchAttributes: [
          { key: BookingIdKey, value: booking.bookingId },
          { key: TenantKey, value: 'othertenant' },
        ],
      });
      await stray.terminate('test done');
      const closedStray = await answer(strayId, captain!.id);
      expect(closedStray.status).toBe(404);
      expect(await closedStray.json()).toEqual({ error: 'unknown booking' });
    } finally {
      await counted.app.close();
      await connection.close();
    }
  });

  test('DELETE cancels a running booking (202); again is 409; unknown is 404; without the key 401', async () => {
    const cancel = (bookingId: string, key = INTAKE_KEY) =>
      fetch(url(`/bookings/${bookingId}`), { method: 'DELETE', headers: { 'x-service-key': key } });
    const booking = sampleBooking();
    const { workflowId } = (await (await postBooking(booking)).json()) as IntakeAnswer;
    const handle = h.temporal.client.workflow.getHandle<typeof bookingFulfillment>(workflowId);
    await waitForStage(handle, 'AWAITING_CREW');

    expect((await cancel(booking.bookingId, 'wrong-key')).status).toBe(401);
    const accepted = await cancel(booking.bookingId);
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toEqual({ workflowId, cancellation: 'requested' });
    await expect(handle.result()).rejects.toThrow();
    expect((await handle.describe()).status.name).toBe('CANCELLED');

    const again = await cancel(booking.bookingId);
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({
      error: 'the booking has already finished',
      workflowId,
      workflowStatus: 'CANCELLED',
    });
    expect((await cancel('no-such-booking')).status).toBe(404);
  });

  test("a crew answer naming SCC's event id instead of the workflow ID reaches the booking; an unknown one is 404", async () => {
    const postByEvent = (eventId: string, crewId: string) =>
      post('/crew-responses', CREW_CALLBACK_KEY, {
        eventId,
        crewId,
        response: 'accepted',
        respondedAt: new Date().toISOString(),
      });
    const booking = sampleBooking();
    const { workflowId } = (await (await postBooking(booking)).json()) as IntakeAnswer;
    const handle = h.temporal.client.workflow.getHandle<typeof bookingFulfillment>(workflowId);
    const { sccEventId } = await waitForStage(handle, 'AWAITING_CREW');

    // Visibility is eventually consistent: the attribute is indexed moments after the event exists.
    const first = await waitFor(
      () => postByEvent(sccEventId!, booking.crew![0]!.id),
      (res) => res.status !== 404,
      10_000,
    );
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ workflowId, accepted: true });
    expect((await postByEvent(sccEventId!, booking.crew![1]!.id)).status).toBe(202);
    const done = await waitForStage(handle, 'KEEPING_PAGE_CURRENT');
    expect(done.crewOutcome).toBe('ALL_CONFIRMED');

    expect((await postByEvent('evt_no_such_event', 'crew-captain-ana')).status).toBe(404);
    await handle.terminate('test done');
  });

  test('booking ids that differ only in case are two bookings, end to end', async () => {
    const id = sampleBooking().bookingId.toUpperCase();
    const bookings = [sampleBooking({ bookingId: id }), sampleBooking({ bookingId: id.toLowerCase() })];
    const answers = await Promise.all(bookings.map(postBooking));
    expect(answers.map((res) => res.status)).toEqual([202, 202]);
    const workflowIds = await Promise.all(answers.map(async (res) => ((await res.json()) as IntakeAnswer).workflowId));
    expect(new Set(workflowIds).size).toBe(2);
    for (const [i, booking] of bookings.entries()) {
      const handle = h.temporal.client.workflow.getHandle<typeof bookingFulfillment>(workflowIds[i]!);
      await waitForStage(handle, 'AWAITING_CREW');
      for (const member of booking.crew!) expect((await postCrewAnswer(workflowIds[i]!, member.id)).status).toBe(202);
      const done = await waitForStage(handle, 'KEEPING_PAGE_CURRENT');
      expect(done.bookingId).toBe(booking.bookingId);
      const status = (await (await getStatus(booking.bookingId)).json()) as BookingStatus;
      expect(status.workflowId).toBe(workflowIds[i]);
      expect(h.jada.events.filter((e) => e.externalId === workflowIds[i])).toHaveLength(1);
      expect(h.scc.events.filter((e) => e.external_id === workflowIds[i])).toHaveLength(1);
      expect(h.smtp.messages.filter((m) => m.messageId === done.opsEmailMessageId)).toHaveLength(1);
      await handle.terminate('test done');
    }
  });

  test('a booking started under its old lower-cased workflow ID still answers status, re-delivery, crew answers and cancel', async () => {
    const booking = sampleBooking({ bookingId: `OLD-${sampleBooking().bookingId}` });
    const legacyId = `booking-${h.tenant.id}-boatsetter-${booking.bookingId}`.toLowerCase();
    // As intake started bookings before ids kept their case: the lower-cased ID, the id as sent in BookingId.
    const { input } = fulfillmentInput(h.tenant, booking, h.settings);
    await h.temporal.client.workflow.start<typeof bookingFulfillment>('bookingFulfillment', {
      taskQueue: h.taskQueue,
      workflowId: legacyId,
      args: [input],
      typedSearchAttributes: [
        { key: BookingIdKey, value: booking.bookingId },
        { key: TenantKey, value: h.tenant.id },
      ],
    });
    const handle = h.temporal.client.workflow.getHandle<typeof bookingFulfillment>(legacyId);
    await waitForStage(handle, 'AWAITING_CREW');

    const status = await getStatus(booking.bookingId);
    expect(status.status).toBe(200);
    expect(((await status.json()) as BookingStatus).workflowId).toBe(legacyId);
    expect((await getStatus(booking.bookingId.toLowerCase())).status).toBe(404);

    const again = await postBooking(booking);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ workflowId: legacyId, changed: [] });
    // The old workflow type takes no changes: a changed re-delivery says so and changes nothing.
    const changed = await postBooking({ ...booking, notes: 'a change the old type cannot take' });
    expect(changed.status).toBe(409);
    expect(await changed.json()).toMatchObject({
      workflowId: legacyId,
      error: expect.stringContaining('started before bookings could change'),
    });

    expect((await postCrewAnswer(legacyId, booking.crew![0]!.id)).status).toBe(202);
    await waitFor(
      () => handle.query(statusQuery),
      (s) => s.crew[0]?.status === 'accepted',
      10_000,
    );

    const cancel = await fetch(url(`/bookings/${booking.bookingId}`), {
      method: 'DELETE',
      headers: { 'x-service-key': INTAKE_KEY },
    });
    expect(cancel.status).toBe(202);
    expect(await cancel.json()).toEqual({ workflowId: legacyId, cancellation: 'requested' });
    await expect(handle.result()).rejects.toThrow();
    expect((await handle.describe()).status.name).toBe('CANCELLED');
  });

  test('the status of a booking that does not exist is 404', async () => {
    const res = await getStatus('no-such-booking');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'unknown booking' });
  });

  test('probes: /healthz 200; /readyz 200 against the dev server, and false for an unreachable one', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    const unreachable = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const started = Date.now();
    await expect(temporalReachable(unreachable, 1000)).resolves.toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
    await unreachable.connection.close();
  });
});
