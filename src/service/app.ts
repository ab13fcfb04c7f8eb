import type { Tracer } from '@opentelemetry/api';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Tenant, TenantDirectory } from '../config/tenant';
import { createKeyVerifier, type KeyVerifierOptions } from './auth';
import { createErrorHandler, notFoundHandler } from './errors';
import { loggerOptions, requestId, type ServiceLoggerOptions } from './log';
import { registerBookingRoutes } from './routes/bookings';
import { registerCrewResponseRoutes } from './routes/crew-responses';
import { registerFareHarborRoutes } from './routes/fareharbor';
import { registerHealthRoutes } from './routes/health';
import { registerOpsRoutes } from './routes/ops';
import { createFailureLimiter, type FailureLimiterOptions } from './auth';
import { createOpsSessions } from './ops/session';
import type { IntakeSettings } from './start-booking';
import { temporalReachable } from './temporal';
import { traceRequests } from '../telemetry/http-tracing';
import { noServiceMetrics, type ServiceMetrics } from '../telemetry/service-metrics';

/** DESIGN.md: a booking is a few KiB; anything near this is a mistake or an attack. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface ServiceDeps {
  client: Client;
  tenants: TenantDirectory;
  settings: IntakeSettings;
  /** How callers reach the service, for `statusUrl`; without it, the URL of the request. */
  publicBaseUrl?: string;
  /** pino options (JSON lines on stdout by default); `false` for none. */
  logger?: ServiceLoggerOptions | false;
  /** Whether the service can do its job; defaults to "Temporal answers within 2 s". */
  readiness?: () => Promise<boolean>;
  /** X-Service-Key checking: tests inject a counting compare and a clock. */
  auth?: KeyVerifierOptions;
  /**
   * The ops page (`/ops/{tenant}/`): OPS_SESSION_SECRET signs its sessions. Without it the page is not
   * served at all; with it, only tenants with an `auth.opsKeyHash` have one.
   */
  ops?: { sessionSecret: string; now?: () => number; loginFailures?: FailureLimiterOptions };
  /** A server span per request (src/telemetry/http-tracing.ts); without it, none. */
  tracer?: Tracer;
  /** Intake outcomes, auth failures, request latency; without them, nothing is counted. */
  metrics?: ServiceMetrics;
}

/** The HTTP service: booking intake, channel webhooks, crew-response callback, booking status, the ops page, probes. Not yet listening. */
export function buildApp(deps: ServiceDeps): FastifyInstance {
  const app = Fastify({
    logger: loggerOptions(deps.logger),
    bodyLimit: BODY_LIMIT_BYTES,
    // genReqId decides, so an unsafe incoming X-Request-Id is replaced rather than trusted.
    requestIdHeader: false,
    genReqId: requestId,
  });

  // JSON only: fastify would otherwise hand text/plain bodies to the handlers as strings.
  app.removeContentTypeParser('text/plain');
  // PATCH bodies are JSON merge patches (RFC 7396), under their own media type or plain JSON.
  app.addContentTypeParser(
    'application/merge-patch+json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );
  if (deps.tracer) traceRequests(app, deps.tracer);
  const metrics = deps.metrics ?? noServiceMetrics;
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  if (deps.metrics) {
    app.addHook('onResponse', async (request, reply) => {
      metrics.request(
        { method: request.method, route: request.routeOptions.url ?? '(unmatched)', status: reply.statusCode },
        reply.elapsedTime / 1000,
      );
    });
  }
  // Declared up front (fastify keeps one request shape); every tenant route's auth hook sets it before
  // its handler runs, and no other route reads it.
  app.decorateRequest('tenant', null as unknown as Tenant);
  app.setErrorHandler(createErrorHandler({ bodyLimitBytes: BODY_LIMIT_BYTES }));
  app.setNotFoundHandler(notFoundHandler);

  const ctx = {
    client: deps.client,
    tenants: deps.tenants,
    settings: deps.settings,
    keys: createKeyVerifier(deps.auth),
    publicBaseUrl: deps.publicBaseUrl,
    readiness: deps.readiness ?? (() => temporalReachable(deps.client)),
    metrics,
  };
  registerBookingRoutes(app, ctx);
  registerCrewResponseRoutes(app, ctx);
  registerFareHarborRoutes(app, ctx);
  registerHealthRoutes(app, ctx);
  if (deps.ops) {
    registerOpsRoutes(app, ctx, {
      sessions: createOpsSessions({ secret: deps.ops.sessionSecret, now: deps.ops.now }),
      // The service has no trusted proxy to tell it the scheme (X-Forwarded-Proto is whatever a client
      // sends), so cookies are Secure when its public base URL is https: how browsers reach it.
      secureCookies: deps.publicBaseUrl?.startsWith('https:') ?? false,
      loginFailures: createFailureLimiter(deps.ops.loginFailures),
      bodyLimitBytes: BODY_LIMIT_BYTES,
    });
  }
  return app;
}
