import type { DistributionConfig } from '@aws-sdk/client-cloudfront';

/**
 * The smallest DistributionConfig that CloudFront (and moto) accept for a distribution in front of an
 * S3 bucket. moto checks that the origin's domain is an S3 bucket's and that the cache behaviour
 * targets an existing origin.
 */
export function s3DistributionConfig(bucket: string, callerReference: string, comment: string): DistributionConfig {
  const originId = `s3-${bucket}`;
  return {
    CallerReference: callerReference,
    Comment: comment,
    Enabled: true,
    Origins: {
      Quantity: 1,
      Items: [{ Id: originId, DomainName: `${bucket}.s3.amazonaws.com`, S3OriginConfig: { OriginAccessIdentity: '' } }],
    },
    DefaultCacheBehavior: {
      TargetOriginId: originId,
      ViewerProtocolPolicy: 'redirect-to-https',
      MinTTL: 0,
      ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } },
      TrustedSigners: { Enabled: false, Quantity: 0 },
    },
  };
}
