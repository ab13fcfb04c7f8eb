import { freePort } from '../../../scripts/local-stack/processes';
import { sampleBooking, sampleFareHarborDelivery } from '../../../sim/samples';
import { serviceMetrics, startPrometheusMetrics, type PrometheusMetrics } from '../../../src/telemetry/service-metrics';
import {
  ACME_FAREHARBOR_SECRET,
  ACME_INTAKE_KEY,
  BLUE_INTAKE_KEY,
  buildTestApp,
  postJson,
  type TestApp,
} from '../../support/service-app';

/**
 * The service's metrics as Prometheus scrapes them (METRICS_PROMETHEUS_ADDRESS): deliveries by tenant,
 * channel and outcome, auth failures by key and reason (429s of the wrong-key limiter included),
 * latency by route template. No label holds a secret, a booking id or a guest detail.
 */
describe('service metrics on a Prometheus endpoint', () => {
  let prometheus: PrometheusMetrics;
  let url: string;
  let t: TestApp;

  beforeAll(async () => {
    const port = await freePort();
    prometheus = startPrometheusMetrics(`127.0.0.1:${port}`, 'service-metrics-test');
    url = `http://127.0.0.1:${port}/metrics`;
    t = await buildTestApp({ metrics: serviceMetrics(prometheus.meter) });
  });
  afterAll(async () => {
    await t?.app.close();
    await prometheus?.shutdown();
  });

  const scrape = async () => (await fetch(url)).text();
  const value = (text: string, name: string, labels: Record<string, string>) => {
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  };

  test('intake outcomes, auth failures and 429s, latency by route; nothing guest- or key-shaped in any label', async () => {
    const booking = sampleBooking();
    expect((await postJson(t, '/tenants/acme/bookings', ACME_INTAKE_KEY, booking)).statusCode).toBe(202);
    expect((await postJson(t, '/tenants/acme/bookings', ACME_INTAKE_KEY, booking)).statusCode).toBe(200);
    expect((await postJson(t, '/tenants/acme/bookings', ACME_INTAKE_KEY, { source: 'boatsetter' })).statusCode).toBe(
      400,
    );
    expect((await postJson(t, '/tenants/acme/bookings', undefined, booking)).statusCode).toBe(401);
    // acme's path with another tenant's key: after five, the limiter lets one probe a second through
    // bcrypt and answers the rest 429.
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1)
      statuses.push((await postJson(t, '/tenants/acme/bookings', BLUE_INTAKE_KEY, booking)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
    expect((await postJson(t, '/tenants/nosuch/bookings', ACME_INTAKE_KEY, booking)).statusCode).toBe(404);
    expect(
      (await postJson(t, '/tenants/acme/channels/fareharbor/wrong-secret', undefined, sampleFareHarborDelivery()))
        .statusCode,
    ).toBe(404);
    expect(
      (
        await postJson(
          t,
          `/tenants/acme/channels/fareharbor/${ACME_FAREHARBOR_SECRET}`,
          undefined,
          sampleFareHarborDelivery(),
        )
      ).statusCode,
    ).toBe(200);

    const text = await scrape();
    const intake = (labels: Record<string, string>) => value(text, 'charter_intake_deliveries_total', labels);
    expect(intake({ tenant: 'acme', channel: 'intake', outcome: 'accepted' })).toBe(1);
    expect(intake({ tenant: 'acme', channel: 'intake', outcome: 'duplicate' })).toBe(1);
    expect(intake({ tenant: 'acme', channel: 'intake', outcome: 'invalid' })).toBe(1);
    expect(intake({ tenant: 'acme', channel: 'intake', outcome: 'unauthorized' })).toBe(7);
    expect(intake({ tenant: 'acme', channel: 'intake', outcome: 'rate_limited' })).toBe(2);
    expect(intake({ tenant: 'unknown', channel: 'intake', outcome: 'not_found' })).toBe(1);
    expect(intake({ tenant: 'acme', channel: 'fareharbor', outcome: 'accepted' })).toBe(1);
    expect(intake({ tenant: 'acme', channel: 'fareharbor', outcome: 'not_found' })).toBe(1);

    const auth = (labels: Record<string, string>) => value(text, 'charter_auth_failures_total', labels);
    expect(auth({ tenant: 'acme', key: 'intake', reason: 'missing' })).toBe(1);
    expect(auth({ tenant: 'acme', key: 'intake', reason: 'invalid' })).toBe(6);
    expect(auth({ tenant: 'acme', key: 'intake', reason: 'rate_limited' })).toBe(2);
    expect(auth({ tenant: 'acme', key: 'fareharbor', reason: 'invalid' })).toBe(1);

    const latency = (route: string, status: string) =>
      value(text, 'http_server_request_duration_count', {
        http_request_method: 'POST',
        http_route: route,
        http_response_status_code: status,
      });
    expect(latency('/tenants/:tenant/bookings', '202')).toBe(1);
    expect(latency('/tenants/:tenant/bookings', '429')).toBe(2);
    expect(latency('/tenants/:tenant/channels/fareharbor/:secret', '200')).toBe(1);

    for (const leak of [ACME_FAREHARBOR_SECRET, 'wrong-secret', 'nosuch', booking.bookingId, booking.guest.name])
      expect(text).not.toContain(leak);
  });
});
