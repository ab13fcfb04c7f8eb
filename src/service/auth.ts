import { createHmac, randomBytes } from 'node:crypto';
import { compare as bcryptCompare } from 'bcryptjs';
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
}

export interface KeyVerifier {
  verify(tenant: Tenant, kind: ServiceKeyKind, presentedKey: string): Promise<boolean>;
}

export const AUTH_CACHE_TTL_MS = 5 * 60_000;
const DEFAULT_MAX_ENTRIES = 1000;

/**
 * Checks X-Service-Key against a tenant's bcrypt hash. bcrypt costs tens of milliseconds of CPU per
 * check, which would cap intake throughput, so a success is remembered for a few minutes.
 *
 * Only successes are cached: a wrong key always pays full bcrypt cost, so guessing gets no faster.
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

  return {
    async verify(tenant, kind, presentedKey) {
      const hash = tenant.auth[kind];
      const digest = createHmac('sha256', secret)
        .update(`${tenant.id}\0${kind}\0${hash}\0${presentedKey}`)
        .digest('base64');
      const until = verifiedUntil.get(digest);
      if (until !== undefined) {
        if (until > now()) return true;
        verifiedUntil.delete(digest);
      }
      let pending = inFlight.get(digest);
      if (!pending) {
        pending = compare(presentedKey, hash).finally(() => inFlight.delete(digest));
        inFlight.set(digest, pending);
      }
      const ok = await pending;
      if (ok) remember(digest);
      return ok;
    },
  };
}
