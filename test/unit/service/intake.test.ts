import { bookingWorkflowId } from '../../../src/domain/booking';
import { BODY_LIMIT_BYTES } from '../../../src/service/app';
import { sampleBooking } from '../../../sim/samples';
import {
  ACME_CREW_KEY,
  ACME_INTAKE_KEY,
  BLUE_INTAKE_KEY,
  buildTestApp,
  postJson,
  temporalDownError,
  type TestApp,
} from '../../support/service-app';

const URL = '/tenants/acme/bookings';

describe('POST /tenants/:tenant/bookings', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp({ publicBaseUrl: 'https://fulfilment.example.com/' });
  });
  afterEach(() => t.app.close());

  test('a new booking: 202 with the workflow ID and where to ask for its status', async () => {
    const booking = sampleBooking({ bookingId: 'BS-Carole-42' });
    const res = await postJson(t, URL, ACME_INTAKE_KEY, booking);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({
      workflowId: 'booking-acme-boatsetter-BS-Carole-42',
      statusUrl: 'https://fulfilment.example.com/tenants/acme/bookings/BS-Carole-42?source=boatsetter',
    });
    expect(t.temporal.startedIds).toEqual(['booking-acme-boatsetter-BS-Carole-42']);
  });

  test('a duplicate delivery: 200 with the same body, no second workflow', async () => {
    const booking = sampleBooking();
    const first = await postJson(t, URL, ACME_INTAKE_KEY, booking);
    const second = await postJson(t, URL, ACME_INTAKE_KEY, booking);
    expect([first.statusCode, second.statusCode]).toEqual([202, 200]);
    expect(second.json()).toEqual({ ...first.json(), changed: [] });
    expect(t.temporal.startedIds).toHaveLength(1);
  });

  test('booking ids that differ only in case are two bookings', async () => {
    const upper = await postJson(t, URL, ACME_INTAKE_KEY, sampleBooking({ bookingId: 'BS-77' }));
    const lower = await postJson(t, URL, ACME_INTAKE_KEY, sampleBooking({ bookingId: 'bs-77' }));
    expect([upper.statusCode, lower.statusCode]).toEqual([202, 202]);
    expect(t.temporal.startedIds).toEqual(['booking-acme-boatsetter-BS-77', 'booking-acme-boatsetter-bs-77']);
  });

  test('a re-delivery of a booking started under its old lower-cased ID is that booking: 200, nothing started', async () => {
    t.temporal.workflows.set('booking-acme-boatsetter-bs-88', {
      tenant: 'acme',
      bookingId: 'BS-88',
      status: 'RUNNING',
      signals: [],
    });
    const res = await postJson(t, URL, ACME_INTAKE_KEY, sampleBooking({ bookingId: 'BS-88' }));
    expect(res.statusCode).toBe(200);
    expect(res.json().workflowId).toBe('booking-acme-boatsetter-bs-88');
    expect(t.temporal.startedIds).toEqual([]);
  });

  test("the old lower-cased ID is someone else's when its BookingId differs in case: a new booking", async () => {
    t.temporal.workflows.set('booking-acme-boatsetter-bs-99', {
      tenant: 'acme',
      bookingId: 'bs-99',
      status: 'RUNNING',
      signals: [],
    });
    const res = await postJson(t, URL, ACME_INTAKE_KEY, sampleBooking({ bookingId: 'BS-99' }));
    expect(res.statusCode).toBe(202);
    expect(t.temporal.startedIds).toEqual(['booking-acme-boatsetter-BS-99']);
  });

  test('an id whose exact workflow ID holds an old booking of another case: 409 naming both, nothing started', async () => {
    t.temporal.workflows.set('booking-acme-boatsetter-bs-66', {
      tenant: 'acme',
      bookingId: 'BS-66',
      status: 'RUNNING',
      signals: [],
    });
    const res = await postJson(t, URL, ACME_INTAKE_KEY, sampleBooking({ bookingId: 'bs-66' }));
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatch(/booking id bs-66 is taken: booking-acme-boatsetter-bs-66 holds booking BS-66/);
    expect(t.temporal.startedIds).toEqual([]);
  });

  test('without PUBLIC_BASE_URL the status URL is on the host the caller used', async () => {
    const local = await buildTestApp();
    const booking = sampleBooking({ source: 'getmyboat' });
    const res = await local.send({
      method: 'POST',
      url: URL,
      headers: { host: 'intake.internal:8080', 'content-type': 'application/json', 'x-service-key': ACME_INTAKE_KEY },
      payload: JSON.stringify(booking),
    });
    expect(res.json().statusUrl).toBe(
      `http://intake.internal:8080/tenants/acme/bookings/${booking.bookingId}?source=getmyboat`,
    );
    await local.app.close();
  });

  test('wrong types: 400 listing every field error, nothing started', async () => {
    const res = await postJson(t, URL, ACME_INTAKE_KEY, {
      source: 'airbnb',
      bookingId: 42,
      guest: { name: '', email: 'not-an-email', partySize: 0 },
      charter: { start: 'tomorrow at ten', end: '2027-05-29T13:00:00-07:00', timeZone: 'Mars/Olympus_Mons' },
      boat: '',
      pricing: { currency: 'usd', base: 12.5 },
      coupon: 'FREE',
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toBe('invalid booking');
    const paths = body.fields.map((f: { path: string }) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'source',
        'bookingId',
        'guest.name',
        'guest.email',
        'guest.partySize',
        'charter.start',
        'charter.timeZone',
        'boat',
        'pricing.currency',
        'pricing.base',
        '(body)',
      ]),
    );
    for (const field of body.fields) expect(field).toEqual({ path: expect.any(String), message: expect.any(String) });
    expect(t.temporal.startedIds).toHaveLength(0);
  });

  test('a body that is not an object is a 400 too', async () => {
    const res = await postJson(t, URL, ACME_INTAKE_KEY, '[1, 2, 3]');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid booking', fields: [{ path: '(body)', message: expect.any(String) }] });
  });

  test('malformed or empty JSON: 400', async () => {
    const malformed = await postJson(t, URL, ACME_INTAKE_KEY, '{"source": "boatsetter", ');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toEqual({ error: 'body is not valid JSON' });
    const empty = await postJson(t, URL, ACME_INTAKE_KEY, '');
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toEqual({ error: 'body is not valid JSON' });
    expect(t.temporal.startedIds).toHaveLength(0);
  });

  test('64 KiB is read (and judged); 64 KiB + 1 byte is 413', async () => {
    const exact = paddedTo(BODY_LIMIT_BYTES);
    const atLimit = await postJson(t, URL, ACME_INTAKE_KEY, exact);
    // Read and validated: notes are limited to 4000 characters.
    expect(atLimit.statusCode).toBe(400);
    expect(atLimit.json().fields).toEqual([{ path: 'notes', message: expect.any(String) }]);

    const over = await postJson(t, URL, ACME_INTAKE_KEY, paddedTo(BODY_LIMIT_BYTES + 1));
    expect(over.statusCode).toBe(413);
    expect(over.json()).toEqual({ error: `body must be at most ${BODY_LIMIT_BYTES} bytes` });
    expect(t.temporal.startedIds).toHaveLength(0);
  });

  test('anything but JSON: 415', async () => {
    const body = JSON.stringify(sampleBooking());
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await t.send({
        method: 'POST',
        url: URL,
        headers: { 'content-type': contentType, 'x-service-key': ACME_INTAKE_KEY },
        payload: body,
      });
      expect({ contentType, status: res.statusCode }).toEqual({ contentType, status: 415 });
      expect(res.json()).toEqual({ error: 'body must be JSON (Content-Type: application/json)' });
    }
    const noType = await t.send({
      method: 'POST',
      url: URL,
      headers: { 'x-service-key': ACME_INTAKE_KEY },
      payload: body,
    });
    expect(noType.statusCode).toBe(415);
    const noBody = await t.send({ method: 'POST', url: URL, headers: { 'x-service-key': ACME_INTAKE_KEY } });
    expect(noBody.statusCode).toBe(415);
    expect(t.temporal.startedIds).toHaveLength(0);
  });

  test('JSON with a charset parameter is JSON', async () => {
    const res = await t.send({
      method: 'POST',
      url: URL,
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-service-key': ACME_INTAKE_KEY },
      payload: JSON.stringify(sampleBooking()),
    });
    expect(res.statusCode).toBe(202);
  });

  test('unknown tenant: 404, with or without a key', async () => {
    const booking = sampleBooking();
    for (const key of [undefined, ACME_INTAKE_KEY]) {
      const res = await postJson(t, '/tenants/nobody/bookings', key, booking);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: 'unknown tenant' });
    }
    expect(t.bcryptCalls()).toBe(0);
  });

  test('missing key, wrong key, another tenant key, the crew-callback key: 401, nothing started', async () => {
    const booking = sampleBooking();
    const missing = await postJson(t, URL, undefined, booking);
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toEqual({ error: 'X-Service-Key header is required' });
    for (const key of ['wrong-key', BLUE_INTAKE_KEY, ACME_CREW_KEY, '']) {
      const res = await postJson(t, URL, key, booking);
      expect({ key, status: res.statusCode }).toEqual({ key, status: 401 });
    }
    // And the other way round: acme's key on bluewater's URL.
    const crossed = await postJson(t, '/tenants/bluewater/bookings', ACME_INTAKE_KEY, booking);
    expect(crossed.statusCode).toBe(401);
    expect(t.temporal.startedIds).toHaveLength(0);
  });

  test('authentication comes before the body is judged: no key and a huge or malformed body is still 401', async () => {
    const huge = await postJson(t, URL, undefined, paddedTo(BODY_LIMIT_BYTES * 2));
    expect(huge.statusCode).toBe(401);
    const malformed = await postJson(t, URL, 'wrong-key', '{oops');
    expect(malformed.statusCode).toBe(401);
  });

  test('Temporal down: 503 with a request id and nothing of the internals', async () => {
    t.temporal.failure = temporalDownError();
    const res = await postJson(t, URL, ACME_INTAKE_KEY, sampleBooking());
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toEqual({ error: 'temporarily unavailable', requestId: res.headers['x-request-id'] });
    expect(res.body).not.toMatch(/ECONNREFUSED|10\.0\.0\.7|stack|at /);
  });

  test('an unexpected failure: 500 with a request id only', async () => {
    t.temporal.failure = new Error('boom: secret internal detail');
    const res = await postJson(t, URL, ACME_INTAKE_KEY, sampleBooking());
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'internal error', requestId: expect.any(String) });
    expect(res.body).not.toContain('secret internal detail');
  });

  test('the workflow ID is the domain one, per tenant', async () => {
    const booking = sampleBooking();
    const res = await postJson(t, '/tenants/bluewater/bookings', BLUE_INTAKE_KEY, booking);
    expect(res.json().workflowId).toBe(bookingWorkflowId('bluewater', booking));
  });
});

describe('unknown routes', () => {
  test('404 in the service shape', async () => {
    const t = await buildTestApp();
    const res = await t.send({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'not found' });
    const wrongMethod = await t.send({ method: 'DELETE', url: '/tenants/acme/bookings' });
    expect(wrongMethod.statusCode).toBe(404);
    await t.app.close();
  });
});

/** A valid-looking booking whose JSON is exactly `bytes` long, padded in `notes`. */
function paddedTo(bytes: number): string {
  const base = JSON.stringify({ ...sampleBooking(), notes: '' });
  const padding = bytes - Buffer.byteLength(base);
  const body = JSON.stringify({ ...JSON.parse(base), notes: 'x'.repeat(padding) });
  expect(Buffer.byteLength(body)).toBe(bytes);
  return body;
}
