import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTracing, type Tracing } from '../../../src/telemetry/tracing';
import { sampleBooking, sampleFareHarborDelivery } from '../../../sim/samples';
import { ACME_FAREHARBOR_SECRET, ACME_INTAKE_KEY, buildTestApp, postJson } from '../../support/service-app';
import { waitFor } from '../../support/wait';

describe('HTTP server spans', () => {
  const memory = new InMemorySpanExporter();
  const dir = mkdtempSync(join(tmpdir(), 'spans-'));
  const spansFile = join(dir, 'logs', 'spans.jsonl');
  let tracing: Tracing;
  beforeAll(() => {
    tracing = startTracing({ serviceName: 'http-span-test', destinations: [], spansFile }, [
      new SimpleSpanProcessor(memory),
    ]);
  });
  afterAll(() => tracing.shutdown());

  test('a span per request: route template, method, status, tenant; a caller’s traceparent continued; no secret, no body', async () => {
    const t = await buildTestApp({ tracer: tracing.tracer });
    try {
      const parent = '0af7651916cd43dd8448eb211c80319c';
      const booking = sampleBooking();
      const accepted = await t.send({
        method: 'POST',
        url: '/tenants/acme/bookings',
        headers: {
          'content-type': 'application/json',
          'x-service-key': ACME_INTAKE_KEY,
          traceparent: `00-${parent}-b7ad6b7169203331-01`,
        },
        payload: JSON.stringify(booking),
      });
      expect(accepted.statusCode).toBe(202);
      await postJson(
        t,
        `/tenants/acme/channels/fareharbor/${ACME_FAREHARBOR_SECRET}`,
        undefined,
        sampleFareHarborDelivery(),
      );

      const spans = await waitFor(
        async () => memory.getFinishedSpans(),
        (s) => s.length >= 2,
        5000,
      );
      const intake = spans.find((s) => s.name === 'POST /tenants/:tenant/bookings');
      expect(intake?.spanContext().traceId).toBe(parent);
      expect(intake?.parentSpanId).toBe('b7ad6b7169203331');
      expect(intake?.attributes).toEqual({
        'http.request.method': 'POST',
        'http.route': '/tenants/:tenant/bookings',
        'url.scheme': 'http',
        'http.response.status_code': 202,
        'charter.tenant': 'acme',
      });
      const fareharbor = spans.find((s) => s.name === 'POST /tenants/:tenant/channels/fareharbor/:secret');
      expect(fareharbor?.attributes['http.response.status_code']).toBe(200);

      await tracing.spanProcessor.forceFlush();
      const file = readFileSync(spansFile, 'utf8');
      const lines = file
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { traceId: string; name: string; service: string });
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            traceId: parent,
            name: 'POST /tenants/:tenant/bookings',
            service: 'http-span-test',
          }),
        ]),
      );
      for (const leak of [ACME_FAREHARBOR_SECRET, ACME_INTAKE_KEY, booking.guest.name, booking.guest.email!])
        expect(file).not.toContain(leak);
    } finally {
      await t.app.close();
    }
  });
});
