import { MockActivityEnvironment } from '@temporalio/testing';
import { inAttempt } from '../../../activities/context';
import { HEARTBEAT_EVERY_MS } from '../../../src/domain/time-budgets';

/**
 * The SDK's activity test environment, whose heartbeat() reports here instead of to Temporal (each
 * would be a RecordActivityTaskHeartbeat call): when an attempt beats.
 */
function attemptWithBeats() {
  const env = new MockActivityEnvironment();
  const beats: number[] = [];
  env.on('heartbeat', () => beats.push(Date.now()));
  return { env, beats };
}

describe('an activity attempt (inAttempt)', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  test('that ends before the first interval sends no heartbeat at all', async () => {
    const { env, beats } = attemptWithBeats();
    const result = env.run(() => inAttempt(async () => 'done'));
    await expect(result).resolves.toBe('done');
    await jest.advanceTimersByTimeAsync(HEARTBEAT_EVERY_MS * 3);
    expect(beats).toEqual([]);
  });

  test('that runs on beats every interval, not at its start, and stops beating when it ends', async () => {
    const { env, beats } = attemptWithBeats();
    const lasts = HEARTBEAT_EVERY_MS * 2 + 1000;
    const result = env.run(() => inAttempt(() => new Promise((resolve) => setTimeout(() => resolve('done'), lasts))));
    await jest.advanceTimersByTimeAsync(lasts);
    await expect(result).resolves.toBe('done');
    await jest.advanceTimersByTimeAsync(HEARTBEAT_EVERY_MS * 3);
    expect(beats).toEqual([HEARTBEAT_EVERY_MS, HEARTBEAT_EVERY_MS * 2]);
  });
});
