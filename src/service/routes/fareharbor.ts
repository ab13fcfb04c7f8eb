import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { fareHarborField, parseFareHarborDelivery } from '../../channels/fareharbor';
import type { Tenant } from '../../config/tenant';
import type { BookingRef } from '../../domain/booking';
import { appliedAnswer, isApplied, type ChangeOutcome } from '../change-booking';
import { cancelRunningBooking, deliverBooking } from '../deliver-booking';
import { conflict, invalidRequest, notFound, unsupportedMediaType } from '../errors';
import type { RunningBookingOutcome } from '../running-booking';
import { countDeliveries, noteIntake, redeliveryOutcome } from '../intake-metrics';
import { requireChannelSecret } from '../tenant-auth';
import { statusUrl } from './bookings';
import type { RouteContext } from './context';

/**
 * FareHarbor's booking webhook, `POST /tenants/:tenant/channels/fareharbor/:secret`. FareHarbor
 * retries anything but a 2xx and may switch off a webhook that fails often, and it re-sends the whole
 * booking on every event (check-ins, reminders, payments), so every delivery we understood is a 200,
 * including those that change nothing or arrive after the booking finished. Only a body we cannot
 * map (400) or Temporal being away (503, worth FareHarbor's retry) is not.
 */
/**
 * FareHarbor's booking lists every customer with its rate and custom fields (~0.5 KiB each before
 * custom fields), so a full boat outgrows intake's 64 KiB; a 413 would only be retried and dropped.
 */
export const FAREHARBOR_BODY_LIMIT_BYTES = 1024 * 1024;

export function registerFareHarborRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post<{ Params: { tenant: string; secret: string } }>(
    '/tenants/:tenant/channels/fareharbor/:secret',
    {
      onRequest: requireChannelSecret(ctx.tenants, 'fareharbor', ctx.metrics),
      onResponse: countDeliveries(ctx.metrics, ctx.tenants, 'fareharbor'),
      bodyLimit: FAREHARBOR_BODY_LIMIT_BYTES,
    },
    async (request) => {
      const { tenant } = request;
      if (request.body === undefined) throw unsupportedMediaType();
      const parsed = parseFareHarborDelivery(request.body, { timeZone: tenant.channels?.fareharbor?.timeZone });
      if (!parsed.ok) throw invalidRequest('FareHarbor delivery', parsed.errors);
      const delivery = parsed.value;
      const link = (ref: BookingRef) => statusUrl(ctx, request, tenant.id, ref);
      const log = request.log;

      if (delivery.action !== 'book') {
        const cancelled = await cancel(ctx, tenant, delivery.ref, log);
        noteIntake(request, 'cancellation');
        const rebookedTo = delivery.action === 'rebooked' ? delivery.rebookedTo : undefined;
        return {
          ...cancelled,
          statusUrl: link(delivery.ref),
          ...(rebookedTo ? { rebookedTo: rebookedTo.bookingId } : {}),
        };
      }

      const { booking } = delivery;
      const delivered = await deliverBooking(ctx.client, tenant, booking, ctx.settings);
      let answer: Record<string, unknown>;
      switch (delivered.outcome) {
        case 'started':
          noteIntake(request, 'accepted');
          answer = { workflowId: delivered.workflowId };
          break;
        case 'redelivered':
          noteIntake(request, redeliveryOutcome(delivered.change));
          answer = answerRedelivery(delivered.change, log);
          break;
        case 'id-taken':
          throw conflict(`booking id ${booking.bookingId} is held by booking ${delivered.heldBy}`, {
            workflowId: delivered.workflowId,
          });
        case 'cancellation':
          throw new Error('a FareHarbor booking maps to booked, never cancelled');
      }
      log.info({ workflowId: answer.workflowId, outcome: delivered.outcome }, 'FareHarbor delivery applied');
      // The new booking of a rebooking ends the old one too: a webhook set to "creations only" never
      // sends the old booking's `rebooked` delivery.
      const rebookedFrom = delivery.rebookedFrom ? await cancel(ctx, tenant, delivery.rebookedFrom, log) : undefined;
      return { ...answer, statusUrl: link(booking), ...(rebookedFrom ? { rebookedFrom } : {}) };
    },
  );
}

/** Cancels a FareHarbor booking if it runs; one that finished or that we never saw is not an error. */
async function cancel(ctx: RouteContext, tenant: Tenant, ref: BookingRef, log: FastifyBaseLogger) {
  const result: RunningBookingOutcome = await cancelRunningBooking(ctx.client, tenant, ref);
  log.info({ bookingId: ref.bookingId, outcome: result.outcome }, 'FareHarbor cancellation');
  switch (result.outcome) {
    case 'done':
      return { workflowId: result.workflowId, cancellation: 'requested' };
    case 'closed':
      return { workflowId: result.workflowId, cancellation: 'already-finished', workflowStatus: result.status };
    case 'unknown-booking':
      return { cancellation: 'unknown-booking' };
  }
}

/** A re-delivery's outcome: what changed, or why nothing did (still 200: a retry would not help). */
function answerRedelivery(result: ChangeOutcome, log: FastifyBaseLogger): Record<string, unknown> {
  if (isApplied(result)) return appliedAnswer(result);
  switch (result.outcome) {
    case 'refused':
      log.warn({ workflowId: result.workflowId, reason: result.reason }, 'FareHarbor change not applied');
      return { workflowId: result.workflowId, changed: [], refused: result.reason };
    case 'closed':
      log.warn({ workflowId: result.workflowId, status: result.status }, 'FareHarbor change to a finished booking');
      return { workflowId: result.workflowId, changed: [], workflowStatus: result.status };
    case 'invalid':
      throw invalidRequest(
        'FareHarbor delivery',
        result.errors.map((e) => ({ ...e, path: fareHarborField(e.path) })),
      );
    case 'unknown-booking':
      throw notFound('unknown booking');
  }
}
