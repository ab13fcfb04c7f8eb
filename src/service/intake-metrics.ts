import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TenantDirectory } from '../config/tenant';
import type { IntakeChannel, IntakeOutcome, ServiceMetrics } from '../telemetry/service-metrics';
import type { ChangeOutcome } from './change-booking';

const noted = new WeakMap<FastifyRequest, IntakeOutcome>();

/** What a 200 or 202 came to, where the status code alone does not say (a re-delivery: changed or not). */
export function noteIntake(request: FastifyRequest, outcome: IntakeOutcome): void {
  noted.set(request, outcome);
}

/** A re-delivery's outcome as counted. */
export function redeliveryOutcome(change: ChangeOutcome): IntakeOutcome {
  switch (change.outcome) {
    case 'changed':
      return 'changed';
    case 'unchanged':
      return 'duplicate';
    case 'stale':
      return 'stale';
    case 'invalid':
      return 'invalid';
    case 'unknown-booking':
      return 'not_found';
    case 'refused':
    case 'closed':
      return 'conflict';
  }
}

function outcomeOf(request: FastifyRequest, status: number): IntakeOutcome {
  const note = noted.get(request);
  if (status < 300) return note ?? (status === 202 ? 'accepted' : 'duplicate');
  if (status === 400 || status === 413 || status === 415) return 'invalid';
  if (status === 401) return 'unauthorized';
  if (status === 429) return 'rate_limited';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  return 'error';
}

/** A known tenant's id, else "unknown": the path is the caller's to invent, the label set is not. */
export function tenantLabel(tenants: TenantDirectory, request: FastifyRequest): string {
  if (request.tenant) return request.tenant.id;
  const id = (request.params as { tenant?: string } | undefined)?.tenant;
  return id !== undefined && tenants.get(id) ? id : 'unknown';
}

/** onResponse hook of a delivery route: counts the delivery by tenant, channel and outcome. */
export function countDeliveries(metrics: ServiceMetrics, tenants: TenantDirectory, channel: IntakeChannel) {
  return async function countDelivery(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    metrics.intake({ tenant: tenantLabel(tenants, request), channel, outcome: outcomeOf(request, reply.statusCode) });
  };
}
