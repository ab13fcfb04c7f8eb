import { trace } from '@opentelemetry/api';
import { ServiceEnvSchema, WorkerEnvSchema, parseEnv } from '../../../src/config/env';
import { tracingFromEnv } from '../../../src/telemetry/tracing';
import { workerTracingOptions } from '../../../src/telemetry/temporal-tracing';
import { ConfigurationError } from '../../../src/config/problems';
import { sampleBooking } from '../../../sim/samples';
import { ACME_INTAKE_KEY, buildTestApp, postJson } from '../../support/service-app';

const BASE_ENV = {
  TENANTS_FILE: '/etc/tenants.json',
  PAYLOAD_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  SLUG_SECRET: 'a-slug-secret-of-16+',
};
const tracingOf = (extra: Record<string, string>) =>
  tracingFromEnv(parseEnv(ServiceEnvSchema, { ...BASE_ENV, ...extra }), 'svc');

describe('tracing configuration', () => {
  test('off unless an exporter, an OTLP endpoint or a spans file is named', () => {
    expect(tracingOf({})).toBeUndefined();
    expect(tracingOf({ OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
    expect(tracingOf({ OTEL_SERVICE_NAME: 'named-only' })).toBeUndefined();
    expect(
      tracingOf({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }),
    ).toBeUndefined();
    expect(tracingOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({
      serviceName: 'svc',
      destinations: ['otlp'],
    });
    expect(tracingOf({ OTEL_TRACES_EXPORTER: 'console,otlp' })?.destinations).toEqual(['console', 'otlp']);
    expect(tracingOf({ TRACES_FILE: '/tmp/spans.jsonl' })).toEqual({
      serviceName: 'svc',
      destinations: [],
      spansFile: '/tmp/spans.jsonl',
    });
  });

  test('empty is unset, as docker compose passes ${NAME:-}', () => {
    const empty = { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_TRACES_EXPORTER: '', TRACES_FILE: '', OTEL_SDK_DISABLED: '' };
    expect(tracingOf(empty)).toBeUndefined();
    expect(tracingOf({ ...empty, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })?.destinations).toEqual([
      'otlp',
    ]);
  });

  test('an exporter or protocol it does not have is a configuration problem, not ignored', () => {
    expect(() => parseEnv(WorkerEnvSchema, { ...BASE_ENV, OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(
      ConfigurationError,
    );
    expect(() => parseEnv(ServiceEnvSchema, { ...BASE_ENV, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(
      /OTEL_EXPORTER_OTLP_PROTOCOL/,
    );
  });

  test('with OTEL unset nothing is recorded: no provider is registered, the worker sink drops workflow spans', async () => {
    expect(tracingOf({})).toBeUndefined();
    // What the service and worker do with no tracing: no provider, so every tracer is the API's no-op.
    const span = trace.getTracer('probe').startSpan('probe');
    expect(span.isRecording()).toBe(false);
    span.end();
    const off = workerTracingOptions(undefined);
    expect(off.interceptors).toBeUndefined();
    expect(off.sinks?.exporter?.export?.fn).toBeDefined();
    // And the HTTP service built without a tracer answers as ever, with no span machinery.
    const t = await buildTestApp();
    try {
      expect((await postJson(t, '/tenants/acme/bookings', ACME_INTAKE_KEY, sampleBooking())).statusCode).toBe(202);
    } finally {
      await t.app.close();
    }
  });
});
