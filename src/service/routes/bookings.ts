import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseBooking, type BookingRef } from '../../domain/booking';
import { bookingStatus, parseBookingRef } from '../booking-status';
import { conflict, invalidRequest, notFound, unsupportedMediaType } from '../errors';
import { CrewAssignmentSchema } from '../../domain/booking';
import { parseWith } from '../../domain/validation';
import { z } from 'zod';
import {
  appliedAnswer,
  assignCrew,
  changeBooking,
  completeBooking,
  isApplied,
  type ChangeOutcome,
} from '../change-booking';
import { cancelRunningBooking, deliverBooking } from '../deliver-booking';
import { findBooking, type RunningBookingOutcome } from '../running-booking';
import { countDeliveries, noteIntake, redeliveryOutcome } from '../intake-metrics';
import { requireServiceKey } from '../tenant-auth';
import type { RouteContext } from './context';

/** A crew replacement (`replace` absent: an addition), as POST .../crew and the ops page take it. */
export const AssignCrewSchema = z
  .object({ replace: CrewAssignmentSchema.shape.id.optional(), member: CrewAssignmentSchema })
  .strict();
const parseAssignCrew = (body: unknown) => parseWith(AssignCrewSchema, body);

/**
 * Booking intake (`POST /tenants/:tenant/bookings`), booking status (`GET .../bookings/:bookingId`)
 * changes (a re-delivery, `PATCH .../bookings/:bookingId` with a merge patch), crew replacement
 * (`POST .../bookings/:bookingId/crew`), completing a held booking (`POST .../bookings/:bookingId/details`)
 * and cancellation (`DELETE .../bookings/:bookingId`, or a
 * delivery with `status: "cancelled"`).
 */
export function registerBookingRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const authenticate = requireServiceKey(ctx.tenants, ctx.keys, 'intakeKeyHash', ctx.metrics);

  app.post<{ Params: { tenant: string } }>(
    '/tenants/:tenant/bookings',
    { onRequest: authenticate, onResponse: countDeliveries(ctx.metrics, ctx.tenants, 'intake') },
    async (request, reply) => {
      const { tenant } = request;
      // No Content-Type and no body skips fastify's parsers; it is still not JSON.
      if (request.body === undefined) throw unsupportedMediaType();
      const parsed = parseBooking(request.body);
      if (!parsed.ok) throw invalidRequest('booking', parsed.errors);
      const booking = parsed.value;
      const link = statusUrl(ctx, request, tenant.id, booking);
      const delivered = await deliverBooking(ctx.client, tenant, booking, ctx.settings);
      switch (delivered.outcome) {
        case 'cancellation':
          noteIntake(request, 'cancellation');
          return reply.code(202).send({ ...answerCancellation(delivered.cancellation), statusUrl: link });
        case 'id-taken':
          throw conflict(
            `booking id ${booking.bookingId} is taken: ${delivered.workflowId} holds booking ${delivered.heldBy}, ` +
              'started before booking ids kept their case; ask the source for another id or enter it by hand',
            { workflowId: delivered.workflowId },
          );
        case 'started':
          return reply.code(202).send({ workflowId: delivered.workflowId, statusUrl: link });
        case 'redelivered':
          noteIntake(request, redeliveryOutcome(delivered.change));
          return reply.code(200).send({ ...answerChange(delivered.change), statusUrl: link });
      }
    },
  );

  app.patch<{ Params: { tenant: string; bookingId: string }; Querystring: { source?: unknown } }>(
    '/tenants/:tenant/bookings/:bookingId',
    { onRequest: authenticate },
    async (request) => {
      const { tenant } = request;
      const ref = bookingRefOf(request);
      const patch = request.body;
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
        throw invalidRequest('booking change', [
          { path: '(body)', message: 'must be a JSON object (a merge patch of the booking)' },
        ]);
      }
      const found = await findBooking(ctx.client, tenant.id, ref);
      return answerChange(await changeBooking(found, { channel: 'ops', patch }));
    },
  );

  app.post<{ Params: { tenant: string; bookingId: string }; Querystring: { source?: unknown } }>(
    '/tenants/:tenant/bookings/:bookingId/details',
    { onRequest: authenticate },
    async (request) => {
      const { tenant } = request;
      const ref = bookingRefOf(request);
      const details = request.body;
      if (typeof details !== 'object' || details === null || Array.isArray(details)) {
        throw invalidRequest('booking details', [
          { path: '(body)', message: 'must be a JSON object with at least guest and pricing' },
        ]);
      }
      const found = await findBooking(ctx.client, tenant.id, ref);
      return answerChange(await completeBooking(found, { channel: 'ops', details }));
    },
  );

  app.post<{ Params: { tenant: string; bookingId: string }; Querystring: { source?: unknown } }>(
    '/tenants/:tenant/bookings/:bookingId/crew',
    { onRequest: authenticate },
    async (request) => {
      const { tenant } = request;
      const ref = bookingRefOf(request);
      const parsed = parseAssignCrew(request.body);
      if (!parsed.ok) throw invalidRequest('crew assignment', parsed.errors);
      const found = await findBooking(ctx.client, tenant.id, ref);
      const assigned = await assignCrew(found, parsed.value);
      if (assigned.outcome === 'assigned') {
        const { workflowId, crew, revision } = assigned;
        return { workflowId, crew, revision };
      }
      return answerChange(assigned);
    },
  );

  app.get<{ Params: { tenant: string; bookingId: string }; Querystring: { source?: unknown } }>(
    '/tenants/:tenant/bookings/:bookingId',
    { onRequest: authenticate },
    async (request) => {
      const { tenant } = request;
      const ref = bookingRefOf(request);
      const status = await bookingStatus(ctx.client, tenant.id, ref);
      if (!status) throw notFound('unknown booking');
      return status;
    },
  );

  app.delete<{ Params: { tenant: string; bookingId: string }; Querystring: { source?: unknown } }>(
    '/tenants/:tenant/bookings/:bookingId',
    { onRequest: authenticate },
    async (request, reply) => {
      const { tenant } = request;
      const ref = bookingRefOf(request);
      return reply.code(202).send(answerCancellation(await cancelRunningBooking(ctx.client, tenant, ref)));
    },
  );
}

/** The booking a path names: `:bookingId` and `?source=` (Boatsetter unless given); 400 otherwise. */
function bookingRefOf(request: FastifyRequest<{ Params: { bookingId: string }; Querystring: { source?: unknown } }>) {
  const ref = parseBookingRef(request.params.bookingId, request.query.source);
  if (!ref.ok) throw invalidRequest('booking reference', ref.errors);
  return ref.value;
}

/** A cancellation's outcome as the answer: 202 requested, else 404 unknown or 409 finished. */
function answerCancellation(result: RunningBookingOutcome) {
  if (result.outcome === 'unknown-booking') throw notFound('unknown booking');
  const { workflowId } = result;
  if (result.outcome === 'closed') {
    throw conflict('the booking has already finished', { workflowId, workflowStatus: result.status });
  }
  return { workflowId, cancellation: 'requested' };
}

/** A change's outcome as the answer: 200 with what changed (or that nothing did), else the error. */
function answerChange(result: ChangeOutcome) {
  if (isApplied(result)) return appliedAnswer(result);
  switch (result.outcome) {
    case 'invalid':
      throw invalidRequest('booking change', result.errors);
    case 'refused':
      throw conflict(result.reason, { workflowId: result.workflowId });
    case 'closed':
      throw conflict('the booking has already finished: it can no longer change', {
        workflowId: result.workflowId,
        workflowStatus: result.status,
      });
    case 'unknown-booking':
      throw notFound('unknown booking');
  }
}

export function statusUrl(ctx: RouteContext, request: FastifyRequest, tenantId: string, booking: BookingRef): string {
  const base = (ctx.publicBaseUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
  return `${base}/tenants/${tenantId}/bookings/${encodeURIComponent(booking.bookingId)}?source=${booking.source}`;
}
