import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseBooking, type Booking } from '../../domain/booking';
import { bookingStatus, parseBookingRef } from '../booking-status';
import { conflict, invalidRequest, notFound, unsupportedMediaType } from '../errors';
import { actOnRunningBooking, findBooking } from '../running-booking';
import { startBookingFulfillment } from '../start-booking';
import { requireServiceKey } from '../tenant-auth';
import type { RouteContext } from './context';

/**
 * Booking intake (`POST /tenants/:tenant/bookings`), booking status (`GET .../bookings/:bookingId`)
 * and cancellation (`DELETE .../bookings/:bookingId`, e.g. from a marketplace's cancellation email).
 */
export function registerBookingRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const authenticate = requireServiceKey(ctx.tenants, ctx.keys, 'intakeKeyHash');

  app.post<{ Params: { tenant: string } }>(
    '/tenants/:tenant/bookings',
    { onRequest: authenticate },
    async (request, reply) => {
      const { tenant } = request;
      // No Content-Type and no body skips fastify's parsers; it is still not JSON.
      if (request.body === undefined) throw unsupportedMediaType();
      const parsed = parseBooking(request.body);
      if (!parsed.ok) throw invalidRequest('booking', parsed.errors);
      const started = await startBookingFulfillment(ctx.client, tenant, parsed.value, ctx.settings);
      const { workflowId } = started;
      if (started.outcome === 'id-taken') {
        throw conflict(
          `booking id ${parsed.value.bookingId} is taken: ${workflowId} holds booking ${started.heldBy}, ` +
            'started before booking ids kept their case; ask the source for another id or enter it by hand',
          { workflowId },
        );
      }
      return reply
        .code(started.outcome === 'started' ? 202 : 200)
        .send({ workflowId, statusUrl: statusUrl(ctx, request, tenant.id, parsed.value) });
    },
  );

  app.get<{ Params: { tenant: string; bookingId: string }; Querystring: { source?: unknown } }>(
    '/tenants/:tenant/bookings/:bookingId',
    { onRequest: authenticate },
    async (request) => {
      const { tenant } = request;
      const ref = parseBookingRef(request.params.bookingId, request.query.source);
      if (!ref.ok) throw invalidRequest('booking reference', ref.errors);
      const status = await bookingStatus(ctx.client, tenant.id, ref.value);
      if (!status) throw notFound('unknown booking');
      return status;
    },
  );

  app.delete<{ Params: { tenant: string; bookingId: string }; Querystring: { source?: unknown } }>(
    '/tenants/:tenant/bookings/:bookingId',
    { onRequest: authenticate },
    async (request, reply) => {
      const { tenant } = request;
      const ref = parseBookingRef(request.params.bookingId, request.query.source);
      if (!ref.ok) throw invalidRequest('booking reference', ref.errors);
      // The workflow withdraws the guest page and tells ops what to undo in JADA and SCC.
      const found = await findBooking(ctx.client, tenant.id, ref.value);
      const result = await actOnRunningBooking(found, (handle) => handle.cancel());
      if (result.outcome === 'unknown-booking') throw notFound('unknown booking');
      const { workflowId } = result;
      if (result.outcome === 'closed') {
        throw conflict('the booking has already finished', { workflowId, workflowStatus: result.status });
      }
      return reply.code(202).send({ workflowId, cancellation: 'requested' });
    },
  );
}

function statusUrl(ctx: RouteContext, request: FastifyRequest, tenantId: string, booking: Booking): string {
  const base = (ctx.publicBaseUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
  return `${base}/tenants/${tenantId}/bookings/${encodeURIComponent(booking.bookingId)}?source=${booking.source}`;
}
