import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const spans = new WeakMap<FastifyRequest, Span>();

/**
 * A server span per request, continuing a caller's W3C `traceparent`, active while the route's
 * handler runs, so the Temporal client's spans (a workflow start, an update) are its children.
 * Written here rather than taken from @opentelemetry/instrumentation-http or @fastify/otel: those
 * patch modules at load time (before fastify is imported) and record the URL, whose FareHarbor path
 * carries the channel's secret; this records the route template (`/tenants/:tenant/...`), the method
 * and the status, never a header, a query or a body. Call before the routes are declared.
 */
export function traceRequests(app: FastifyInstance, tracer: Tracer): void {
  app.addHook('onRequest', async (request) => {
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const route = request.routeOptions.url;
    const span = tracer.startSpan(
      route ? `${request.method} ${route}` : request.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          ...(route ? { 'http.route': route } : {}),
          'url.scheme': request.protocol,
        },
      },
      parent,
    );
    spans.set(request, span);
  });
  app.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = function tracedHandler(this: unknown, request, reply) {
      const span = spans.get(request);
      if (!span) return handler.call(this as FastifyInstance, request, reply);
      return context.with(trace.setSpan(context.active(), span), () =>
        handler.call(this as FastifyInstance, request, reply),
      );
    };
  });
  app.addHook('onResponse', async (request, reply) => {
    const span = spans.get(request);
    if (!span) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (request.tenant) span.setAttribute('charter.tenant', request.tenant.id);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  app.addHook('onRequestAbort', async (request) => {
    const span = spans.get(request);
    span?.setAttribute('error.type', 'aborted');
    span?.end();
  });
}
