import { compare } from 'bcrypt';
import type { Tenant } from '../../../src/config/tenant';
import { AUTH_CACHE_TTL_MS, createFailureLimiter, createKeyVerifier } from '../../../src/service/auth';
import { sampleBooking } from '../../../sim/samples';
import {
  ACME_CREW_KEY,
  ACME_INTAKE_KEY,
  BLUE_INTAKE_KEY,
  buildTestApp,
  postJson,
  testTenants,
} from '../../support/service-app';

/** bcrypt's compare behind a counter: the cache's whole point is how often this runs. */
function countingCompare() {
  const counter = {
    calls: 0,
    compare: async (key: string, hash: string) => {
      counter.calls += 1;
      return compare(key, hash);
    },
  };
  return counter;
}

describe('createKeyVerifier', () => {
  let acme: Tenant;
  let bluewater: Tenant;
  beforeAll(async () => {
    [acme, bluewater] = (await testTenants()) as [Tenant, Tenant];
  });

  test('a verified key is remembered: the second check does not run bcrypt', async () => {
    const counter = countingCompare();
    const keys = createKeyVerifier({ compare: counter.compare });
    await expect(keys.verify(acme, 'intakeKeyHash', ACME_INTAKE_KEY)).resolves.toBe(true);
    await expect(keys.verify(acme, 'intakeKeyHash', ACME_INTAKE_KEY)).resolves.toBe(true);
    expect(counter.calls).toBe(1);
  });

  test('a wrong key is never remembered: every attempt pays for bcrypt', async () => {
    const counter = countingCompare();
    const keys = createKeyVerifier({ compare: counter.compare });
    for (let i = 0; i < 3; i++) await expect(keys.verify(acme, 'intakeKeyHash', 'guess')).resolves.toBe(false);
    expect(counter.calls).toBe(3);
  });

  test('a remembered key counts for its own tenant and kind only', async () => {
    const counter = countingCompare();
    const keys = createKeyVerifier({ compare: counter.compare });
    await expect(keys.verify(acme, 'intakeKeyHash', ACME_INTAKE_KEY)).resolves.toBe(true);
    await expect(keys.verify(acme, 'crewCallbackKeyHash', ACME_INTAKE_KEY)).resolves.toBe(false);
    await expect(keys.verify(bluewater, 'intakeKeyHash', ACME_INTAKE_KEY)).resolves.toBe(false);
    expect(counter.calls).toBe(3);
  });

  test('a rotated hash is checked afresh', async () => {
    const counter = countingCompare();
    const keys = createKeyVerifier({ compare: counter.compare });
    await expect(keys.verify(acme, 'intakeKeyHash', ACME_INTAKE_KEY)).resolves.toBe(true);
    const rotated: Tenant = { ...acme, auth: { ...acme.auth, intakeKeyHash: bluewater.auth.intakeKeyHash } };
    await expect(keys.verify(rotated, 'intakeKeyHash', ACME_INTAKE_KEY)).resolves.toBe(false);
    await expect(keys.verify(rotated, 'intakeKeyHash', BLUE_INTAKE_KEY)).resolves.toBe(true);
    expect(counter.calls).toBe(3);
  });

  test('the memory lasts five minutes', async () => {
    const counter = countingCompare();
    let now = 1_000_000;
    const keys = createKeyVerifier({ compare: counter.compare, now: () => now });
    await keys.verify(acme, 'intakeKeyHash', ACME_INTAKE_KEY);
    now += AUTH_CACHE_TTL_MS - 1;
    await keys.verify(acme, 'intakeKeyHash', ACME_INTAKE_KEY);
    expect(counter.calls).toBe(1);
    now += 1;
    await keys.verify(acme, 'intakeKeyHash', ACME_INTAKE_KEY);
    expect(counter.calls).toBe(2);
    expect(AUTH_CACHE_TTL_MS).toBe(5 * 60_000);
  });

  test('the cache is bounded: the oldest entry goes first', async () => {
    const counter = countingCompare();
    const keys = createKeyVerifier({ compare: counter.compare, maxEntries: 2 });
    await keys.verify(acme, 'intakeKeyHash', ACME_INTAKE_KEY);
    await keys.verify(acme, 'crewCallbackKeyHash', ACME_CREW_KEY);
    await keys.verify(bluewater, 'intakeKeyHash', BLUE_INTAKE_KEY);
    expect(counter.calls).toBe(3);
    await keys.verify(bluewater, 'intakeKeyHash', BLUE_INTAKE_KEY);
    await keys.verify(acme, 'crewCallbackKeyHash', ACME_CREW_KEY);
    expect(counter.calls).toBe(3);
    await keys.verify(acme, 'intakeKeyHash', ACME_INTAKE_KEY);
    expect(counter.calls).toBe(4);
  });

  test('concurrent checks of one key share one bcrypt run', async () => {
    const counter = countingCompare();
    const keys = createKeyVerifier({ compare: counter.compare });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => keys.verify(acme, 'intakeKeyHash', ACME_INTAKE_KEY)),
    );
    expect(results).toEqual(Array(10).fill(true));
    expect(counter.calls).toBe(1);
  });
});

describe('X-Service-Key over HTTP', () => {
  test('the second request with the same key does not call bcrypt; a wrong key always does', async () => {
    const t = await buildTestApp();
    const first = await postJson(t, '/tenants/acme/bookings', ACME_INTAKE_KEY, sampleBooking());
    const second = await postJson(t, '/tenants/acme/bookings', ACME_INTAKE_KEY, sampleBooking());
    expect([first.statusCode, second.statusCode]).toEqual([202, 202]);
    expect(t.bcryptCalls()).toBe(1);

    await postJson(t, '/tenants/acme/bookings', 'wrong', sampleBooking());
    await postJson(t, '/tenants/acme/bookings', 'wrong', sampleBooking());
    expect(t.bcryptCalls()).toBe(3);
    await t.app.close();
  });

  test('a remembered intake key still does not open the crew-response path', async () => {
    const t = await buildTestApp();
    await postJson(t, '/tenants/acme/bookings', ACME_INTAKE_KEY, sampleBooking());
    const crew = await postJson(t, '/tenants/acme/crew-responses', ACME_INTAKE_KEY, {});
    expect(crew.statusCode).toBe(401);
    await t.app.close();
  });
});

describe('wrong keys under a flood (KeyVerifier.check)', () => {
  let acme: Tenant;
  beforeAll(async () => {
    [acme] = (await testTenants()) as [Tenant];
  });

  test('after the limit a caller is refused unchecked, a probe a second gets through, others are not affected', async () => {
    const counter = countingCompare();
    let clock = 1_000_000;
    const keys = createKeyVerifier({
      compare: counter.compare,
      now: () => clock,
      failures: { maxFailures: 3, windowMs: 60_000, probeEveryMs: 1000 },
    });
    for (let i = 0; i < 3; i++) {
      await expect(keys.check(acme, 'intakeKeyHash', `guess-${i}`, '10.0.0.9')).resolves.toEqual({
        outcome: 'invalid',
      });
    }
    expect(counter.calls).toBe(3);
    // Limited: no bcrypt for the next guesses, until a second has passed (one probe), then limited again.
    const first = await keys.check(acme, 'intakeKeyHash', 'guess-3', '10.0.0.9');
    expect(first).toEqual({ outcome: 'invalid' }); // the first limited check is the window's probe
    for (let i = 0; i < 50; i++) {
      await expect(keys.check(acme, 'intakeKeyHash', `flood-${i}`, '10.0.0.9')).resolves.toEqual({
        outcome: 'limited',
        retryAfterMs: 60_000,
      });
    }
    expect(counter.calls).toBe(4);
    clock += 1000;
    // The probe: a valid key from the flooded address is checked, accepted, and the failures forgotten.
    await expect(keys.check(acme, 'intakeKeyHash', ACME_INTAKE_KEY, '10.0.0.9')).resolves.toEqual({ outcome: 'valid' });
    await expect(keys.check(acme, 'intakeKeyHash', 'guess-again', '10.0.0.9')).resolves.toEqual({ outcome: 'invalid' });
    // Another address was never limited.
    await expect(keys.check(acme, 'intakeKeyHash', 'guess', '10.0.0.10')).resolves.toEqual({ outcome: 'invalid' });
  });

  test('a burst of one valid key before it is remembered shares one bcrypt and is never limited', async () => {
    const counter = countingCompare();
    const keys = createKeyVerifier({ compare: counter.compare, failures: { maxFailures: 2 } });
    const burst = await Promise.all(
      Array.from({ length: 30 }, () => keys.check(acme, 'intakeKeyHash', ACME_INTAKE_KEY, '10.0.0.9')),
    );
    expect(burst.every((c) => c.outcome === 'valid')).toBe(true);
    expect(counter.calls).toBe(1);
  });

  test('a remembered valid key is accepted while its address is limited', async () => {
    const counter = countingCompare();
    const keys = createKeyVerifier({ compare: counter.compare, failures: { maxFailures: 2, probeEveryMs: 60_000 } });
    await expect(keys.check(acme, 'intakeKeyHash', ACME_INTAKE_KEY, '10.0.0.9')).resolves.toEqual({ outcome: 'valid' });
    for (let i = 0; i < 4; i++) await keys.check(acme, 'intakeKeyHash', `guess-${i}`, '10.0.0.9');
    await expect(keys.check(acme, 'intakeKeyHash', 'guess-x', '10.0.0.9')).resolves.toMatchObject({
      outcome: 'limited',
    });
    const calls = counter.calls;
    await expect(keys.check(acme, 'intakeKeyHash', ACME_INTAKE_KEY, '10.0.0.9')).resolves.toEqual({ outcome: 'valid' });
    expect(counter.calls).toBe(calls);
  });

  test('over HTTP: 429 with Retry-After and no bcrypt, while the valid key still works', async () => {
    const t = await buildTestApp({ auth: { failures: { maxFailures: 2, probeEveryMs: 60_000 } } });
    expect((await postJson(t, '/tenants/acme/bookings', ACME_INTAKE_KEY, sampleBooking())).statusCode).toBe(202);
    const answers = [];
    for (let i = 0; i < 6; i++)
      answers.push(await postJson(t, '/tenants/acme/bookings', `wrong-${i}`, sampleBooking()));
    expect(answers.map((a) => a.statusCode)).toEqual([401, 401, 401, 429, 429, 429]);
    expect(Number(answers[5]!.headers['retry-after'])).toBeGreaterThan(0);
    expect(answers[5]!.json()).toMatchObject({ error: expect.stringContaining('too many wrong X-Service-Key') });
    const calls = t.bcryptCalls();
    await postJson(t, '/tenants/acme/bookings', 'wrong-again', sampleBooking());
    expect(t.bcryptCalls()).toBe(calls);
    expect((await postJson(t, '/tenants/acme/bookings', ACME_INTAKE_KEY, sampleBooking())).statusCode).toBe(202);
    await t.app.close();
  });
});

describe('failure limiter (ops login)', () => {
  test('refuses a caller after its failures in the window, until the window ends; a success forgets them', () => {
    let clock = 0;
    const limiter = createFailureLimiter({ maxFailures: 3, windowMs: 1000, now: () => clock });
    for (let i = 0; i < 3; i += 1) {
      expect(limiter.allows('acme 198.51.100.7')).toBe(true);
      limiter.recordFailure('acme 198.51.100.7');
    }
    expect(limiter.allows('acme 198.51.100.7')).toBe(false);
    expect(limiter.allows('acme 198.51.100.8')).toBe(true);
    clock = 1000;
    expect(limiter.allows('acme 198.51.100.7')).toBe(true);
    limiter.recordFailure('acme 198.51.100.7');
    limiter.recordSuccess('acme 198.51.100.7');
    limiter.recordFailure('acme 198.51.100.7');
    limiter.recordFailure('acme 198.51.100.7');
    expect(limiter.allows('acme 198.51.100.7')).toBe(true);
  });

  test('remembers at most maxEntries callers', () => {
    const limiter = createFailureLimiter({ maxFailures: 1, maxEntries: 2 });
    for (const caller of ['a', 'b', 'c']) limiter.recordFailure(caller);
    expect(['a', 'b', 'c'].map((c) => limiter.allows(c))).toEqual([true, false, false]);
  });

  test('a tenant without an ops key has no key to match: verify is false without running bcrypt', async () => {
    const counter = countingCompare();
    const verifier = createKeyVerifier({ compare: counter.compare });
    const [acme] = await testTenants();
    expect(await verifier.verify(acme!, 'opsKeyHash', 'anything')).toBe(false);
    expect(counter.calls).toBe(0);
  });
});
