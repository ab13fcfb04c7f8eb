import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { statusQuery } from '../../../workflows/messages';
import {
  sampleFareHarborCancellation,
  sampleFareHarborDelivery,
  sampleFareHarborRebooking,
  type FareHarborWebhook,
} from '../../../sim/samples';
import { listenOnHarness, startFulfillmentHarness, type FulfillmentHarness } from '../../support/fulfillment';
import { waitFor } from '../../support/wait';

const SECRET = 'fh-integration-9Kq3VxT7mW2pL8rZ5nB4';

/**
 * FareHarbor's webhook through the real service, a Temporal dev server and a worker: each status,
 * a rebooking, a replayed delivery, a changed one, and what is refused. What a change or a
 * cancellation then does to JADA, SCC, the page and ops is the workflow tests'.
 */
describe('the FareHarbor webhook', () => {
  let h: FulfillmentHarness;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    h = await startFulfillmentHarness({
      crewTimeoutMs: 60_000,
      tenant: (tenant) => ({
        ...tenant,
        channels: {
          fareharbor: {
            secretHash: createHash('sha256').update(SECRET).digest('hex'),
            timeZone: 'Pacific/Honolulu',
          },
        },
      }),
    });
    ({ app, base } = await listenOnHarness(h));
  });
  afterAll(async () => {
    await app?.close();
    await h?.stop();
  });

  const deliver = async (body: unknown, secret = SECRET) => {
    const res = await fetch(`${base}/tenants/${h.tenant.id}/channels/fareharbor/${secret}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const workflowIdOf = (uuid: string) => `booking-${h.tenant.id}-fareharbor-${uuid}`;
  const handle = (workflowId: string) => h.temporal.client.workflow.getHandle(workflowId);
  const statusOf = (workflowId: string) => handle(workflowId).query(statusQuery);
  const historyEvents = async (workflowId: string) => (await handle(workflowId).fetchHistory()).events?.length ?? 0;
  const closedAs = (workflowId: string, status: string) =>
    waitFor(
      () => handle(workflowId).describe(),
      (d) => d.status.name === status,
      30_000,
    );

  async function booked(delivery: FareHarborWebhook = sampleFareHarborDelivery()) {
    const workflowId = workflowIdOf(delivery.booking.uuid);
    const first = await deliver(delivery);
    expect(first).toEqual({
      status: 200,
      body: { workflowId, statusUrl: expect.stringContaining('source=fareharbor') },
    });
    await waitFor(
      () => statusOf(workflowId),
      (s) => s.stage === 'AWAITING_CREW',
      20_000,
    );
    return { delivery, workflowId };
  }

  test('booked starts the booking with the mapped details; the same delivery again changes and starts nothing', async () => {
    const { delivery, workflowId } = await booked();
    const status = await statusOf(workflowId);
    expect(status.booking).toMatchObject({
      source: 'fareharbor',
      bookingId: delivery.booking.uuid,
      charter: { start: '2027-05-29T10:00:00-10:00', end: '2027-05-29T13:00:00-10:00', timeZone: 'Pacific/Honolulu' },
      guest: { partySize: 6 },
      boat: 'Sea Breeze',
      pricing: { currency: 'USD', base: 120000, tax: 9800 },
    });
    const before = await historyEvents(workflowId);
    const again = await deliver(delivery);
    expect(again).toEqual({ status: 200, body: { workflowId, changed: [], statusUrl: expect.any(String) } });
    // A payment or check-in webhook is the same booking to us.
    const paid = await deliver({ booking: { ...delivery.booking, amount_paid: 129800, checkin_status: 'x' } });
    expect(paid.body.changed).toEqual([]);
    expect(await historyEvents(workflowId)).toBe(before);
    expect((await statusOf(workflowId)).revision).toBe(1);
    await handle(workflowId).terminate('test done');
  });

  test('a changed booked delivery changes the running booking', async () => {
    const { delivery, workflowId } = await booked();
    const moved = sampleFareHarborDelivery({
      uuid: delivery.booking.uuid,
      startAt: '2027-05-30T09:00:00-1000',
      endAt: '2027-05-30T12:30:00-1000',
      customerCount: 8,
    });
    const changed = await deliver(moved);
    expect(changed).toEqual({
      status: 200,
      body: {
        workflowId,
        changed: ['guest.partySize', 'charter.start', 'charter.end'],
        revision: 2,
        statusUrl: expect.any(String),
      },
    });
    const status = await statusOf(workflowId);
    expect(status.booking?.charter.start).toBe('2027-05-30T09:00:00-10:00');
    expect(status.changes?.[0]).toMatchObject({ revision: 2, channel: 'fareharbor' });
    await handle(workflowId).terminate('test done');
  });

  test('cancelled cancels the booking; the same cancellation again is still 200', async () => {
    const { delivery, workflowId } = await booked();
    const cancelled = await deliver(sampleFareHarborCancellation(delivery.booking.uuid));
    expect(cancelled).toEqual({
      status: 200,
      body: { workflowId, cancellation: 'requested', statusUrl: expect.any(String) },
    });
    await closedAs(workflowId, 'CANCELLED');
    const again = await deliver(sampleFareHarborCancellation(delivery.booking.uuid));
    expect(again).toMatchObject({
      status: 200,
      body: { workflowId, cancellation: 'already-finished', workflowStatus: 'CANCELLED' },
    });
  });

  test('a rebooking: the old booking rebooked is cancelled, the new one booked is started', async () => {
    const { delivery, workflowId: oldId } = await booked();
    const rebooking = sampleFareHarborRebooking(delivery.booking.uuid);
    const newId = workflowIdOf(rebooking.new.booking.uuid);
    const old = await deliver(rebooking.old);
    expect(old).toEqual({
      status: 200,
      body: {
        workflowId: oldId,
        cancellation: 'requested',
        rebookedTo: rebooking.new.booking.uuid,
        statusUrl: expect.any(String),
      },
    });
    await closedAs(oldId, 'CANCELLED');
    const started = await deliver(rebooking.new);
    expect(started).toEqual({
      status: 200,
      body: {
        workflowId: newId,
        statusUrl: expect.any(String),
        rebookedFrom: { workflowId: oldId, cancellation: 'already-finished', workflowStatus: 'CANCELLED' },
      },
    });
    await waitFor(
      () => statusOf(newId),
      (s) => s.stage === 'AWAITING_CREW',
      20_000,
    );
    expect((await statusOf(newId)).booking?.charter.start).toBe('2027-05-30T10:00:00-10:00');
    await handle(newId).terminate('test done');
  });

  test('a rebooking whose old booking sends nothing (a "creations only" webhook): the new booking ends the old', async () => {
    const { delivery, workflowId: oldId } = await booked();
    const rebooking = sampleFareHarborRebooking(delivery.booking.uuid);
    const started = await deliver(rebooking.new);
    expect(started.status).toBe(200);
    expect(started.body.rebookedFrom).toEqual({ workflowId: oldId, cancellation: 'requested' });
    await closedAs(oldId, 'CANCELLED');
    await handle(workflowIdOf(rebooking.new.booking.uuid)).terminate('test done');
  });

  test('a wrong secret is 404 and malformed bodies are 400 with the reason; neither starts anything', async () => {
    const delivery = sampleFareHarborDelivery();
    expect(await deliver(delivery, 'not-the-secret')).toEqual({ status: 404, body: { error: 'not found' } });
    const noUuid = await deliver(sampleFareHarborDelivery({ booking: { uuid: undefined } }));
    expect(noUuid).toEqual({
      status: 400,
      body: { error: 'invalid FareHarbor delivery', fields: [{ path: 'booking.uuid', message: 'is required' }] },
    });
    const noAvailability = await deliver({ booking: { ...delivery.booking, availability: undefined } });
    expect(noAvailability.status).toBe(400);
    expect(noAvailability.body.fields).toEqual([{ path: 'booking.availability', message: 'is required' }]);
    const invalid = await deliver({ booking: { ...delivery.booking, customer_count: 0, receipt_subtotal: null } });
    expect(invalid.status).toBe(400);
    expect((invalid.body.fields as { path: string }[]).map((f) => f.path).sort()).toEqual([
      'booking.customer_count',
      'booking.receipt_subtotal',
    ]);
    expect((await deliver('{"booking":')).status).toBe(400);
    await expect(handle(workflowIdOf(delivery.booking.uuid)).describe()).rejects.toThrow();
  });
});
