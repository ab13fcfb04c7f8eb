import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseBooking, type Booking } from '../../domain/booking';
import { bookingStatus, parseBookingRef } from '../booking-status';
import { conflict, invalidRequest, notFound, unsupportedMediaType } from '../errors';
import { CrewAssignmentSchema } from '../../domain/booking';
import { parseWith } from '../../domain/validation';
import { z } from 'zod';
import {
  LEGACY_WORKFLOW_TYPE,
  assignCrew,
  changeBooking,
  redeliveryToLegacy,
  type ChangeOutcome,
} from '../change-booking';
import { actOnRunningBooking, findBooking, type FoundBooking } from '../running-booking';
import { startBookingFulfillment } from '../start-booking';
import { requireServiceKey } from '../tenant-auth';
import type { RouteContext } from './context';

const AssignCrewSchema = z
  .object({ replace: CrewAssignmentSchema.shape.id.optional(), member: CrewAssignmentSchema })
  .strict();
const parseAssignCrew = (body: unknown) => parseWith(AssignCrewSchema, body);

/**
 * Booking intake (`POST /tenants/:tenant/bookings`), booking status (`GET .../bookings/:bookingId`)
 * changes (a re-delivery, `PATCH .../bookings/:bookingId` with a merge patch), crew replacement
 * (`POST .../bookings/:bookingId/crew`) and cancellation (`DELETE .../bookings/:bookingId`, or a
 * delivery with `status: "cancelled"`).
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
      const booking = parsed.value;
      const link = statusUrl(ctx, request, tenant.id, booking);
      if (booking.status === 'cancelled') {
        const cancelled = await cancelBooking(await findBooking(ctx.client, tenant.id, booking));
        return reply.code(202).send({ ...cancelled, statusUrl: link });
      }
      const started = await startBookingFulfillment(ctx.client, tenant, booking, ctx.settings);
      const { workflowId } = started;
      if (started.outcome === 'id-taken') {
        throw conflict(
          `booking id ${booking.bookingId} is taken: ${workflowId} holds booking ${started.heldBy}, ` +
            'started before booking ids kept their case; ask the source for another id or enter it by hand',
          { workflowId },
        );
      }
      if (started.outcome === 'started') return reply.code(202).send({ workflowId, statusUrl: link });
      // A re-delivery: the same details change nothing, new ones change the running booking.
      const found = started.found;
      const changed =
        found?.description.type === LEGACY_WORKFLOW_TYPE
          ? await redeliveryToLegacy(found, booking)
          : await changeBooking(found, { channel: booking.source, booking });
      return reply.code(200).send({ ...answerChange(changed), statusUrl: link });
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
      return reply.code(202).send(await cancelBooking(await findBooking(ctx.client, tenant.id, ref)));
    },
  );
}

/** The booking a path names: `:bookingId` and `?source=` (Boatsetter unless given); 400 otherwise. */
function bookingRefOf(request: FastifyRequest<{ Params: { bookingId: string }; Querystring: { source?: unknown } }>) {
  const ref = parseBookingRef(request.params.bookingId, request.query.source);
  if (!ref.ok) throw invalidRequest('booking reference', ref.errors);
  return ref.value;
}

/**
 * Cancels the booking's workflow: it deletes the JADA entry, cancels the SCC event, withdraws the
 * guest page and tells ops what was undone and what is left to do by hand.
 */
async function cancelBooking(found: FoundBooking | undefined) {
  const result = await actOnRunningBooking(found, (handle) => handle.cancel());
  if (result.outcome === 'unknown-booking') throw notFound('unknown booking');
  const { workflowId } = result;
  if (result.outcome === 'closed') {
    throw conflict('the booking has already finished', { workflowId, workflowStatus: result.status });
  }
  return { workflowId, cancellation: 'requested' };
}

/** A change's outcome as the answer: 200 with what changed (or that nothing did), else the error. */
function answerChange(result: Exclude<ChangeOutcome, never>) {
  switch (result.outcome) {
    case 'changed':
      return { workflowId: result.workflowId, changed: result.changed, revision: result.revision };
    case 'unchanged':
      return { workflowId: result.workflowId, changed: [] };
    case 'stale':
      return { workflowId: result.workflowId, changed: [], stale: true, reason: result.reason };
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

function statusUrl(ctx: RouteContext, request: FastifyRequest, tenantId: string, booking: Booking): string {
  const base = (ctx.publicBaseUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
  return `${base}/tenants/${tenantId}/bookings/${encodeURIComponent(booking.bookingId)}?source=${booking.source}`;
}
