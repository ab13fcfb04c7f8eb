import { createOpsSessions, readCookie, setCookie, SESSION_TTL_MS } from '../../../../src/service/ops/session';

const SECRET = 'a-test-secret-of-at-least-32-characters';
const HASH = '$2b$04$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz01234';

describe('ops sessions (signed cookies) and CSRF tokens', () => {
  let clock = 1_800_000_000_000;
  const sessions = createOpsSessions({ secret: SECRET, now: () => clock });
  beforeEach(() => {
    clock = 1_800_000_000_000;
  });

  test('an issued cookie verifies for its tenant and key until it expires, 12 h later', () => {
    const { session, cookie } = sessions.issue('acme', HASH);
    expect(session.expiresAt).toBe(clock + SESSION_TTL_MS);
    expect(sessions.verify(cookie, 'acme', HASH)).toEqual({ ok: true, session });
    clock += SESSION_TTL_MS - 1;
    expect(sessions.verify(cookie, 'acme', HASH).ok).toBe(true);
    clock += 1;
    expect(sessions.verify(cookie, 'acme', HASH)).toEqual({ ok: false, reason: 'expired' });
  });

  test('every tampering is refused: payload, signature, another tenant, a rotated key, another secret, junk', () => {
    const { cookie } = sessions.issue('acme', HASH);
    const [body, signature] = cookie.split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...payload, exp: clock + 10 * SESSION_TTL_MS })).toString('base64url');
    expect(sessions.verify(`${forged}.${signature}`, 'acme', HASH)).toEqual({ ok: false, reason: 'bad-signature' });
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
    expect(sessions.verify(`${body}.${flipped}`, 'acme', HASH)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(sessions.verify(cookie, 'bluewater', HASH)).toEqual({ ok: false, reason: 'other-tenant' });
    expect(sessions.verify(cookie, 'acme', HASH.replace('abc', 'abd'))).toEqual({ ok: false, reason: 'key-rotated' });
    const other = createOpsSessions({ secret: `${SECRET}-rotated`, now: () => clock });
    expect(other.verify(cookie, 'acme', HASH)).toEqual({ ok: false, reason: 'bad-signature' });
    for (const junk of ['', 'a', 'a.b.c', `${body}.`, '.', 'x'.repeat(5000)]) {
      expect(sessions.verify(junk, 'acme', HASH).ok).toBe(false);
    }
    expect(sessions.verify(undefined, 'acme', HASH)).toEqual({ ok: false, reason: 'missing' });
  });

  test('a correctly signed cookie of another shape is refused as malformed', () => {
    // Signed with the same derivation as issue(), by a second instance: only the payload is wrong.
    const { cookie } = sessions.issue('acme', HASH);
    const body = Buffer.from('not json').toString('base64url');
    expect(sessions.verify(`${body}.${cookie.split('.')[1]}`, 'acme', HASH).ok).toBe(false);
  });

  test('CSRF tokens: one per session, checked in constant time, never valid for another session', () => {
    const a = sessions.issue('acme', HASH).session;
    const b = sessions.issue('acme', HASH).session;
    const token = sessions.csrfToken(a);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sessions.checkCsrf(a, token)).toBe(true);
    expect(sessions.checkCsrf(b, token)).toBe(false);
    expect(sessions.checkCsrf(a, undefined)).toBe(false);
    expect(sessions.checkCsrf(a, '')).toBe(false);
    expect(sessions.checkCsrf(a, `${token}x`)).toBe(false);
    expect(sessions.checkCsrf({ ...a, tenant: 'bluewater' }, token)).toBe(false);
    // A token is not the session's signature, nor a login token: each purpose has its own key.
    expect(sessions.loginToken('acme', a.sessionId)).not.toBe(token);
  });

  test('login tokens: bound to the nonce cookie and the tenant', () => {
    const nonce = sessions.newLoginNonce();
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const token = sessions.loginToken('acme', nonce);
    expect(sessions.checkLoginToken('acme', nonce, token)).toBe(true);
    expect(sessions.checkLoginToken('acme', sessions.newLoginNonce(), token)).toBe(false);
    expect(sessions.checkLoginToken('bluewater', nonce, token)).toBe(false);
    expect(sessions.checkLoginToken('acme', undefined, token)).toBe(false);
    expect(sessions.checkLoginToken('acme', '', sessions.loginToken('acme', ''))).toBe(false);
    expect(sessions.checkLoginToken('acme', nonce, undefined)).toBe(false);
  });

  test('a short secret is refused', () => {
    expect(() => createOpsSessions({ secret: 'short' })).toThrow('at least 32 characters');
  });
});

describe('cookies', () => {
  test('readCookie finds one cookie among several, the first of a repeated name', () => {
    expect(readCookie('a=1; ops_session=xyz.abc; b=2', 'ops_session')).toBe('xyz.abc');
    expect(readCookie('ops_session=first; ops_session=second', 'ops_session')).toBe('first');
    expect(readCookie('xops_session=1', 'ops_session')).toBeUndefined();
    expect(readCookie(undefined, 'ops_session')).toBeUndefined();
  });

  test('setCookie: HttpOnly, SameSite=Strict, the path, Secure when asked, Max-Age 0 clears', () => {
    expect(setCookie('ops_session', 'v', { path: '/ops/acme/', maxAge: 43200, secure: true })).toBe(
      'ops_session=v; Path=/ops/acme/; Max-Age=43200; HttpOnly; SameSite=Strict; Secure',
    );
    expect(setCookie('ops_login', '', { path: '/ops/acme/', maxAge: 0, secure: false })).toBe(
      'ops_login=; Path=/ops/acme/; Max-Age=0; HttpOnly; SameSite=Strict',
    );
  });
});
