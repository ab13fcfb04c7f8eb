import { ApplicationFailure } from '@temporalio/activity';
import { FeedError } from '../src/channels/ical-feed';
import { ExternalError, type ExternalErrorType } from '../src/clients/errors';
import { isRetryableMailError } from '../src/mail/transport';
import { PublishInputError } from '../src/publish/errors';

/**
 * Every rule by which an error becomes a Temporal failure, in one place. Transient failures are
 * retryable (the workflow's retry policy backs off); configuration, auth and validation failures are
 * non-retryable, with a message that names the system and the fix. Adapter messages never carry
 * secrets, so they are safe to put in history.
 *
 * A failure decided already (the configuration's, say) passes through each map unchanged.
 *
 * The failure types, as the Temporal UI shows them and tests match them (by type, not `instanceof`):
 */
export type ActivityFailureType =
  /** JADA or SCC (src/clients/errors.ts). */
  | ExternalErrorType
  /** The worker's own configuration: an unknown tenant, a tenant without sites. */
  | 'ConfigurationError'
  /** Publish input that can never work (a bad slug or site template), or a reused CallerReference. */
  | 'PublishInputError'
  | 'InvalidationConflictError'
  /** S3 or CloudFront refused for good (no such bucket, access denied), or may answer later. */
  | 'AwsRejected'
  | 'AwsUnavailable'
  /** SMTP refused the message for good (5yz, auth, envelope), or may take it later (4yz, connection). */
  | 'MailRejected'
  | 'MailUnavailable'
  /** Another attempt holds the email's claim in the sent-mail ledger: retried once it has sent or its lease ended. */
  | 'MailInProgress'
  /** An email asked for with nothing to tell (no changes, no crew), or crew not on its roster: a workflow bug. */
  | 'MailInputError'
  /** A calendar feed answered an HTTP error, timed out, or sent something that is not a usable iCal file. */
  | 'FeedUnavailable'
  | 'FeedRejected'
  /** Anything else: a bug or an error nobody classified; retried, as Temporal does by default. */
  | 'UnexpectedError';

function failure(type: ActivityFailureType, retryable: boolean, message: string): ApplicationFailure {
  return retryable ? ApplicationFailure.retryable(message, type) : ApplicationFailure.nonRetryable(message, type);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** JADA and SCC: the client's typed error says whether retrying can help. */
export function clientFailure(err: unknown, step: string): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const message = `${step}: ${describe(err)}`;
  return err instanceof ExternalError
    ? failure(err.name, err.retryable, message)
    : failure('UnexpectedError', true, message);
}

export function configurationFailure(message: string): ApplicationFailure {
  return failure('ConfigurationError', false, message);
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
 * Publish input that can never work fails at once, and so do AWS 4xx answers (no such bucket, access
 * denied): they are our configuration's fault, for ops to fix. 5xx, throttling and network errors
 * retry. The AWS error's name stays in the message, where ops look for it.
 */
export function awsFailure(err: unknown, step: string): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof PublishInputError) {
    const type = err.name === 'InvalidationConflictError' ? 'InvalidationConflictError' : 'PublishInputError';
    return failure(type, false, `${step}: ${err.message}`);
  }
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const name = err instanceof Error ? err.name : 'Error';
  const message = `${step}: ${name}${err instanceof Error && err.message ? `: ${err.message}` : ''}`;
  const permanent = status !== undefined && status >= 400 && status < 500 && status !== 429 && !AWS_TRANSIENT.has(name);
  return permanent ? failure('AwsRejected', false, message) : failure('AwsUnavailable', true, message);
}

/** A calendar feed: its typed error (src/channels/ical-feed.ts) says whether a retry can help. */
export function feedFailure(err: unknown, step: string): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof FeedError) {
    return failure(err.retryable ? 'FeedUnavailable' : 'FeedRejected', err.retryable, `${step}: ${err.message}`);
  }
  return failure('UnexpectedError', true, `${step}: ${describe(err)}`);
}

/** SMTP: the reply code decides (src/mail/transport.ts isRetryableMailError). */
export function mailFailure(err: unknown, step: string): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const message = `${step}: ${describe(err)}`;
  return isRetryableMailError(err)
    ? failure('MailUnavailable', true, message)
    : failure('MailRejected', false, message);
}

/** The same input composes the same unusable email on every attempt: nothing to retry. */
export function mailInputFailure(message: string): ApplicationFailure {
  return failure('MailInputError', false, message);
}

/** Retried when the other attempt's claim ends, not on the retry policy's growing backoff. */
export function mailInProgressFailure(message: string, retryInMs: number): ApplicationFailure {
  return ApplicationFailure.create({
    message,
    type: 'MailInProgress' satisfies ActivityFailureType,
    nextRetryDelay: retryInMs,
  });
}
