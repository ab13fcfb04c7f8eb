import type { FastifyInstance } from 'fastify';
import { deliverCrewResponse, findBookingBySccEvent, parseCrewResponseRequest } from '../crew-response';
import { conflict, invalidRequest, notFound, unsupportedMediaType } from '../errors';
import { requireServiceKey } from '../tenant-auth';
import type { RouteContext } from './context';

/** SCC's crew-response callback: becomes the `crewResponse` signal on the booking's workflow. */
export function registerCrewResponseRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post<{ Params: { tenant: string } }>(
    '/tenants/:tenant/crew-responses',
    { onRequest: requireServiceKey(ctx.tenants, ctx.keys, 'crewCallbackKeyHash', ctx.metrics) },
    async (request, reply) => {
      const { tenant } = request;
      if (request.body === undefined) throw unsupportedMediaType();
      const parsed = parseCrewResponseRequest(request.body, tenant.id);
      if (!parsed.ok) throw invalidRequest('crew response', parsed.errors);
      const { target, response } = parsed.value;
      const workflowId =
        'workflowId' in target ? target.workflowId : await findBookingBySccEvent(ctx.client, tenant.id, target.eventId);
      if (workflowId === undefined) throw notFound('unknown booking');
      const delivery = await deliverCrewResponse(ctx.client, tenant.id, workflowId, response);
      if (delivery.outcome === 'unknown-booking') throw notFound('unknown booking');
      if (delivery.outcome === 'closed') {
        throw conflict('the booking no longer takes crew answers', { workflowId, workflowStatus: delivery.status });
      }
      // Accepted, not recorded: the workflow keeps the first answer per crew member and ignores the rest.
      return reply.code(202).send({ workflowId, accepted: true });
    },
  );
}
