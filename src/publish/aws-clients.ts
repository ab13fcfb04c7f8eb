import { S3Client } from '@aws-sdk/client-s3';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';

export interface AwsClientOptions {
  region: string;
  /** A local S3/CloudFront implementation (moto); unset for real AWS. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /**
   * The SDK waits forever on a silent socket by default; a bounded request lets the activity fail
   * and Temporal retry instead of holding the attempt until its start-to-close timeout.
   */
  requestTimeoutMs?: number;
  /** SDK-level attempts per call, before Temporal's own retries. */
  maxAttempts?: number;
}

export function createAwsClients(options: AwsClientOptions): { s3: S3Client; cloudfront: CloudFrontClient } {
  const common = {
    region: options.region,
    credentials: options.credentials,
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: {
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      connectionTimeout: 5_000,
      throwOnRequestTimeout: true,
    },
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  };
  return {
    s3: new S3Client({ ...common, forcePathStyle: options.endpoint !== undefined }),
    cloudfront: new CloudFrontClient(common),
  };
}
