import type { BookingStatus } from '../../../workflows/types';
import {
  ACME_CREW_KEY,
  ACME_INTAKE_KEY,
  BLUE_INTAKE_KEY,
  buildTestApp,
  temporalDownError,
  type TestApp,
} from '../../support/service-app';

function status(workflowId: string, tenant: string): BookingStatus {
  return {
    workflowId,
    tenant,
    bookingId: 'BS-1001',
    source: 'boatsetter',
    stage: 'AWAITING_CREW',
    crew: [{ id: 'crew-captain-ana', role: 'Captain', status: 'pending' }],
    crewDeadline: '2027-05-22T09:00:00.000Z',
    jadaEventId: 'jada_1',
    sccEventId: 'evt_1',
    pages: [],
    pageVersion: 0,
    timestamps: { RECEIVED: '2027-05-20T09:00:00.000Z' },
  };
}

describe('GET /tenants/:tenant/bookings/:bookingId', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp();
    const id = 'booking-acme-boatsetter-BS-1001';
    t.temporal.workflows.set(id, {
      tenant: 'acme',
      bookingId: 'BS-1001',
      status: 'RUNNING',
      signals: [],
      bookingStatus: status(id, 'acme'),
    });
  });
  afterEach(() => t.app.close());

  /** `null` sends no key at all. */
  const get = (url: string, key: string | null = ACME_INTAKE_KEY) =>
    t.send({ url, headers: key === null ? {} : { 'x-service-key': key } });

  test("the workflow's status query as JSON; source defaults to boatsetter", async () => {
    const res = await get('/tenants/acme/bookings/BS-1001');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(status('booking-acme-boatsetter-BS-1001', 'acme'));
    expect((await get('/tenants/acme/bookings/BS-1001?source=boatsetter')).statusCode).toBe(200);
  });

  test('another source is another booking', async () => {
    expect((await get('/tenants/acme/bookings/BS-1001?source=getmyboat')).statusCode).toBe(404);
  });

  test('a booking started under its old lower-cased ID answers by the id as sent, never by another case', async () => {
    const legacy = 'booking-acme-boatsetter-bs-2002';
    t.temporal.workflows.set(legacy, {
      tenant: 'acme',
      bookingId: 'BS-2002',
      status: 'RUNNING',
      signals: [],
      bookingStatus: status(legacy, 'acme'),
    });
    const res = await get('/tenants/acme/bookings/BS-2002');
    expect(res.statusCode).toBe(200);
    expect(res.json().workflowId).toBe(legacy);
    expect((await get('/tenants/acme/bookings/Bs-2002')).statusCode).toBe(404);
  });

  test('unknown booking: 404', async () => {
    const res = await get('/tenants/acme/bookings/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'unknown booking' });
  });

  test("a workflow whose status names another tenant is that tenant's: 404", async () => {
    const theirs = 'booking-acme-boatsetter-boatsetter-x';
    t.temporal.workflows.set(theirs, {
      tenant: 'acme-boatsetter',
      status: 'RUNNING',
      signals: [],
      bookingStatus: status(theirs, 'acme-boatsetter'),
    });
    expect((await get('/tenants/acme/bookings/boatsetter-x')).statusCode).toBe(404);
  });

  test('an invalid source or booking id: 400 with the fields', async () => {
    const res = await get('/tenants/acme/bookings/BS-1001?source=airbnb');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid booking reference',
      fields: [{ path: 'source', message: expect.any(String) }],
    });
    const badId = await get(`/tenants/acme/bookings/${encodeURIComponent('a b')}`);
    expect(badId.statusCode).toBe(400);
    expect(badId.json().fields).toEqual([{ path: 'bookingId', message: expect.any(String) }]);
  });

  test('401 without the intake key of this tenant; 404 for an unknown tenant', async () => {
    for (const key of [null, ACME_CREW_KEY, BLUE_INTAKE_KEY, 'wrong']) {
      const res = await get('/tenants/acme/bookings/BS-1001', key);
      expect({ key, status: res.statusCode }).toEqual({ key, status: 401 });
    }
    expect((await get('/tenants/nobody/bookings/BS-1001')).statusCode).toBe(404);
  });

  test('Temporal down, or no worker answered the query in time: 503', async () => {
    t.temporal.failure = temporalDownError();
    expect((await get('/tenants/acme/bookings/BS-1001')).statusCode).toBe(503);
    t.temporal.failure = temporalDownError(1);
    const timedOut = await get('/tenants/acme/bookings/BS-1001');
    expect(timedOut.statusCode).toBe(503);
    expect(timedOut.json()).toEqual({ error: 'temporarily unavailable', requestId: timedOut.headers['x-request-id'] });
  });
});

describe('probes', () => {
  test('/healthz is always 200', async () => {
    const t = await buildTestApp({ readiness: async () => false });
    const res = await t.send({ url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    await t.app.close();
  });

  test('/readyz follows readiness: 200, 503 when false, 503 when it throws', async () => {
    let ready: boolean | Error = true;
    const t = await buildTestApp({
      readiness: async () => {
        if (ready instanceof Error) throw ready;
        return ready;
      },
    });
    expect((await t.send({ url: '/readyz' })).statusCode).toBe(200);
    ready = false;
    const down = await t.send({ url: '/readyz' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ status: 'unavailable', reason: 'Temporal is not reachable' });
    ready = new Error('probe exploded');
    expect((await t.send({ url: '/readyz' })).statusCode).toBe(503);
    await t.app.close();
  });

  test('by default /readyz asks Temporal for its system info', async () => {
    const t = await buildTestApp();
    expect((await t.send({ url: '/readyz' })).statusCode).toBe(200);
    expect(t.temporal.systemInfoCalls).toBe(1);
    t.temporal.failure = temporalDownError();
    expect((await t.send({ url: '/readyz' })).statusCode).toBe(503);
    await t.app.close();
  });
});
