import { createHmac, randomBytes } from 'node:crypto';
import { compare as bcryptCompare } from 'bcrypt';
import type { Tenant } from '../config/tenant';

/** Which of the tenant's key hashes a path checks X-Service-Key against. */
export type ServiceKeyKind = keyof Tenant['auth'];

export interface KeyVerifierOptions {
  /** bcrypt's compare; tests pass a counting wrapper. */
  compare?: (key: string, hash: string) => Promise<boolean>;
  /** How long a verified key is trusted without bcrypt. */
  ttlMs?: number;
  /** Cap on remembered keys, so a flood of distinct valid keys cannot grow memory without bound. */
  maxEntries?: number;
  now?: () => number;
  /** How wrong keys from one caller are limited (see check); defaults to FAILURE_LIMIT. */
  failures?: FailureLimiterOptions & { probeEveryMs?: number };
}

/** What a presented key came to: valid, wrong, or not checked because its caller keeps failing. */
export type KeyCheck = { outcome: 'valid' } | { outcome: 'invalid' } | { outcome: 'limited'; retryAfterMs: number };

export interface KeyVerifier {
  verify(tenant: Tenant, kind: ServiceKeyKind, presentedKey: string): Promise<boolean>;
  /**
   * verify, limited per caller (tenant, kind of key, client address): after FAILURE_LIMIT wrong keys in
   * its window, a caller's keys are no longer run through bcrypt but answered `limited`, except one
   * probe per `probeEveryMs`, so a valid key that was not remembered still gets in within a second. A
   * remembered valid key is accepted whatever its caller's failures: a flood of guesses from the
   * address of a real client (one NAT, one proxy) does not lock that client out.
   */
  check(tenant: Tenant, kind: ServiceKeyKind, presentedKey: string, caller: string): Promise<KeyCheck>;
}

/** Wrong keys a caller may present per window before its keys are refused unchecked (429). */
export const FAILURE_LIMIT = { maxFailures: 5, windowMs: 60_000, probeEveryMs: 1000 } as const;

export const AUTH_CACHE_TTL_MS = 5 * 60_000;
const DEFAULT_MAX_ENTRIES = 1000;

/**
 * Checks X-Service-Key against a tenant's bcrypt hash. bcrypt costs tens of milliseconds of CPU per
 * check, which would cap intake throughput, so a success is remembered for a few minutes.
 *
 * Only successes are cached: a wrong key always pays full bcrypt cost, so guessing gets no faster; and
 * with `check`, a caller's wrong keys stop being checked at all after FAILURE_LIMIT of them.
 * The cache key is an HMAC under a per-process random secret rather than a bare SHA-256, so a heap
 * dump does not hand out digests of low-entropy keys to brute-force at SHA speed. It binds the key to
 * the tenant, the kind of key and the stored hash: one tenant's intake key is never accepted as its
 * crew-callback key or on another tenant's path, and rotating a hash drops the old entries.
 * Concurrent checks of the same key share one bcrypt run, so a burst of webhook retries costs one.
 */
export function createKeyVerifier(options: KeyVerifierOptions = {}): KeyVerifier {
  const compare = options.compare ?? bcryptCompare;
  const ttlMs = options.ttlMs ?? AUTH_CACHE_TTL_MS;
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const now = options.now ?? Date.now;
  const secret = randomBytes(32);
  const verifiedUntil = new Map<string, number>();
  const inFlight = new Map<string, Promise<boolean>>();

  const remember = (digest: string) => {
    verifiedUntil.delete(digest);
    // Map iteration is insertion order, so the first key is the entry verified longest ago.
    while (verifiedUntil.size >= maxEntries) {
      const oldest = verifiedUntil.keys().next().value;
      if (oldest === undefined) break;
      verifiedUntil.delete(oldest);
    }
    verifiedUntil.set(digest, now() + ttlMs);
  };

  const digestOf = (tenant: Tenant, kind: ServiceKeyKind, hash: string, presentedKey: string) =>
    createHmac('sha256', secret).update(`${tenant.id}\0${kind}\0${hash}\0${presentedKey}`).digest('base64');

  const remembered = (digest: string): boolean => {
    const until = verifiedUntil.get(digest);
    if (until === undefined) return false;
    if (until > now()) return true;
    verifiedUntil.delete(digest);
    return false;
  };

  const runCompare = async (digest: string, presentedKey: string, hash: string): Promise<boolean> => {
    let pending = inFlight.get(digest);
    if (!pending) {
      pending = compare(presentedKey, hash).finally(() => inFlight.delete(digest));
      inFlight.set(digest, pending);
    }
    const ok = await pending;
    if (ok) remember(digest);
    return ok;
  };

  const limits = { ...FAILURE_LIMIT, ...options.failures };
  const limiter = createFailureLimiter({ ...limits, now });
  const lastProbe = new Map<string, number>();

  const verify: KeyVerifier['verify'] = async (tenant, kind, presentedKey) => {
    const hash = tenant.auth[kind];
    // A kind of key the tenant has not set up (the ops key is optional): nothing can match it.
    if (hash === undefined) return false;
    const digest = digestOf(tenant, kind, hash, presentedKey);
    return remembered(digest) || runCompare(digest, presentedKey, hash);
  };

  return {
    verify,
    async check(tenant, kind, presentedKey, caller) {
      const hash = tenant.auth[kind];
      if (hash === undefined) return { outcome: 'invalid' };
      const digest = digestOf(tenant, kind, hash, presentedKey);
      if (remembered(digest)) return { outcome: 'valid' };
      const who = `${tenant.id}\0${kind}\0${caller}`;
      if (!limiter.allows(who)) {
        const last = lastProbe.get(who) ?? -Infinity;
        if (now() - last < limits.probeEveryMs) {
          return { outcome: 'limited', retryAfterMs: limiter.retryAfterMs(who) };
        }
        lastProbe.delete(who);
        lastProbe.set(who, now());
        while (lastProbe.size > (limits.maxEntries ?? 10_000)) {
          const oldest = lastProbe.keys().next().value;
          if (oldest === undefined) break;
          lastProbe.delete(oldest);
        }
      }
      // A new compare is counted as a failure before bcrypt runs, so a burst of concurrent guesses
      // cannot all start their compares while the first ones still run; a key whose compare is already
      // running (a burst of one client's requests) joins it uncounted; a valid key clears the count.
      if (!inFlight.has(digest)) limiter.recordFailure(who);
      if (await runCompare(digest, presentedKey, hash)) {
        limiter.recordSuccess(who);
        return { outcome: 'valid' };
      }
      return { outcome: 'invalid' };
    },
  };
}

export interface FailureLimiterOptions {
  /** Failures a caller may have within `windowMs` before further attempts are refused unchecked. */
  maxFailures?: number;
  windowMs?: number;
  /** Cap on remembered callers, so a flood of distinct addresses cannot grow memory without bound. */
  maxEntries?: number;
  now?: () => number;
}

export interface FailureLimiter {
  /** Whether `caller` may try now; false while it has used up its failures in the current window. */
  allows(caller: string): boolean;
  /** How long until `caller`'s window ends (0 when it may try now). */
  retryAfterMs(caller: string): number;
  recordFailure(caller: string): void;
  recordSuccess(caller: string): void;
}

/**
 * Refuses a caller that keeps presenting wrong keys, before bcrypt runs: each wrong key costs tens of
 * milliseconds of CPU, so without it a loop of guesses would be a cheap way to load the service (the
 * keys themselves are random and long, so guessing one is hopeless anyway). A fixed window per caller,
 * in this process's memory: each replica counts on its own.
 */
export function createFailureLimiter(options: FailureLimiterOptions = {}): FailureLimiter {
  const maxFailures = options.maxFailures ?? 10;
  const windowMs = options.windowMs ?? 10 * 60_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const failures = new Map<string, { count: number; since: number }>();
  const current = (caller: string) => {
    const entry = failures.get(caller);
    if (entry && now() - entry.since >= windowMs) {
      failures.delete(caller);
      return undefined;
    }
    return entry;
  };
  return {
    allows: (caller) => (current(caller)?.count ?? 0) < maxFailures,
    retryAfterMs(caller) {
      const entry = current(caller);
      return entry && entry.count >= maxFailures ? Math.max(0, entry.since + windowMs - now()) : 0;
    },
    recordFailure(caller) {
      const entry = current(caller);
      if (entry) {
        entry.count += 1;
        return;
      }
      while (failures.size >= maxEntries) {
        const oldest = failures.keys().next().value;
        if (oldest === undefined) break;
        failures.delete(oldest);
      }
      failures.set(caller, { count: 1, since: now() });
    },
    recordSuccess: (caller) => void failures.delete(caller),
  };
}
