import { ApplicationFailure } from '@temporalio/activity';
import { errorType, isRetryable } from '../src/clients/errors';
import { PublishInputError } from '../src/publish/errors';

/**
 * Turns an adapter error into what Temporal should do with it: transient failures are rethrown as
 * retryable failures of their own type (the retry policy backs off), and auth/validation failures
 * become non-retryable with a message that names the system and the fix. Adapter messages never carry
 * secrets, so they are safe to put in history.
 */
export function toActivityFailure(err: unknown, step: string): ApplicationFailure {
  const message = `${step}: ${err instanceof Error ? err.message : String(err)}`;
  const type = errorType(err);
  return isRetryable(err)
    ? ApplicationFailure.retryable(message, type)
    : ApplicationFailure.nonRetryable(message, type);
}

export function configurationFailure(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'ConfigurationError');
}

/** AWS answers that mean "later", although they come as 4xx. */
const AWS_TRANSIENT = new Set([
  'Throttling',
  'ThrottlingException',
  'SlowDown',
  'RequestTimeout',
  'TooManyInvalidationsInProgress',
]);

/**
 * Publish input that can never work, and AWS 4xx answers (no such bucket, access denied) are our
 * configuration's fault: they fail at once for ops to fix. 5xx, throttling and network errors retry.
 */
export function awsFailure(err: unknown, step: string): ApplicationFailure {
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const name = err instanceof Error ? err.name : 'Error';
  const message = `${step}: ${name}${err instanceof Error && err.message ? `: ${err.message}` : ''}`;
  const permanent =
    err instanceof PublishInputError ||
    (status !== undefined && status >= 400 && status < 500 && status !== 429 && !AWS_TRANSIENT.has(name));
  return permanent ? ApplicationFailure.nonRetryable(message, name) : ApplicationFailure.retryable(message, name);
}
