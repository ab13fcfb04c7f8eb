import type { Tenant } from '../config/tenant';
import { fail, ok, skip, type CheckResult } from './check';
import { joinUrl, probe } from './http-probe';

export const SCC_ORIGIN = 'SCC URL is the origin';
export const SCC_KEY = 'SCC service key';

/** CloudFront marks what it relays (Via, X-Amz-Cf-Id, X-Cache); an API Gateway origin answers without them. */
export function cloudFrontHeaders(headers: Headers): string[] {
  const found: string[] = [];
  if (/cloudfront/i.test(headers.get('via') ?? '')) found.push('via');
  if (headers.has('x-amz-cf-id')) found.push('x-amz-cf-id');
  if (/cloudfront/i.test(headers.get('x-cache') ?? '')) found.push('x-cache');
  return found;
}

/**
 * An edge-optimized API Gateway is reached through CloudFront too, and passes X-Service-Key on: its
 * answers carry CloudFront's headers, but it is the origin.
 */
function isApiGateway(url: string): boolean {
  return /\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/i.test(new URL(url).hostname);
}

/**
 * One read of the events (the lookup by external id the worker makes before creating) with the
 * tenant's service key, two verdicts: the answer came from the origin, not through a CDN (CloudFront
 * strips X-Service-Key, so a CDN URL fails every call with 401); and the origin took the key.
 */
export async function checkScc(tenant: Tenant, serviceKeyEnv: string, timeoutMs: number): Promise<CheckResult[]> {
  const url = joinUrl(tenant.scc.apiUrl, '/events?external_id=doctor-probe');
  const answer = await probe(url, { 'X-Service-Key': tenant.scc.serviceKey }, timeoutMs);
  if ('error' in answer) {
    return [
      fail(SCC_ORIGIN, `cannot reach SCC: ${answer.error}; check scc.apiUrl in the tenants file`, tenant.id),
      skip(SCC_KEY, `not checked: SCC did not answer (${SCC_ORIGIN})`, tenant.id),
    ];
  }
  const relayed = cloudFrontHeaders(answer.headers);
  if (relayed.length > 0 && !isApiGateway(tenant.scc.apiUrl)) {
    return [
      fail(
        SCC_ORIGIN,
        `scc.apiUrl answers through CloudFront (${relayed.join(', ')}), which strips X-Service-Key: set it to SCC's origin (API Gateway) URL`,
        tenant.id,
      ),
      skip(SCC_KEY, `not checked: the CDN drops the key before SCC sees it (${SCC_ORIGIN})`, tenant.id),
    ];
  }
  const origin = ok(SCC_ORIGIN, tenant.id);
  if (answer.status >= 200 && answer.status < 300) return [origin, ok(SCC_KEY, tenant.id)];
  if (answer.status === 401 || answer.status === 403) {
    return [
      origin,
      fail(
        SCC_KEY,
        `SCC refused the service key (${answer.status}): set ${serviceKeyEnv} (the tenant's scc.serviceKeyEnv) to its SCC service key`,
        tenant.id,
      ),
    ];
  }
  return [
    origin,
    fail(
      SCC_KEY,
      `SCC answered ${answer.status} to GET /events: check that scc.apiUrl is SCC's API base URL`,
      tenant.id,
    ),
  ];
}
