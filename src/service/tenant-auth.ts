import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Tenant, TenantDirectory } from '../config/tenant';
import type { AuthKey, ServiceMetrics } from '../telemetry/service-metrics';
import type { KeyVerifier, ServiceKeyKind } from './auth';
import { notFound, tooManyRequests, unauthorized } from './errors';

declare module 'fastify' {
  interface FastifyRequest {
    /** The path's tenant, authenticated: set by requireServiceKey before any handler of a tenant route runs. */
    tenant: Tenant;
  }
}

/** The metrics' name of each kind of key. */
const AUTH_KEY_OF: Record<ServiceKeyKind, AuthKey> = {
  intakeKeyHash: 'intake',
  crewCallbackKeyHash: 'crew_callback',
  opsKeyHash: 'ops',
};

/** The tenant named by the path's `:tenant`; 404 when there is none. */
function pathTenant(tenants: TenantDirectory, request: FastifyRequest): Tenant {
  const id = (request.params as { tenant?: string }).tenant;
  const tenant = id === undefined ? undefined : tenants.get(id);
  if (!tenant) throw notFound('unknown tenant');
  return tenant;
}

/**
 * onRequest hook: the path's tenant must exist and X-Service-Key must match that tenant's `kind`
 * hash. It runs before the body is read, so an unauthenticated caller learns nothing about how its
 * body would have been judged and costs no parsing.
 *
 * An unknown tenant is answered 404 before any key is looked at, and fast. That reveals only what
 * the 404 says anyway: tenant ids are not secrets (they are in every URL and workflow ID). It
 * reveals nothing about keys, because a known tenant's check touches that tenant's own hash only;
 * no request's timing depends on another tenant's keys.
 *
 * An address that keeps presenting wrong keys is answered 429 with Retry-After, without bcrypt
 * (KeyVerifier.check), so a flood of guesses cannot eat the CPU that valid intake needs.
 */
export function requireServiceKey(
  tenants: TenantDirectory,
  keys: KeyVerifier,
  kind: ServiceKeyKind,
  metrics: ServiceMetrics,
) {
  const key = AUTH_KEY_OF[kind];
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const tenant = pathTenant(tenants, request);
    const presented = request.headers['x-service-key'];
    if (typeof presented !== 'string' || presented === '') {
      metrics.authFailure({ tenant: tenant.id, key, reason: 'missing' });
      throw unauthorized('X-Service-Key header is required');
    }
    const checked = await keys.check(tenant, kind, presented, request.ip);
    if (checked.outcome !== 'valid') {
      metrics.authFailure({
        tenant: tenant.id,
        key,
        reason: checked.outcome === 'limited' ? 'rate_limited' : 'invalid',
      });
    }
    if (checked.outcome === 'limited') {
      throw tooManyRequests(
        'too many wrong X-Service-Key attempts from this address: try again later',
        Math.ceil(checked.retryAfterMs / 1000),
      );
    }
    if (checked.outcome === 'invalid') throw unauthorized('X-Service-Key is not valid for this tenant and path');
    request.tenant = tenant;
  };
}

/**
 * onRequest hook of a channel whose sender cannot send headers (FareHarbor): the secret is the path's
 * `:secret`, checked against the sha256 in the tenant's `channels` entry. Both sides are hashed to 32
 * bytes and compared with timingSafeEqual, so the time says nothing about how much of a guess was
 * right. A high-entropy random secret needs no bcrypt: sha256 is enough against brute force, and it
 * costs microseconds, so no answer waits on it. Every failure (unknown tenant, channel not set up,
 * wrong secret) is the 404 of an unknown route: the path does not reveal that it exists.
 */
export function requireChannelSecret(
  tenants: TenantDirectory,
  channel: keyof NonNullable<Tenant['channels']>,
  metrics: ServiceMetrics,
) {
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const { tenant: id, secret } = request.params as { tenant?: string; secret?: string };
    const tenant = id === undefined ? undefined : tenants.get(id);
    const expected = tenant?.channels?.[channel]?.secretHash;
    const presented = createHash('sha256')
      .update(secret ?? '')
      .digest();
    const stored = Buffer.from(expected ?? '', 'hex');
    if (!tenant || stored.length !== presented.length || !timingSafeEqual(stored, presented)) {
      metrics.authFailure({ tenant: tenant?.id ?? 'unknown', key: channel, reason: 'invalid' });
      throw notFound('not found');
    }
    request.tenant = tenant;
  };
}
