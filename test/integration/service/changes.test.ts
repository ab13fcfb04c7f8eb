import type { FastifyInstance } from 'fastify';
import type { Booking } from '../../../src/domain/booking';
import { statusQuery } from '../../../workflows/messages';
import type { BookingStatus } from '../../../workflows/types';
import { sampleBooking } from '../../../sim/samples';
import {
  INTAKE_KEY,
  startFulfillmentHarness,
  type FulfillmentHarness,
  listenOnHarness,
} from '../../support/fulfillment';
import { waitFor } from '../../support/wait';

/**
 * Changes over HTTP against a real Temporal server and worker: a re-delivery with new details, an
 * ops PATCH (merge patch), a crew replacement, stale and invalid changes, and a cancelled delivery.
 * What each change does to JADA, SCC, the page and ops is the workflow test's (lifecycle.test.ts).
 */
describe('changing a running booking over HTTP', () => {
  let h: FulfillmentHarness;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    h = await startFulfillmentHarness({ crewTimeoutMs: 60_000 });
    ({ app, base } = await listenOnHarness(h));
  });
  afterAll(async () => {
    await app?.close();
    await h?.stop();
  });

  const url = (path: string) => `${base}/tenants/${h.tenant.id}${path}`;
  const send = async (method: string, path: string, body: unknown, contentType = 'application/json') => {
    const res = await fetch(url(path), {
      method,
      headers: { 'content-type': contentType, 'x-service-key': INTAKE_KEY },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const deliver = (booking: unknown) => send('POST', '/bookings', booking);
  const statusOf = (workflowId: string) => h.temporal.client.workflow.getHandle(workflowId).query(statusQuery);
  const historyEvents = async (workflowId: string) =>
    (await h.temporal.client.workflow.getHandle(workflowId).fetchHistory()).events?.length ?? 0;

  async function started(overrides: Partial<Booking> = {}) {
    const booking = sampleBooking(overrides);
    const first = await deliver(booking);
    expect(first.status).toBe(202);
    const workflowId = first.body.workflowId as string;
    await waitFor(
      () => statusOf(workflowId),
      (s) => s.stage === 'AWAITING_CREW',
      20_000,
    );
    return { booking, workflowId };
  }

  test('a re-delivery: identical is 200 changed []; changed is 200 with the field paths and the booking holds them', async () => {
    const { booking, workflowId } = await started();
    const same = await deliver(booking);
    expect(same).toEqual({ status: 200, body: { workflowId, statusUrl: expect.any(String), changed: [] } });

    const moved = {
      ...booking,
      charter: { ...booking.charter, start: '2027-05-30T10:00:00-07:00', end: '2027-05-30T14:00:00-07:00' },
      guest: { ...booking.guest, partySize: 8 },
    };
    const changed = await deliver(moved);
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      workflowId,
      changed: ['guest.partySize', 'charter.start', 'charter.end'],
      revision: 2,
    });
    const status = await statusOf(workflowId);
    expect(status.revision).toBe(2);
    expect(status.booking?.guest.partySize).toBe(8);
    expect(status.changes).toEqual([
      {
        at: expect.any(String),
        revision: 2,
        channel: 'boatsetter',
        fields: ['guest.partySize', 'charter.start', 'charter.end'],
      },
    ]);
    await h.temporal.client.workflow.getHandle(workflowId).terminate('test done');
  });

  test('an older revision than the booking holds is 200 stale, with nothing applied and nothing in history', async () => {
    const { booking, workflowId } = await started({ revision: 7 });
    const before = await historyEvents(workflowId);
    const old = await deliver({ ...booking, revision: 6, notes: 'an older note' });
    expect(old).toEqual({
      status: 200,
      body: {
        workflowId,
        statusUrl: expect.any(String),
        changed: [],
        stale: true,
        reason: expect.stringContaining('older'),
      },
    });
    expect((await statusOf(workflowId)).booking?.notes).toBe(booking.notes);
    expect(await historyEvents(workflowId)).toBe(before);
    await h.temporal.client.workflow.getHandle(workflowId).terminate('test done');
  });

  test('PATCH: a merge patch from ops is 200 {changed}; invalid fields are 400 with every error and change nothing', async () => {
    const { booking, workflowId } = await started();
    const path = `/bookings/${booking.bookingId}?source=boatsetter`;
    const patched = await send(
      'PATCH',
      path,
      { guest: { partySize: 3 }, notes: 'Bring a cake' },
      'application/merge-patch+json',
    );
    expect(patched).toEqual({ status: 200, body: { workflowId, changed: ['guest.partySize', 'notes'], revision: 2 } });
    expect((await statusOf(workflowId)).changes?.[0]?.channel).toBe('ops');

    const invalid = await send('PATCH', path, { guest: { partySize: 0 }, charter: { timeZone: 'Mars/Olympus' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ error: 'invalid booking change' });
    expect((invalid.body.fields as { path: string }[]).map((f) => f.path).sort()).toEqual([
      'charter.timeZone',
      'guest.partySize',
    ]);
    const wrongSource = await send('PATCH', path, { source: 'getmyboat' });
    expect(wrongSource.status).toBe(400);
    expect(wrongSource.body.fields).toEqual([{ path: 'source', message: 'must stay boatsetter' }]);
    expect(await send('PATCH', path, [1])).toMatchObject({ status: 400 });
    expect((await statusOf(workflowId)).revision).toBe(2);
    expect(await send('PATCH', `/bookings/nope-${Date.now()}?source=boatsetter`, { notes: 'x' })).toMatchObject({
      status: 404,
    });
    await h.temporal.client.workflow.getHandle(workflowId).terminate('test done');
  });

  test('POST crew replaces a member; unknown members and bad bodies are refused with the reason', async () => {
    const { booking, workflowId } = await started();
    const path = `/bookings/${booking.bookingId}/crew?source=boatsetter`;
    const replaced = await send('POST', path, {
      replace: 'crew-mate-ben',
      member: { id: 'crew-mate-cy', role: 'Deckhand', name: 'Cy Tran' },
    });
    expect(replaced).toEqual({
      status: 200,
      body: { workflowId, crew: ['crew-captain-ana', 'crew-mate-cy'], revision: 1 },
    });
    const status: BookingStatus = await statusOf(workflowId);
    expect(status.crew.map((m) => m.id)).toEqual(['crew-captain-ana', 'crew-mate-cy']);
    expect(status.crewHistory?.find((s) => s.id === 'crew-mate-ben')).toMatchObject({
      replacedBy: 'crew-mate-cy',
      removedAt: expect.any(String),
    });
    expect(await send('POST', path, { replace: 'crew-mate-ben', member: { id: 'x', role: 'Deckhand' } })).toMatchObject(
      {
        status: 409,
        body: { error: "replace: crew-mate-ben is not on this booking's crew" },
      },
    );
    const bad = await send('POST', path, { member: { id: 'has space', role: '' } });
    expect(bad.status).toBe(400);
    expect((bad.body.fields as { path: string }[]).map((f) => f.path).sort()).toEqual(['member.id', 'member.role']);
    await h.temporal.client.workflow.getHandle(workflowId).terminate('test done');
  });

  test('a delivery with status "cancelled" cancels the booking; a change after that is 409', async () => {
    const { booking, workflowId } = await started();
    const cancelled = await deliver({ ...booking, status: 'cancelled' });
    expect(cancelled).toEqual({
      status: 202,
      body: { workflowId, cancellation: 'requested', statusUrl: expect.any(String) },
    });
    await waitFor(
      () => h.temporal.client.workflow.getHandle(workflowId).describe(),
      (d) => d.status.name === 'CANCELLED',
      30_000,
    );
    const late = await deliver({ ...booking, notes: 'too late' });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ workflowId, workflowStatus: 'CANCELLED' });
  });
});
