import { ApplicationFailure } from '@temporalio/activity';
import { errorType, isRetryable } from '../src/clients/errors';

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
