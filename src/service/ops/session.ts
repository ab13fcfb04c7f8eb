import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Ops page sessions, stateless so that any replica of the service can answer any request: the cookie
 * carries the tenant, an expiry, a random session id and a fingerprint of the tenant's ops key hash,
 * signed with HMAC-SHA256 under OPS_SESSION_SECRET. Nothing is stored server-side, so:
 * - rotating the tenant's ops key (a new `auth.opsKeyHash`) ends its sessions: the fingerprint no
 *   longer matches;
 * - rotating OPS_SESSION_SECRET ends every session;
 * - logging out clears the cookie in that browser, but a copy taken before stays valid until it
 *   expires (SESSION_TTL_MS), which is why the cookie is HttpOnly and the key rotation ends sessions.
 *
 * CSRF tokens are HMACs of the session id (a different purpose string, so a token is never a
 * signature of anything else): every form carries one, and a page can make one without storage.
 * Before there is a session, the login form's token is an HMAC of a random nonce that a short-lived
 * cookie holds (a signed double submit).
 */

export const SESSION_TTL_MS = 12 * 3600_000;
export const LOGIN_NONCE_TTL_MS = 3600_000;

export interface OpsSession {
  tenant: string;
  /** Random, 128 bits: what CSRF tokens are derived from. */
  sessionId: string;
  /** Epoch ms after which the cookie is refused. */
  expiresAt: number;
}

export type SessionCheck =
  | { ok: true; session: OpsSession }
  | { ok: false; reason: 'missing' | 'malformed' | 'bad-signature' | 'expired' | 'other-tenant' | 'key-rotated' };

interface Payload {
  v: 1;
  t: string;
  sid: string;
  exp: number;
  kf: string;
}

const b64 = (buf: Buffer) => buf.toString('base64url');

function sameBytes(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface OpsSessionsOptions {
  /** OPS_SESSION_SECRET: at least 32 characters, the same on every replica. */
  secret: string;
  now?: () => number;
  ttlMs?: number;
}

export interface OpsSessions {
  /** A new session for a tenant whose ops key was just verified, and the cookie value that carries it. */
  issue(tenant: string, opsKeyHash: string): { session: OpsSession; cookie: string };
  /** The session a cookie value carries, if it is signed by us, unexpired, this tenant's and of its current key. */
  verify(cookie: string | undefined, tenant: string, opsKeyHash: string): SessionCheck;
  csrfToken(session: OpsSession): string;
  checkCsrf(session: OpsSession, token: string | undefined): boolean;
  /** A random nonce for the pre-session cookie, and the token the login form carries for it. */
  newLoginNonce(): string;
  loginToken(tenant: string, nonce: string): string;
  checkLoginToken(tenant: string, nonce: string | undefined, token: string | undefined): boolean;
}

export function createOpsSessions(options: OpsSessionsOptions): OpsSessions {
  if (options.secret.length < 32) throw new Error('the ops session secret must be at least 32 characters');
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? SESSION_TTL_MS;
  // One key per purpose, derived from the secret, so a value made for one purpose never verifies as another.
  const key = (purpose: string) => createHmac('sha256', options.secret).update(`ops-page\0${purpose}`).digest();
  const signingKey = key('session');
  const csrfKey = key('csrf');
  const loginKey = key('login');
  const fingerprintKey = key('key-fingerprint');
  const mac = (k: Buffer, text: string) => b64(createHmac('sha256', k).update(text).digest());
  const fingerprint = (tenant: string, opsKeyHash: string) =>
    mac(fingerprintKey, `${tenant}\0${opsKeyHash}`).slice(0, 22);

  return {
    issue(tenant, opsKeyHash) {
      const session: OpsSession = { tenant, sessionId: b64(randomBytes(16)), expiresAt: now() + ttlMs };
      const payload: Payload = {
        v: 1,
        t: tenant,
        sid: session.sessionId,
        exp: session.expiresAt,
        kf: fingerprint(tenant, opsKeyHash),
      };
      const body = b64(Buffer.from(JSON.stringify(payload)));
      return { session, cookie: `${body}.${mac(signingKey, body)}` };
    },

    verify(cookie, tenant, opsKeyHash) {
      if (cookie === undefined || cookie === '') return { ok: false, reason: 'missing' };
      const parts = cookie.split('.');
      if (parts.length !== 2) return { ok: false, reason: 'malformed' };
      const [body = '', signature = ''] = parts;
      if (!sameBytes(signature, mac(signingKey, body))) return { ok: false, reason: 'bad-signature' };
      let payload: Partial<Payload>;
      try {
        payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<Payload>;
      } catch {
        return { ok: false, reason: 'malformed' };
      }
      if (
        payload.v !== 1 ||
        typeof payload.t !== 'string' ||
        typeof payload.sid !== 'string' ||
        typeof payload.exp !== 'number' ||
        typeof payload.kf !== 'string'
      ) {
        return { ok: false, reason: 'malformed' };
      }
      if (payload.t !== tenant) return { ok: false, reason: 'other-tenant' };
      if (payload.exp <= now()) return { ok: false, reason: 'expired' };
      if (!sameBytes(payload.kf, fingerprint(tenant, opsKeyHash))) return { ok: false, reason: 'key-rotated' };
      return { ok: true, session: { tenant: payload.t, sessionId: payload.sid, expiresAt: payload.exp } };
    },

    csrfToken: (session) => mac(csrfKey, `${session.tenant}\0${session.sessionId}`),

    checkCsrf(session, token) {
      return typeof token === 'string' && sameBytes(token, mac(csrfKey, `${session.tenant}\0${session.sessionId}`));
    },

    newLoginNonce: () => b64(randomBytes(16)),

    loginToken: (tenant, nonce) => mac(loginKey, `${tenant}\0${nonce}`),

    checkLoginToken(tenant, nonce, token) {
      if (typeof nonce !== 'string' || nonce === '' || typeof token !== 'string') return false;
      return sameBytes(token, mac(loginKey, `${tenant}\0${nonce}`));
    },
  };
}

/** The value of one cookie in a Cookie header; the first one when a name repeats. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at < 0) continue;
    if (pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

export interface CookieAttributes {
  path: string;
  /** Seconds; 0 removes the cookie. */
  maxAge: number;
  secure: boolean;
}

/** A Set-Cookie value: always HttpOnly and SameSite=Strict. Values are our own base64url text. */
export function setCookie(name: string, value: string, attributes: CookieAttributes): string {
  const parts = [
    `${name}=${value}`,
    `Path=${attributes.path}`,
    `Max-Age=${Math.max(0, Math.floor(attributes.maxAge))}`,
    'HttpOnly',
    'SameSite=Strict',
  ];
  if (attributes.secure) parts.push('Secure');
  return parts.join('; ');
}
