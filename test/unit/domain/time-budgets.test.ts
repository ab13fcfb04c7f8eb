import {
  ACTIVITY_PROFILES,
  AWS_CALL,
  HEARTBEAT_EVERY_MS,
  HTTP_CALL,
  MAIL_CLAIM_LEASE_MS,
  SMTP_CALL,
} from '../../../src/domain/time-budgets';
import { parseEnv, WorkerEnvSchema } from '../../../src/config/env';
import { TEST_PAYLOAD_KEYS } from '../../support/codec';
import { MAX_RETRY_WAIT_MS } from '../../../src/publish/aws-retry';

const workerEnv = (overrides: Record<string, string>) =>
  parseEnv(WorkerEnvSchema, {
    TENANTS_FILE: 't.json',
    PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    SMTP_URL: 'smtp://x:25',
    STATE_BUCKET: 'state',
    ...overrides,
  });

describe('activity time budgets', () => {
  test.each(Object.entries(ACTIVITY_PROFILES))(
    '%s: the worst case of its calls ends before start-to-close, so attempts never overlap',
    (_name, profile) => {
      expect(profile.worstCaseMs).toBeGreaterThan(0);
      expect(profile.worstCaseMs).toBeLessThan(profile.startToCloseMs);
    },
  );

  test('heartbeats come well inside every heartbeat timeout', () => {
    for (const profile of Object.values(ACTIVITY_PROFILES)) {
      if ('heartbeatMs' in profile) expect(HEARTBEAT_EVERY_MS * 3).toBeLessThanOrEqual(profile.heartbeatMs);
    }
  });

  test('each call gives up well before its attempt would', () => {
    expect(HTTP_CALL.timeoutMs).toBeLessThan(ACTIVITY_PROFILES.externalApi.startToCloseMs / 2);
    expect(AWS_CALL.attempts * (AWS_CALL.connectTimeoutMs + AWS_CALL.requestTimeoutMs)).toBeLessThan(
      ACTIVITY_PROFILES.publishing.startToCloseMs / 2,
    );
    expect(3 * SMTP_CALL.timeoutMs).toBeLessThan(ACTIVITY_PROFILES.mail.startToCloseMs / 2);
  });

  test("a mail claim outlasts its attempt's send and record, and ends before the attempt's budget does", () => {
    const awsCall = AWS_CALL.attempts * (AWS_CALL.connectTimeoutMs + AWS_CALL.requestTimeoutMs);
    expect(MAIL_CLAIM_LEASE_MS).toBeGreaterThan(3 * SMTP_CALL.timeoutMs + awsCall);
    expect(MAIL_CLAIM_LEASE_MS).toBeLessThanOrEqual(ACTIVITY_PROFILES.mail.startToCloseMs);
  });

  test('HTTP_TIMEOUT_MS cannot be set past what two calls in one attempt allow', () => {
    expect(workerEnv({}).HTTP_TIMEOUT_MS).toBe(HTTP_CALL.timeoutMs);
    expect(workerEnv({ HTTP_TIMEOUT_MS: '13000' }).HTTP_TIMEOUT_MS).toBe(13_000);
    expect(() => workerEnv({ HTTP_TIMEOUT_MS: '30000' })).toThrow(/HTTP_TIMEOUT_MS: must be at most 13500/);
  });
});

test("the AWS retry strategy's waits fit the call's backoff budget", () => {
  expect(MAX_RETRY_WAIT_MS).toBeGreaterThan(0);
  expect(MAX_RETRY_WAIT_MS).toBeLessThanOrEqual(AWS_CALL.backoffMs);
});
