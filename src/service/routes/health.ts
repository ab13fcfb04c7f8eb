import type { FastifyInstance } from 'fastify';
import type { RouteContext } from './context';

/** Probes, logged at warn only: an orchestrator polling every few seconds would drown the request log. */
export function registerHealthRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok' }));

  app.get('/readyz', { logLevel: 'warn' }, async (_request, reply) => {
    if (await ctx.readiness().catch(() => false)) return { status: 'ready' };
    return reply.code(503).send({ status: 'unavailable', reason: 'Temporal is not reachable' });
  });
}
