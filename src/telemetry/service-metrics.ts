import type { Meter } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';

/** How a booking delivery came in: the JSON intake contract, or a channel's own webhook. */
export type IntakeChannel = 'intake' | 'fareharbor';

/** What a delivery came to, by its answer: accepted (202 started), a re-delivery that changed the booking, ... */
export type IntakeOutcome =
  | 'accepted'
  | 'changed'
  | 'duplicate'
  | 'stale'
  | 'cancellation'
  | 'invalid'
  | 'unauthorized'
  | 'rate_limited'
  | 'not_found'
  | 'conflict'
  | 'error';

/** Which credential failed: a tenant's X-Service-Key of a kind, the FareHarbor path secret, the ops page key. */
export type AuthKey = 'intake' | 'crew_callback' | 'ops' | 'fareharbor';
export type AuthFailureReason = 'missing' | 'invalid' | 'rate_limited';

export interface ServiceMetrics {
  intake(labels: { tenant: string; channel: IntakeChannel; outcome: IntakeOutcome }): void;
  authFailure(labels: { tenant: string; key: AuthKey; reason: AuthFailureReason }): void;
  /** One finished request: `route` is the template (`/tenants/:tenant/bookings`), never the URL. */
  request(labels: { method: string; route: string; status: number }, seconds: number): void;
}

/** Latency buckets in seconds: bcrypt (~0.1 s) and a Temporal round trip sit in the middle. */
const LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The service's own metrics, on an OpenTelemetry meter. Tenant labels are known tenant ids only
 * ("unknown" otherwise), so a caller cannot grow the series by inventing paths; no label carries a
 * guest detail, a booking id or a key.
 */
export function serviceMetrics(meter: Meter): ServiceMetrics {
  const intake = meter.createCounter('charter_intake_deliveries', {
    description: 'Booking deliveries to the service, by tenant, channel and outcome',
  });
  const authFailures = meter.createCounter('charter_auth_failures', {
    description: 'Requests refused for a missing, wrong or rate-limited credential, by tenant and key',
  });
  const duration = meter.createHistogram('http.server.request.duration', {
    description: 'Time from the request to the end of its answer',
    unit: 's',
    advice: { explicitBucketBoundaries: LATENCY_BUCKETS_S },
  });
  return {
    intake: (labels) => intake.add(1, labels),
    authFailure: (labels) => authFailures.add(1, labels),
    request: ({ method, route, status }, seconds) =>
      duration.record(seconds, {
        'http.request.method': method,
        'http.route': route,
        'http.response.status_code': status,
      }),
  };
}

/** Metrics off: nothing is counted. */
export const noServiceMetrics: ServiceMetrics = {
  intake: () => undefined,
  authFailure: () => undefined,
  request: () => undefined,
};

export interface PrometheusMetrics {
  meter: Meter;
  shutdown(): Promise<void>;
}

/** A Prometheus `/metrics` endpoint at `host:port` (METRICS_PROMETHEUS_ADDRESS) for this process's meter. */
export function startPrometheusMetrics(address: string, serviceName: string): PrometheusMetrics {
  const [host, port] = splitAddress(address);
  const exporter = new PrometheusExporter({ host, port });
  const provider = new MeterProvider({ readers: [exporter] });
  return { meter: provider.getMeter(serviceName), shutdown: () => provider.shutdown() };
}

function splitAddress(address: string): [string, number] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at), Number(address.slice(at + 1))];
}
