import { redactUrl } from '../../../src/service/log';
import { sampleBooking } from '../../../sim/samples';
import { ACME_CREW_KEY, ACME_INTAKE_KEY, buildTestApp, postJson, type TestApp } from '../../support/service-app';

const GUEST_EMAIL = 'carole.secret-guest@example.com';
const GUEST_PHONE = '+1 415 555 0199';

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  [key: string]: unknown;
}

describe('logs', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp({ captureLogs: true });
  });
  afterEach(() => t.app.close());

  const lines = () => t.logs.map((line) => JSON.parse(line) as LogLine);

  test('no key and no guest contact details in any line, whatever the outcome', async () => {
    const guest = { name: 'Carole Martin', email: GUEST_EMAIL, phone: GUEST_PHONE, partySize: 6 };
    await postJson(t, '/tenants/acme/bookings', ACME_INTAKE_KEY, sampleBooking({ guest }));
    await postJson(t, '/tenants/acme/bookings', 'wrong-key-d8a7', sampleBooking({ guest }));
    await postJson(t, '/tenants/acme/bookings', ACME_INTAKE_KEY, {
      ...sampleBooking(),
      guest: { ...guest, partySize: 'six' },
    });
    // Malformed JSON that quotes the contact details: parser messages may echo the input.
    await postJson(
      t,
      '/tenants/acme/bookings',
      ACME_INTAKE_KEY,
      `{"guest": {"email": "${GUEST_EMAIL}", "phone": "${GUEST_PHONE}"`,
    );
    await postJson(t, '/tenants/acme/crew-responses', ACME_CREW_KEY, {
      workflowId: 'booking-acme-direct-x',
      crewId: GUEST_EMAIL,
    });
    t.temporal.failure = new Error('Temporal exploded');
    await postJson(t, '/tenants/acme/bookings', ACME_INTAKE_KEY, sampleBooking({ guest }));
    // Something logged by accident one day, or a request object with its headers.
    t.app.log.info({
      booking: sampleBooking({ guest }),
      req: { headers: { 'x-service-key': ACME_INTAKE_KEY, authorization: 'Bearer t0k3n' } },
    });

    const all = t.logs.join('\n');
    expect(t.logs.length).toBeGreaterThan(10);
    for (const secret of [ACME_INTAKE_KEY, ACME_CREW_KEY, 'wrong-key-d8a7', GUEST_EMAIL, GUEST_PHONE, 't0k3n']) {
      expect({ secret, found: all.includes(secret) }).toEqual({ secret, found: false });
    }
    expect(all).toContain('[redacted]');
  });

  test('each error is logged once, with the request id the caller got back', async () => {
    const answers = [
      await postJson(t, '/tenants/acme/bookings', undefined, sampleBooking()),
      await postJson(t, '/tenants/acme/bookings', ACME_INTAKE_KEY, '{'),
      await postJson(t, '/tenants/nobody/bookings', ACME_INTAKE_KEY, sampleBooking()),
    ];
    t.temporal.failure = new Error('Temporal exploded');
    answers.push(await postJson(t, '/tenants/acme/bookings', ACME_INTAKE_KEY, sampleBooking()));

    for (const answer of answers) {
      const requestId = answer.headers['x-request-id'];
      expect(requestId).toEqual(expect.any(String));
      const errors = lines().filter(
        (l) => l.reqId === requestId && (l.msg === 'request rejected' || l.msg === 'request failed'),
      );
      expect({ status: answer.statusCode, logged: errors.length }).toEqual({ status: answer.statusCode, logged: 1 });
    }
    const failed = lines().find((l) => l.msg === 'request failed')!;
    expect(failed.level).toBe(50);
    expect((failed.err as { message: string }).message).toBe('Temporal exploded');
    expect(answers[3]!.json()).toEqual({ error: 'internal error', requestId: answers[3]!.headers['x-request-id'] });
  });

  test("a caller's plain X-Request-Id is kept; anything else is replaced", async () => {
    const kept = await t.send({ url: '/healthz', headers: { 'x-request-id': 'scc-cb-4711' } });
    expect(kept.headers['x-request-id']).toBe('scc-cb-4711');
    const replaced = await t.send({ url: '/healthz', headers: { 'x-request-id': 'x'.repeat(500) } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

test('redactUrl masks a channel secret in the path and the whole query of an ops page URL', () => {
  expect(redactUrl('/tenants/acme/channels/fareharbor/s3cr3t?x=1')).toBe(
    '/tenants/acme/channels/fareharbor/[redacted]?x=1',
  );
  expect(redactUrl('/ops/acme/find?source=boatsetter&bookingId=%3Cscript%3E')).toBe('/ops/acme/find?[redacted]');
  expect(redactUrl('/ops/acme/bookings/direct/bs-1')).toBe('/ops/acme/bookings/direct/bs-1');
  expect(redactUrl('/tenants/acme/bookings/bs-1?source=boatsetter')).toBe(
    '/tenants/acme/bookings/bs-1?source=boatsetter',
  );
});
