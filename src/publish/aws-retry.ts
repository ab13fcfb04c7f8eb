import { AWS_CALL } from '../domain/time-budgets';

/** The parts of the SDK's RetryStrategyV2 (@smithy/types) this strategy implements. */
interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}

interface RetryErrorInfo {
  errorType: 'TRANSIENT' | 'THROTTLING' | 'SERVER_ERROR' | 'CLIENT_ERROR';
}

/** Waited before the n-th retry of a call (n from 1): 500 ms, then 1 s. Their sum stays within AWS_CALL.backoffMs. */
const retryDelayMs = (retry: number) => 500 * 2 ** (retry - 1);

/**
 * Retries within one S3 or CloudFront call, bounded per call: AWS_CALL.attempts tries with a fixed
 * backoff, for errors the SDK classes as transient, throttling or server errors. The SDK's standard
 * strategy instead spends a quota of retry tokens shared by every call of the client (500, 5 a retry,
 * 10 a timeout): a burst of 5xx drains it, and from then on calls fail at their first error however
 * many succeed meanwhile, leaving every retry to Temporal's backoff. Every call here is idempotent
 * (puts by key, invalidations by CallerReference, the mail ledger's conditional writes that know
 * their own), so retrying after a timeout is safe.
 */
export function boundedRetryStrategy() {
  const token = (retries: number): RetryToken => ({
    getRetryCount: () => retries,
    getRetryDelay: () => (retries === 0 ? 0 : retryDelayMs(retries)),
  });
  return {
    acquireInitialRetryToken: async (): Promise<RetryToken> => token(0),
    refreshRetryTokenForRetry: async (previous: RetryToken, error: RetryErrorInfo): Promise<RetryToken> => {
      const retries = previous.getRetryCount() + 1;
      if (error.errorType === 'CLIENT_ERROR' || retries >= AWS_CALL.attempts) {
        throw new Error(`no retry left (${error.errorType}, ${retries} tries)`);
      }
      return token(retries);
    },
    recordSuccess: (): void => undefined,
  };
}

/** The most this strategy waits in one call, for the time budget. */
export const MAX_RETRY_WAIT_MS = Array.from({ length: AWS_CALL.attempts - 1 }, (_, i) => retryDelayMs(i + 1)).reduce(
  (a, b) => a + b,
  0,
);
