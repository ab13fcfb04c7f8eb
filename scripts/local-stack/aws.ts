import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateDistributionCommand, ListDistributionsCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { createAwsClients } from '../../src/publish/aws-clients';
import { s3DistributionConfig } from '../../sim/distribution-config';

/** moto accepts any credentials; fixed ones keep the SDK from looking for real ones on this machine. */
export const LOCAL_AWS = { region: 'us-east-1', accessKeyId: 'local', secretAccessKey: 'local' } as const;

export const BUCKETS = {
  nested: 'jada-guests-nested',
  flat: 'jada-guests-flat',
  uploads: 'jada-guest-uploads',
  state: 'jada-fulfillment-state',
} as const;

export function localAwsClients(motoUrl: string): { s3: S3Client; cloudfront: CloudFrontClient } {
  return createAwsClients({
    region: LOCAL_AWS.region,
    endpoint: motoUrl,
    credentials: { accessKeyId: LOCAL_AWS.accessKeyId, secretAccessKey: LOCAL_AWS.secretAccessKey },
  });
}

export interface GuestSiteResources {
  nested: { bucket: string; distributionId: string };
  flat: { bucket: string; distributionId: string };
}

/**
 * The buckets and the two distributions the tenant's sites name. moto keeps them in memory, so this
 * runs on every start; it finds what exists first, so pointing it at a moto that is still up is harmless.
 */
export async function provisionAws(s3: S3Client, cloudfront: CloudFrontClient): Promise<GuestSiteResources> {
  await Promise.all(Object.values(BUCKETS).map((bucket) => ensureBucket(s3, bucket)));
  const [nested, flat] = await Promise.all([
    ensureDistribution(cloudfront, BUCKETS.nested),
    ensureDistribution(cloudfront, BUCKETS.flat),
  ]);
  return {
    nested: { bucket: BUCKETS.nested, distributionId: nested },
    flat: { bucket: BUCKETS.flat, distributionId: flat },
  };
}

async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
}

const comment = (bucket: string) => `charter-fulfillment local stack: ${bucket}`;

async function ensureDistribution(cloudfront: CloudFrontClient, bucket: string): Promise<string> {
  const list = await cloudfront.send(new ListDistributionsCommand({}));
  const found = list.DistributionList?.Items?.find((d) => d.Comment === comment(bucket));
  if (found?.Id) return found.Id;
  const created = await cloudfront.send(
    new CreateDistributionCommand({
      DistributionConfig: s3DistributionConfig(bucket, `local-stack-${bucket}`, comment(bucket)),
    }),
  );
  const id = created.Distribution?.Id;
  if (!id) throw new Error(`moto created no distribution for ${bucket}`);
  return id;
}
