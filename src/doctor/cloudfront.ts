import { GetDistributionConfigCommand, GetFunctionCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { createHash } from 'node:crypto';
import type { Site, Tenant } from '../config/tenant';
import { loadGuestRewriteSource } from '../publish/cloudfront-function';
import { fail, ok, type CheckResult } from './check';
import { awsCode, awsFix } from './aws-error';

export const distribution = (site: Site) => `site ${site.name}: distribution`;
export const cloudFrontFunction = (site: Site) => `site ${site.name}: CloudFront Function`;

/** An S3 origin's domain names its bucket first: `bucket.s3.amazonaws.com`, `bucket.s3.<region>.amazonaws.com`. */
function bucketOf(domainName: string): string | undefined {
  return /^(.+?)\.s3[.-]/.exec(domainName)?.[1];
}

/** The distribution exists and has the site's bucket among its origins: invalidations and pages meet there. */
export async function checkDistribution(
  cloudfront: CloudFrontClient,
  tenant: Tenant,
  site: Site,
): Promise<CheckResult> {
  const name = distribution(site);
  try {
    const { DistributionConfig } = await cloudfront.send(new GetDistributionConfigCommand({ Id: site.distributionId }));
    const buckets = (DistributionConfig?.Origins?.Items ?? []).map((o) => bucketOf(o.DomainName ?? '') ?? o.DomainName);
    if (!buckets.includes(site.bucket)) {
      return fail(
        name,
        `distribution ${site.distributionId} serves from ${buckets.join(', ') || 'no origin'}, not bucket ${site.bucket}: correct the site's distributionId or bucket, or point the distribution's origin at ${site.bucket}`,
        tenant.id,
      );
    }
    return ok(name, tenant.id);
  } catch (err) {
    if (awsCode(err) === 'NoSuchDistribution') {
      return fail(
        name,
        `distribution ${site.distributionId} does not exist: correct the site's distributionId in the tenants file`,
        tenant.id,
      );
    }
    return fail(name, awsFix(err, 'cloudfront:GetDistributionConfig', site.distributionId), tenant.id);
  }
}

/** A site whose guests' path is not the object's key needs the rewrite (nested: /g/{slug} -> guests/{slug}/index.html). */
export function needsRewrite(site: Site): boolean {
  return site.publicPath !== `/${site.objectKey}`;
}

export const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The function CloudFront runs for the site (its LIVE stage) is the one in
 * src/publish/cloudfront-function: the same sha256. A drifted one serves guests other paths than the
 * worker publishes to.
 */
export async function checkCloudFrontFunction(
  cloudfront: CloudFrontClient,
  tenant: Tenant,
  site: Site,
  expectedSource: string = loadGuestRewriteSource(),
): Promise<CheckResult> {
  const name = cloudFrontFunction(site);
  const fnName = site.cloudFrontFunction;
  if (fnName === undefined) {
    return fail(
      name,
      `the site serves ${site.publicPath} from ${site.objectKey} through a CloudFront Function: name it in the site's cloudFrontFunction in the tenants file`,
      tenant.id,
    );
  }
  const expected = sha256(expectedSource);
  try {
    const { FunctionCode } = await cloudfront.send(new GetFunctionCommand({ Name: fnName, Stage: 'LIVE' }));
    const live = sha256(FunctionCode ?? new Uint8Array());
    if (live !== expected) {
      return fail(
        name,
        `function ${fnName}'s LIVE code (sha256 ${live.slice(0, 12)}) is not src/publish/cloudfront-function/guest-rewrite.js (${expected.slice(0, 12)}): update it with that file and publish it`,
        tenant.id,
      );
    }
    return ok(name, tenant.id);
  } catch (err) {
    if (awsCode(err) === 'NoSuchFunctionExists') {
      return fail(
        name,
        `no CloudFront Function ${fnName}: create it from src/publish/cloudfront-function/guest-rewrite.js, publish it and associate it (viewer request) with distribution ${site.distributionId}`,
        tenant.id,
      );
    }
    return fail(name, awsFix(err, 'cloudfront:GetFunction', fnName), tenant.id);
  }
}
