import { awsFailure, clientFailure, configurationFailure, mailFailure } from '../../../activities/failures';
import { ExternalAuthError, ExternalUnavailableError } from '../../../src/clients/errors';
import { InvalidationConflictError } from '../../../src/publish/cloudfront';
import { PublishInputError } from '../../../src/publish/errors';

const awsError = (name: string, httpStatusCode: number) =>
  Object.assign(new Error(`${name} from AWS`), { name, $metadata: { httpStatusCode } });
const smtpError = (props: { responseCode?: number; code?: string }) => Object.assign(new Error('SMTP said no'), props);

/** What ops see in the Temporal UI, and whether Temporal tries again. */
const verdict = (failure: { type?: string | null; nonRetryable?: boolean | null; message: string }) => ({
  type: failure.type,
  retried: !failure.nonRetryable,
});

describe('the failure map', () => {
  it('keeps the JADA/SCC client error type and its verdict', () => {
    expect(verdict(clientFailure(new ExternalAuthError('JADA', 'JADA rejected the token'), 'step'))).toEqual({
      type: 'ExternalAuthError',
      retried: false,
    });
    expect(verdict(clientFailure(new ExternalUnavailableError('SCC', 'SCC answered 503'), 'step'))).toEqual({
      type: 'ExternalUnavailableError',
      retried: true,
    });
  });

  it('fails AWS 4xx at once and retries 5xx, throttling and network errors, naming the AWS error', () => {
    const rejected = awsFailure(awsError('NoSuchBucket', 404), 'Publishing');
    expect(verdict(rejected)).toEqual({ type: 'AwsRejected', retried: false });
    expect(rejected.message).toBe('Publishing: NoSuchBucket: NoSuchBucket from AWS');
    expect(verdict(awsFailure(awsError('InternalError', 500), 'Publishing'))).toEqual({
      type: 'AwsUnavailable',
      retried: true,
    });
    expect(verdict(awsFailure(awsError('SlowDown', 400), 'Publishing'))).toEqual({
      type: 'AwsUnavailable',
      retried: true,
    });
    expect(verdict(awsFailure(new Error('socket hang up'), 'Publishing'))).toEqual({
      type: 'AwsUnavailable',
      retried: true,
    });
  });

  it('fails publish input that can never work at once, a CallerReference conflict by its own type', () => {
    expect(verdict(awsFailure(new PublishInputError('not a valid guest page slug'), 'Publishing'))).toEqual({
      type: 'PublishInputError',
      retried: false,
    });
    expect(
      verdict(
        awsFailure(
          new InvalidationConflictError('E1', 'ref', ['/b'], new Error('InvalidationBatchAlreadyExists')),
          'Publishing',
        ),
      ),
    ).toEqual({
      type: 'InvalidationConflictError',
      retried: false,
    });
  });

  it('lets the SMTP reply code decide', () => {
    expect(verdict(mailFailure(smtpError({ responseCode: 550 }), 'Sending'))).toEqual({
      type: 'MailRejected',
      retried: false,
    });
    expect(verdict(mailFailure(smtpError({ responseCode: 451 }), 'Sending'))).toEqual({
      type: 'MailUnavailable',
      retried: true,
    });
    expect(verdict(mailFailure(smtpError({ code: 'ECONNREFUSED' }), 'Sending'))).toEqual({
      type: 'MailUnavailable',
      retried: true,
    });
    expect(verdict(mailFailure(smtpError({ code: 'EAUTH' }), 'Sending'))).toEqual({
      type: 'MailRejected',
      retried: false,
    });
  });

  it('makes configuration problems non-retryable', () => {
    expect(verdict(configurationFailure('Unknown tenant "x"'))).toEqual({ type: 'ConfigurationError', retried: false });
  });
});

describe('a failure decided already', () => {
  it('passes through every map unchanged', () => {
    const decided = configurationFailure('Unknown tenant "x": add it to the tenants file of the worker');
    for (const map of [clientFailure, awsFailure, mailFailure]) expect(map(decided, 'step')).toBe(decided);
  });
});
