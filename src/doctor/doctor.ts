import type { S3Client } from '@aws-sdk/client-s3';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { Tenant } from '../config/tenant';
import { SMTP_CALL } from '../domain/time-budgets';
import { createAwsClients } from '../publish/aws-clients';
import type { CheckResult } from './check';
import { checkCloudFrontFunction, checkDistribution, needsRewrite } from './cloudfront';
import type { DoctorConfig } from './config';
import { checkJada } from './jada';
import { checkBucketPrivate, checkBucketWritable, checkUploadsCors } from './s3';
import { checkScc } from './scc';
import { checkSmtp } from './smtp';
import { checkTemporal } from './temporal';

/** How long Temporal's calls may take: a namespace that does not answer in this is a failure to look at. */
const TEMPORAL_TIMEOUT_MS = 10_000;

export interface DoctorOptions {
  /** Only this tenant's checks (and the shared SMTP and Temporal ones). */
  tenant?: string;
}

export class UnknownTenantError extends Error {
  constructor(id: string, known: readonly string[]) {
    super(`no tenant ${id} in the tenants file (it has ${known.join(', ')})`);
    this.name = 'UnknownTenantError';
  }
}

async function tenantChecks(
  tenant: Tenant,
  config: DoctorConfig,
  aws: { s3: S3Client; cloudfront: CloudFrontClient },
): Promise<CheckResult[]> {
  const httpTimeoutMs = config.env.HTTP_TIMEOUT_MS;
  const secretEnv = config.secretEnv[tenant.id] ?? { jadaToken: 'jada.tokenEnv', sccServiceKey: 'scc.serviceKeyEnv' };
  const sites = tenant.sites.map(async (site) =>
    Promise.all([
      checkBucketWritable(aws.s3, tenant, site),
      checkBucketPrivate(aws.s3, tenant, site),
      checkDistribution(aws.cloudfront, tenant, site),
      ...(needsRewrite(site) ? [checkCloudFrontFunction(aws.cloudfront, tenant, site)] : []),
    ]),
  );
  const results = await Promise.all([
    checkJada(tenant, secretEnv.jadaToken, httpTimeoutMs).then((r) => [r]),
    checkScc(tenant, secretEnv.sccServiceKey, httpTimeoutMs),
    ...sites,
    checkUploadsCors(aws.s3, tenant).then((r) => [r]),
  ]);
  return results.flat();
}

/**
 * Every check against the real systems, read-only but for a canary object under `doctor/` in each
 * site bucket: each tenant's JADA, SCC, buckets, distributions, CloudFront Function and uploads CORS,
 * then the SMTP login and the Temporal namespace they share. Checks never throw: each failure is a
 * row with its fix.
 */
export async function runDoctor(config: DoctorConfig, options: DoctorOptions = {}): Promise<CheckResult[]> {
  const tenants = options.tenant === undefined ? config.tenants : config.tenants.filter((t) => t.id === options.tenant);
  if (options.tenant !== undefined && tenants.length === 0) {
    throw new UnknownTenantError(
      options.tenant,
      config.tenants.map((t) => t.id),
    );
  }
  const aws = createAwsClients(config.aws);
  try {
    const [perTenant, smtp, temporal] = await Promise.all([
      Promise.all(tenants.map((tenant) => tenantChecks(tenant, config, aws))),
      checkSmtp(config.env, SMTP_CALL.timeoutMs),
      checkTemporal(config.env, TEMPORAL_TIMEOUT_MS),
    ]);
    return [...perTenant.flat(), smtp, ...temporal];
  } finally {
    aws.s3.destroy();
    aws.cloudfront.destroy();
  }
}

export const failed = (results: readonly CheckResult[]): CheckResult[] => results.filter((r) => r.status === 'fail');
