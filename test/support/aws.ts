import { CreateBucketCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateDistributionCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import { createAwsClients } from '../../src/publish/aws-clients';
import { s3DistributionConfig } from '../../sim/distribution-config';

/** SDK clients pointed at moto (or a proxy in front of it), as the worker builds them. */
export function motoClients(motoUrl: string) {
  return createAwsClients({
    region: 'us-east-1',
    endpoint: motoUrl,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`.toLowerCase();
}

export async function createBucket(s3: S3Client, name: string): Promise<string> {
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

/** A distribution in front of a bucket: the minimum DistributionConfig that CloudFront (and moto) accept. */
export async function createDistribution(
  cloudfront: CloudFrontClient,
  bucket: string,
): Promise<{ id: string; domainName: string }> {
  const result = await cloudfront.send(
    new CreateDistributionCommand({
      DistributionConfig: s3DistributionConfig(bucket, uniqueName('dist'), `guest pages in ${bucket}`),
    }),
  );
  const distribution = result.Distribution;
  if (!distribution?.Id || !distribution.DomainName) throw new Error('moto returned no distribution id');
  return { id: distribution.Id, domainName: distribution.DomainName };
}

export async function readObject(s3: S3Client, bucket: string, key: string) {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return {
    body: Buffer.from(await res.Body!.transformToByteArray()),
    contentType: res.ContentType,
    cacheControl: res.CacheControl,
  };
}

/** Every invalidation of a distribution (all pages of the list), with its paths and CallerReference. */
export async function invalidationsOf(cloudfront: CloudFrontClient, distributionId: string) {
  const ids: string[] = [];
  let marker: string | undefined;
  do {
    const { InvalidationList: list } = await cloudfront.send(
      new ListInvalidationsCommand({ DistributionId: distributionId, Marker: marker }),
    );
    ids.push(...(list?.Items ?? []).map(({ Id }) => Id!));
    marker = list?.IsTruncated ? list.NextMarker : undefined;
  } while (marker);
  return Promise.all(
    ids.map(async (id) => {
      const { Invalidation } = await cloudfront.send(
        new GetInvalidationCommand({ DistributionId: distributionId, Id: id }),
      );
      return {
        id,
        callerReference: Invalidation?.InvalidationBatch?.CallerReference,
        paths: [...(Invalidation?.InvalidationBatch?.Paths?.Items ?? [])].sort(),
      };
    }),
  );
}
