import {
  DeleteObjectCommand,
  GetBucketCorsCommand,
  GetBucketPolicyStatusCommand,
  PutObjectCommand,
  type CORSRule,
  type S3Client,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import type { Site, Tenant } from '../config/tenant';
import { fail, ok, skip, type CheckResult } from './check';
import { awsCode, awsFix } from './aws-error';

export const bucketWritable = (site: Site) => `site ${site.name}: bucket writable`;
export const bucketPrivate = (site: Site) => `site ${site.name}: bucket not public`;
export const UPLOADS_CORS = 'uploads bucket CORS';

/** Canaries go here, so a lifecycle rule or a reader of the bucket can tell them from pages. */
export const CANARY_PREFIX = 'doctor/';

/**
 * A canary object put and deleted, as publishing puts and the cancellation deletes: the only write the
 * doctor makes. A missing bucket is this check's failure (the others on the bucket then skip).
 */
export async function checkBucketWritable(s3: S3Client, tenant: Tenant, site: Site): Promise<CheckResult> {
  const name = bucketWritable(site);
  const Key = `${CANARY_PREFIX}canary-${Date.now()}-${randomBytes(4).toString('hex')}.txt`;
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: site.bucket,
        Key,
        Body: 'charter-fulfillment doctor canary: safe to delete\n',
        ContentType: 'text/plain; charset=utf-8',
      }),
    );
  } catch (err) {
    if (awsCode(err) === 'NoSuchBucket') {
      return fail(
        name,
        `bucket ${site.bucket} does not exist: create it (private, in AWS_REGION) or correct the site's bucket in the tenants file`,
        tenant.id,
      );
    }
    return fail(name, awsFix(err, 's3:PutObject', `${site.bucket}/*`), tenant.id);
  }
  try {
    await s3.send(new DeleteObjectCommand({ Bucket: site.bucket, Key }));
  } catch (err) {
    return fail(name, `${awsFix(err, 's3:DeleteObject', `${site.bucket}/*`)}; then delete ${Key}`, tenant.id);
  }
  return ok(name, tenant.id);
}

/**
 * The bucket is read by CloudFront only: S3's own verdict on its policy (GetBucketPolicyStatus). A
 * bucket without a policy is not public by policy.
 */
export async function checkBucketPrivate(s3: S3Client, tenant: Tenant, site: Site): Promise<CheckResult> {
  const name = bucketPrivate(site);
  try {
    const { PolicyStatus } = await s3.send(new GetBucketPolicyStatusCommand({ Bucket: site.bucket }));
    if (PolicyStatus?.IsPublic) {
      return fail(
        name,
        `bucket ${site.bucket}'s policy makes it public: remove the statements that allow Principal "*" and let CloudFront read it through origin access control`,
        tenant.id,
      );
    }
    return ok(name, tenant.id);
  } catch (err) {
    const code = awsCode(err);
    if (code === 'NoSuchBucketPolicy') return ok(name, tenant.id);
    if (code === 'NoSuchBucket') {
      return skip(name, `not checked: the bucket does not exist (${bucketWritable(site)})`, tenant.id);
    }
    return fail(name, awsFix(err, 's3:GetBucketPolicyStatus', site.bucket), tenant.id);
  }
}

/** The origin guests load each site's pages from: where their browser posts a photo from. */
export function siteOrigins(tenant: Tenant): string[] {
  return [...new Set(tenant.sites.map((site) => new URL(site.publicUrl.split('{slug}').join('x')).origin))];
}

/** Whether a CORS origin pattern (exact, `*`, or with one `*` wildcard as S3 allows) admits `origin`. */
function admits(pattern: string, origin: string): boolean {
  if (pattern === '*' || pattern === origin) return true;
  const star = pattern.indexOf('*');
  if (star < 0) return false;
  const [head, tail] = [pattern.slice(0, star), pattern.slice(star + 1)];
  return origin.length >= head.length + tail.length && origin.startsWith(head) && origin.endsWith(tail);
}

function allowsPost(rules: readonly CORSRule[], origin: string): boolean {
  return rules.some(
    (rule) =>
      (rule.AllowedMethods ?? []).some((m) => m.toUpperCase() === 'POST') &&
      (rule.AllowedOrigins ?? []).some((pattern) => admits(pattern, origin)),
  );
}

/** Guests upload photos from the sites' pages with a presigned POST: the uploads bucket must allow it from each origin. */
export async function checkUploadsCors(s3: S3Client, tenant: Tenant): Promise<CheckResult> {
  const bucket = tenant.uploads.bucket;
  const origins = siteOrigins(tenant);
  const fix = (what: string) =>
    `${what}: add a CORS rule with AllowedMethods POST and AllowedOrigins ${origins.join(', ')} to bucket ${bucket}`;
  try {
    const { CORSRules = [] } = await s3.send(new GetBucketCorsCommand({ Bucket: bucket }));
    const refused = origins.filter((origin) => !allowsPost(CORSRules, origin));
    if (refused.length > 0) return fail(UPLOADS_CORS, fix(`no rule allows POST from ${refused.join(', ')}`), tenant.id);
    return ok(UPLOADS_CORS, tenant.id);
  } catch (err) {
    const code = awsCode(err);
    if (code === 'NoSuchCORSConfiguration') return fail(UPLOADS_CORS, fix('the bucket has no CORS'), tenant.id);
    if (code === 'NoSuchBucket') {
      return fail(
        UPLOADS_CORS,
        `uploads bucket ${bucket} does not exist: create it or correct uploads.bucket in the tenants file`,
        tenant.id,
      );
    }
    return fail(UPLOADS_CORS, awsFix(err, 's3:GetBucketCors', bucket), tenant.id);
  }
}
