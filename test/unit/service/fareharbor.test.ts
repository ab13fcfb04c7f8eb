import { sampleFareHarborDelivery } from '../../../sim/samples';
import { FAREHARBOR_BODY_LIMIT_BYTES } from '../../../src/service/routes/fareharbor';
import { ACME_FAREHARBOR_SECRET, buildTestApp, postJson, type TestApp } from '../../support/service-app';

/**
 * The FareHarbor webhook's HTTP handling against the fake Temporal: the secret in the path, the
 * answers and the logs. What it does to running bookings is test/integration/service/fareharbor.test.ts.
 */
describe('POST /tenants/:tenant/channels/fareharbor/:secret', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp({ captureLogs: true });
  });
  afterEach(async () => {
    await t.app.close();
  });

  const path = `/tenants/acme/channels/fareharbor/${ACME_FAREHARBOR_SECRET}`;

  test('a booking is started once: 200 with the workflow; the same delivery again starts nothing', async () => {
    const delivery = sampleFareHarborDelivery();
    const first = await postJson(t, path, undefined, delivery);
    const workflowId = `booking-acme-fareharbor-${delivery.booking.uuid}`;
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ workflowId, statusUrl: expect.stringContaining('?source=fareharbor') });
    const again = await postJson(t, path, undefined, delivery);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ workflowId, changed: [] });
    expect(t.temporal.startedIds).toEqual([workflowId]);
  });

  test('its body may be up to 1 MiB (FareHarbor lists every customer); past that, the 413 names that limit', async () => {
    const over = { ...sampleFareHarborDelivery(), padding: 'x'.repeat(FAREHARBOR_BODY_LIMIT_BYTES) };
    const res = await postJson(t, path, undefined, over);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: `body must be at most ${FAREHARBOR_BODY_LIMIT_BYTES} bytes` });
  });

  test("a wrong, missing or other tenant's secret is the 404 of an unknown route, and starts nothing", async () => {
    const unknownRoute = await postJson(t, '/tenants/acme/channels/nothing-here', undefined, {});
    for (const url of [
      '/tenants/acme/channels/fareharbor/wrong-secret',
      `/tenants/acme/channels/fareharbor/${ACME_FAREHARBOR_SECRET}x`,
      '/tenants/acme/channels/fareharbor/',
      `/tenants/bluewater/channels/fareharbor/${ACME_FAREHARBOR_SECRET}`,
      `/tenants/nosuch/channels/fareharbor/${ACME_FAREHARBOR_SECRET}`,
    ]) {
      const res = await postJson(t, url, undefined, sampleFareHarborDelivery());
      expect({ url, status: res.statusCode, body: res.json() }).toEqual({
        url,
        status: 404,
        body: unknownRoute.json(),
      });
    }
    expect(t.temporal.startedIds).toEqual([]);
  });

  test('malformed bodies are 400 with the reason; nothing starts', async () => {
    const noUuid = await postJson(t, path, undefined, sampleFareHarborDelivery({ booking: { uuid: undefined } }));
    expect(noUuid.statusCode).toBe(400);
    expect(noUuid.json()).toEqual({
      error: 'invalid FareHarbor delivery',
      fields: [{ path: 'booking.uuid', message: 'is required' }],
    });
    const noAvailability = await postJson(
      t,
      path,
      undefined,
      sampleFareHarborDelivery({ booking: { availability: undefined } }),
    );
    expect(noAvailability.json().fields).toEqual([{ path: 'booking.availability', message: 'is required' }]);
    const invalid = await postJson(t, path, undefined, sampleFareHarborDelivery({ customerCount: 0 }));
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().fields.map((f: { path: string }) => f.path)).toEqual(['booking.customer_count']);
    expect((await postJson(t, path, undefined, '{"booking": ')).statusCode).toBe(400);
    expect(t.temporal.startedIds).toEqual([]);
  });

  test("a full boat's delivery, larger than intake's 64 KiB, is accepted", async () => {
    const delivery = sampleFareHarborDelivery({ customerCount: 150 });
    expect(JSON.stringify(delivery).length).toBeGreaterThan(64 * 1024);
    const res = await postJson(t, path, undefined, delivery);
    expect(res.statusCode).toBe(200);
  });

  test('a cancellation of a booking never seen is accepted (200) and does nothing', async () => {
    const res = await postJson(t, path, undefined, sampleFareHarborDelivery({ status: 'cancelled' }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ cancellation: 'unknown-booking' });
  });

  test('neither the secret nor the guest contact details reach a log line', async () => {
    await postJson(t, path, undefined, sampleFareHarborDelivery());
    await postJson(t, path, undefined, sampleFareHarborDelivery({ booking: { uuid: undefined } }));
    await postJson(t, `/tenants/acme/channels/fareharbor/${ACME_FAREHARBOR_SECRET}x`, undefined, {});
    const all = t.logs.join('\n');
    expect(all).toContain('/tenants/acme/channels/fareharbor/[redacted]');
    for (const secret of [ACME_FAREHARBOR_SECRET, 'carole@example.com', '4155550134', 'Carole']) {
      expect({ secret, found: all.includes(secret) }).toEqual({ secret, found: false });
    }
  });
});
