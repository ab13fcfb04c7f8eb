import { S3Client } from '@aws-sdk/client-s3';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { AWS_CALL } from '../domain/time-budgets';
import { boundedRetryStrategy } from './aws-retry';

export interface AwsClientOptions {
  region: string;
  /** A local S3/CloudFront implementation (moto); unset for real AWS. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * The worker's S3 and CloudFront clients. The SDK waits forever on a silent socket by default; bounded
 * tries (AWS_CALL in src/domain/time-budgets.ts) let a call fail within the activity's time budget,
 * so Temporal's retry, not an overlapping attempt, takes over. Every call is also given the activity's
 * cancellation signal (`abortSignal`) by its caller.
 */
export function createAwsClients(options: AwsClientOptions): { s3: S3Client; cloudfront: CloudFrontClient } {
  const common = {
    region: options.region,
    credentials: options.credentials,
    maxAttempts: AWS_CALL.attempts,
    retryStrategy: boundedRetryStrategy(),
    requestHandler: {
      requestTimeout: AWS_CALL.requestTimeoutMs,
      connectionTimeout: AWS_CALL.connectTimeoutMs,
      throwOnRequestTimeout: true,
    },
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  };
  return {
    s3: new S3Client({ ...common, forcePathStyle: options.endpoint !== undefined }),
    cloudfront: new CloudFrontClient(common),
  };
}
