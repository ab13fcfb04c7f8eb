import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bookingWorkflowId, parseBooking, type Booking } from '../../domain/booking';
import { bookingStatus, parseBookingRef } from '../booking-status';
import { invalidRequest, notFound, unsupportedMediaType } from '../errors';
import { startBookingFulfillment } from '../start-booking';
import { requireServiceKey, tenantOf } from '../tenant-auth';
import type { RouteContext } from './context';

/** Booking intake (`POST /tenants/:tenant/bookings`) and booking status (`GET .../bookings/:bookingId`). */
export function registerBookingRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const authenticate = requireServiceKey(ctx.tenants, ctx.keys, 'intakeKeyHash');

  app.post<{ Params: { tenant: string } }>('/tenants/:tenant/bookings', { onRequest: authenticate }, async (request, reply) => {
    const tenant = tenantOf(ctx.tenants, request);
    // No Content-Type and no body skips fastify's parsers; it is still not JSON.
    if (request.body === undefined) throw unsupportedMediaType();
    const parsed = parseBooking(request.body);
    if (!parsed.ok) throw invalidRequest('booking', parsed.errors);
    const { workflowId, started } = await startBookingFulfillment(ctx.client, tenant, parsed.value, ctx.settings);
    return reply.code(started ? 202 : 200).send({ workflowId, statusUrl: statusUrl(ctx, request, tenant.id, parsed.value) });
  });

  app.get<{ Params: { tenant: string; bookingId: string }; Querystring: { source?: unknown } }>(
    '/tenants/:tenant/bookings/:bookingId',
    { onRequest: authenticate },
    async (request) => {
      const tenant = tenantOf(ctx.tenants, request);
      const ref = parseBookingRef(request.params.bookingId, request.query.source);
      if (!ref.ok) throw invalidRequest('booking reference', ref.errors);
      const status = await bookingStatus(ctx.client, tenant.id, bookingWorkflowId(tenant.id, ref.value));
      if (!status) throw notFound('unknown booking');
      return status;
    },
  );
}

function statusUrl(ctx: RouteContext, request: FastifyRequest, tenantId: string, booking: Booking): string {
  const base = (ctx.publicBaseUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
  return `${base}/tenants/${tenantId}/bookings/${encodeURIComponent(booking.bookingId)}?source=${booking.source}`;
}
