import type { Tenant } from '../config/tenant';
import { fail, ok, type CheckResult } from './check';
import { joinUrl, probe } from './http-probe';

export const JADA_TOKEN = 'JADA token';

/**
 * A read of the calendar (the lookup by external id the worker makes before creating) with the
 * tenant's dashboard token: 2xx means JADA took it.
 */
export async function checkJada(tenant: Tenant, tokenEnv: string, timeoutMs: number): Promise<CheckResult> {
  const url = joinUrl(tenant.jada.baseUrl, '/calendar/events?externalId=doctor-probe');
  const answer = await probe(url, { 'X-Dashboard-Token': tenant.jada.token }, timeoutMs);
  if ('error' in answer) {
    return fail(JADA_TOKEN, `cannot reach JADA: ${answer.error}; check jada.url in the tenants file`, tenant.id);
  }
  if (answer.status >= 200 && answer.status < 300) return ok(JADA_TOKEN, tenant.id);
  if (answer.status === 401 || answer.status === 403) {
    return fail(
      JADA_TOKEN,
      `JADA refused the dashboard token (${answer.status}): set ${tokenEnv} (the tenant's jada.tokenEnv) to its JADA dashboard token`,
      tenant.id,
    );
  }
  return fail(
    JADA_TOKEN,
    `JADA answered ${answer.status} to GET /calendar/events: check that jada.url is the JADA API's base URL`,
    tenant.id,
  );
}
