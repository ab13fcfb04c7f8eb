import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import bcrypt from 'bcrypt';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { sampleFeed } from '../../../sim/samples';
import { tenantDirectory } from '../../../src/config/tenant';
import { buildApp } from '../../../src/service/app';
import { bookingStatus } from '../../../src/service/booking-status';
import { deliverFeedEvent } from '../../../src/service/feed-delivery';
import { findBooking } from '../../../src/service/running-booking';
import type { BookingStatus } from '../../../workflows/types';
import { launchChromium, runAxe, watchPage, type PageActivity } from '../../support/browser';
import { startFulfillmentHarness, type FulfillmentHarness } from '../../support/fulfillment';
import { vnuErrors } from '../../support/vnu';
import { waitFor } from '../../support/wait';

const OPS_KEY = 'ops-test-key-2c9d7e41b8a5f3';
const FEED = sampleFeed();
const SESSION_SECRET = 'ops-session-secret-for-tests-0123456789';

const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(document.cookie)',
  `${'<b>'.repeat(900)}long`,
  'Ωμέγα 汉字 🚤 \u202egnp.exe \u2028 e\u0301',
  'nul\u0000byte\u0001',
  "' onmouseover='alert(1)",
];

/**
 * Makes every control of a form a text field (a select or a datetime input cannot hold these values)
 * and fills it with one of the hostile strings. A string: the test's TypeScript has no DOM types.
 */
const FILL_HOSTILE = `(({ selector, hostile, round }) => {
  const form = document.querySelector(selector);
  [...form.querySelectorAll('input:not([type=hidden]), select, textarea')].forEach((control, i) => {
    const value = hostile[(i + round) % hostile.length];
    if (control.tagName === 'SELECT' || (control.tagName === 'INPUT' && control.type !== 'text')) {
      const input = document.createElement('input');
      input.name = control.name;
      input.value = value;
      control.replaceWith(input);
    } else {
      control.value = value;
    }
  });
})`;

/**
 * The ops page in Chromium against the real service, a real Temporal dev server and worker: log in,
 * enter a booking, see it by stage, replace crew, change it, cancel it; forgeries and wrong keys are
 * refused; hostile input runs no script anywhere; every page state passes axe and the Nu checker.
 */
describe('ops page', () => {
  let h: FulfillmentHarness;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let activity: PageActivity;
  const logs: string[] = [];
  /** Each page state, as the service sent it, for one Nu checker run at the end. */
  const documents: Record<string, string> = {};
  let lastDocument: Promise<{ status: number; html: string }> | undefined;

  beforeAll(async () => {
    const opsKeyHash = await bcrypt.hash(OPS_KEY, 4);
    h = await startFulfillmentHarness({
      crewTimeoutMs: 60_000,
      tenant: (t) => ({ ...t, auth: { ...t.auth, opsKeyHash }, feeds: [FEED] }),
    });
    app = buildApp({
      client: h.temporal.client,
      tenants: tenantDirectory([h.tenant, withoutOpsPage()]),
      settings: h.settings,
      logger: {
        level: 'info',
        stream: new Writable({
          write(chunk: Buffer, _encoding, done) {
            logs.push(chunk.toString('utf8'));
            done();
          },
        }),
      },
      ops: { sessionSecret: SESSION_SECRET },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    context = await browser.newContext();
    page = await context.newPage();
    activity = watchPage(page);
    page.on('response', (response: Response) => {
      if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) {
        if (response.status() >= 300 && response.status() < 400) return;
        // A document navigated away from at once (a reload loop) has no body left to read: no page state.
        lastDocument = response.text().then(
          (html) => ({ status: response.status(), html }),
          () => ({ status: response.status(), html: '' }),
        );
      }
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await h?.stop();
  });

  /** Another tenant, without an ops key: it has no ops page. */
  const withoutOpsPage = () => {
    const { intakeKeyHash, crewCallbackKeyHash } = h.tenant.auth;
    return { ...h.tenant, id: `${h.tenant.id}x`, auth: { intakeKeyHash, crewCallbackKeyHash } };
  };
  const ops = (path = '') => `${base}/ops/${h.tenant.id}/${path}`;

  /** The page as it stands: no script ran, axe finds nothing, and its HTML is kept for the Nu checker. */
  async function pageState(name: string, status: number) {
    const sent = await lastDocument;
    expect({ name, status: sent?.status }).toEqual({ name, status });
    documents[name] = sent?.html ?? '';
    expect({ name, violations: await runAxe(page) }).toEqual({ name, violations: [] });
    expect({ name, dialogs: activity.dialogs, errors: activity.errors }).toEqual({ name, dialogs: [], errors: [] });
    // Chromium logs an error for every document answered 4xx; that one is the status asked for.
    const failedLoad = /^Failed to load resource: the server responded with a status of 4\d\d/;
    expect(activity.console.filter((m) => m.type === 'error' && !failedLoad.test(m.text))).toEqual([]);
    // Nothing but the service itself: no image, script or style was fetched from anywhere.
    expect([...activity.origins()].filter((o) => o !== base)).toEqual([]);
    activity.clear();
  }

  const submit = async (button: string) => {
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: button }).click()]);
  };
  const status = async (bookingId: string, source = 'direct'): Promise<BookingStatus> =>
    (await bookingStatus(h.temporal.client, h.tenant.id, { source: source as 'direct', bookingId }))!;

  async function logIn() {
    await context.clearCookies();
    await page.goto(ops());
    await page.getByLabel('Ops key').fill(OPS_KEY);
    await submit('Log in');
    expect(new URL(page.url()).pathname).toBe(`/ops/${h.tenant.id}/`);
  }

  /** Fills the new-booking (or change) form's itinerary fields with a valid charter. */
  async function fillDetails(values: Record<string, string>) {
    for (const [name, value] of Object.entries(values)) {
      const control = page.locator(`[name="${name}"]`);
      if ((await control.evaluate((e) => e.tagName)) === 'SELECT') await control.selectOption(value);
      else await control.fill(value);
    }
  }

  const CHARTER = {
    'guest.name': 'Carole Martin',
    'guest.email': 'carole@example.com',
    'guest.phone': '+1 415 555 0134',
    'guest.partySize': '6',
    'charter.start': '2027-05-29T10:00',
    'charter.end': '2027-05-29T13:00',
    'charter.timeZone': 'America/Los_Angeles',
    boat: 'Sea Breeze',
    notes: 'Birthday party; bringing a cake.',
    'pricing.currency': 'USD',
    'pricing.base': '1,200.00',
    'pricing.captain': '250',
    'pricing.fuel': '80.5',
    'pricing.serviceFee': '153.00',
    'pricing.tax': '98',
    'pricing.tip': '200.00',
    'pricing.payout': '1500',
  };

  test('log in (a wrong key is 401 with the form again), enter a booking, list it by stage, replace crew, change it, cancel it, log out', async () => {
    await page.goto(ops());
    expect(new URL(page.url()).pathname).toBe(`/ops/${h.tenant.id}/login`);
    await pageState('login', 200);

    await page.getByLabel('Ops key').fill('not-the-key');
    await submit('Log in');
    await pageState('login 401', 401);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('not the ops key');

    await page.getByLabel('Ops key').fill(OPS_KEY);
    await submit('Log in');
    const cookies = await context.cookies(ops());
    expect(cookies.map(({ name, httpOnly, sameSite, path }) => ({ name, httpOnly, sameSite, path }))).toEqual([
      { name: 'ops_session', httpOnly: true, sameSite: 'Strict', path: `/ops/${h.tenant.id}/` },
    ]);
    await pageState('list empty', 200);
    await expect(page.locator('main').textContent()).resolves.toContain('No booking is running');

    await page.getByRole('link', { name: 'New booking', exact: true }).click();
    await pageState('new booking form', 200);
    await submit('Enter booking');
    await pageState('new booking with errors', 400);
    await expect(page.locator('[id="e0-guest.name"]').textContent()).resolves.toBe('is required');
    await expect(page.locator('[id="f-guest.name"]').getAttribute('aria-invalid')).resolves.toBe('true');

    const bookingId = `ops-${Date.now().toString(36)}`;
    await fillDetails({ ...CHARTER, 'pricing.fuel': '80.555', 'guest.partySize': 'six' });
    await page.locator('[name="bookingId"]').fill(bookingId);
    await submit('Enter booking');
    await pageState('new booking with conversion errors', 400);
    await expect(page.locator('[id="e0-pricing.fuel"]').textContent()).resolves.toBe(
      'must have at most 2 decimals in USD',
    );
    await expect(page.locator('[id="e0-guest.partySize"]').textContent()).resolves.toContain('whole number');
    // What was typed is kept.
    await expect(page.locator('[name="guest.name"]').inputValue()).resolves.toBe('Carole Martin');
    await expect(page.locator('[name="charter.start"]').inputValue()).resolves.toBe('2027-05-29T10:00');

    await fillDetails({ 'pricing.fuel': '80.5', 'guest.partySize': '6' });
    await submit('Enter booking');
    expect(new URL(page.url()).pathname).toBe(`/ops/${h.tenant.id}/bookings/direct/${bookingId}`);
    await pageState('booking', 200);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Booking entered');
    const entered = await status(bookingId);
    expect(entered.booking).toMatchObject({
      source: 'direct',
      bookingId,
      guest: { name: 'Carole Martin', email: 'carole@example.com', phone: '+1 415 555 0134', partySize: 6 },
      charter: {
        start: '2027-05-29T10:00:00-07:00',
        end: '2027-05-29T13:00:00-07:00',
        timeZone: 'America/Los_Angeles',
      },
      pricing: {
        currency: 'USD',
        base: 120000,
        captain: 25000,
        fuel: 8050,
        serviceFee: 15300,
        tax: 9800,
        tip: 20000,
        payout: 150000,
      },
    });

    // Visibility indexes a new workflow moments after it starts.
    const listed = await waitFor(
      async () => {
        await page.goto(ops());
        return page.locator('main').textContent();
      },
      (text) => text?.includes(bookingId) ?? false,
      15_000,
    );
    // FulfillmentStage holds resting stages only: RECEIVED until the crew wait, never a creating step.
    expect(listed).toMatch(/Awaiting crew \(1\)|Received \(1\)/);
    expect(listed).not.toMatch(/Creating|Publishing|Emailing/);
    await waitFor(
      () => status(bookingId),
      (s) => s.stage === 'AWAITING_CREW',
      20_000,
    );
    await waitFor(
      async () => {
        await page.goto(ops());
        return page.getByRole('heading', { name: 'Awaiting crew (1)' }).count();
      },
      (n) => n === 1,
      15_000,
    );
    await pageState('list', 200);
    await expect(page.getByRole('region', { name: 'Awaiting crew (1)' }).textContent()).resolves.toContain(
      '2027-05-29 17:00 UTC',
    );

    await page.getByRole('link', { name: bookingId }).click();
    await page.getByLabel('Replace', { exact: true }).selectOption('crew-default-captain');
    await page.locator('[name="member.id"]').fill('crew-default-captain');
    await page.locator('[name="member.role"]').fill('Captain');
    await submit('Replace crew member');
    await pageState('crew refused', 409);
    await expect(page.locator('[id="e0-member.id"]').textContent()).resolves.toContain('already on');

    await page.getByLabel('Replace', { exact: true }).selectOption('crew-default-captain');
    await page.locator('[name="member.id"]').fill('crew-captain-dee');
    await page.locator('[name="member.role"]').fill('Captain');
    await page.locator('[name="member.name"]').fill('Dee Park');
    await submit('Replace crew member');
    await pageState('after crew replacement', 200);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Crew changed');
    expect((await status(bookingId)).crew.map((m) => m.id)).toEqual(['crew-captain-dee']);

    await fillDetails({ 'guest.partySize': '8', 'guest.email': '', 'pricing.tip': '' });
    await submit('Save changes');
    await pageState('after change', 200);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Change saved');
    const changed = await status(bookingId);
    expect(changed.booking?.guest).toEqual({ name: 'Carole Martin', phone: '+1 415 555 0134', partySize: 8 });
    expect(changed.booking?.pricing.tip).toBeUndefined();
    expect(changed.changes?.at(-1)).toMatchObject({
      channel: 'ops',
      fields: ['guest.email', 'guest.partySize', 'pricing.tip'],
    });

    await fillDetails({ 'charter.end': '2027-05-29T09:00' });
    await submit('Save changes');
    await pageState('change with errors', 400);
    await expect(page.locator('[id="e0-charter.end"]').textContent()).resolves.toBe('must end after it starts');
    expect((await status(bookingId)).revision).toBe(changed.revision);

    await page.getByRole('link', { name: 'Cancel this booking…' }).click();
    await pageState('cancel confirm', 200);
    await submit('Yes, cancel the booking');
    await expect(page.getByRole('status').textContent()).resolves.toContain('Cancellation requested');
    await waitFor(
      async () => {
        await page.reload();
        return page.locator('main').textContent();
      },
      (text) => text?.includes('This booking has finished') ?? false,
      20_000,
    );
    await pageState('after cancel', 200);
    await expect(page.locator('main').textContent()).resolves.toContain('Cancelled');

    await submit('Log out');
    expect(new URL(page.url()).pathname).toBe(`/ops/${h.tenant.id}/login`);
    await page.goto(ops());
    expect(new URL(page.url()).pathname).toBe(`/ops/${h.tenant.id}/login`);
    activity.clear();
  });

  test('a held booking from a calendar feed is listed as held and completed from its page', async () => {
    await logIn();
    const key = `bs.${Date.now().toString(36)}`;
    const held = await deliverFeedEvent(
      h.temporal.client,
      h.tenant,
      FEED,
      { key, start: '2027-06-12T17:00:00Z', end: '2027-06-12T21:00:00Z' },
      h.settings,
    );
    expect(held.outcome).toBe('started');
    await waitFor(
      () => status(key, 'boatsetter'),
      (s) => s?.stage === 'AWAITING_DETAILS',
      20_000,
    );
    await waitFor(
      async () => {
        await page.goto(ops());
        return page.getByRole('heading', { name: 'Held: awaiting details (1)' }).count();
      },
      (n) => n === 1,
      15_000,
    );
    activity.clear();
    await page.getByRole('link', { name: key }).click();
    await pageState('held booking', 200);
    // The slot is there; the placeholders the feed stands in for the guest and the price are not.
    await expect(page.locator('[name="charter.start"]').inputValue()).resolves.toBe('2027-06-12T10:00');
    await expect(page.locator('[name="boat"]').inputValue()).resolves.toBe('Sea Breeze');
    await expect(page.locator('[name="guest.name"]').inputValue()).resolves.toBe('');
    await expect(page.getByRole('button', { name: 'Save changes' }).count()).resolves.toBe(0);

    await submit('Complete booking');
    await pageState('complete with errors', 400);
    await expect(page.locator('[id="e0-guest.name"]').textContent()).resolves.toBe('is required');

    await fillDetails({ 'guest.name': 'Dana Lee', 'guest.partySize': '4', 'pricing.base': '950' });
    await submit('Complete booking');
    await pageState('after complete', 200);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Booking completed');
    const completed = await waitFor(
      () => status(key, 'boatsetter'),
      (s) => s.stage === 'AWAITING_CREW',
      20_000,
    );
    expect(completed.booking).toMatchObject({
      guest: { name: 'Dana Lee', partySize: 4 },
      pricing: { currency: 'USD', base: 95000 },
      charter: { start: '2027-06-12T10:00:00-07:00' },
    });
    expect(completed.booking?.notes).toBeUndefined();
    expect(completed.held).toBeUndefined();

    // Completing it again is refused: it no longer waits for details (the form is gone; a stale tab POSTs).
    const csrf = await page.locator('input[name="csrf"]').first().inputValue();
    const again = await context.request.post(ops(`bookings/boatsetter/${key}/complete`), {
      form: { ...CHARTER, csrf },
      maxRedirects: 0,
    });
    expect(again.status()).toBe(409);
    expect(await again.text()).toContain('not waiting for details');
    await h.temporal.client.workflow.getHandle(`booking-${h.tenant.id}-boatsetter-${key}`).terminate('test done');
  });

  test('a form POST without its CSRF token, with a wrong one, or from another site is 403 and does nothing; without a session 401', async () => {
    await logIn();
    const bookingId = `csrf-${Date.now().toString(36)}`;
    const form = { ...CHARTER, source: 'direct', bookingId };
    const request = context.request;
    const csrf = await page.locator('input[name="csrf"]').first().inputValue();

    const missing = await request.post(ops('bookings'), { form, maxRedirects: 0 });
    expect(missing.status()).toBe(403);
    expect(await missing.text()).toContain('Nothing was changed');
    expect(missing.headers()['content-type']).toBe('text/html; charset=utf-8');
    const wrong = await request.post(ops('bookings'), {
      form: { ...form, csrf: `${csrf.slice(0, -2)}xx` },
      maxRedirects: 0,
    });
    expect(wrong.status()).toBe(403);
    const crossSite = await request.post(ops('bookings'), {
      form: { ...form, csrf },
      headers: { origin: 'http://evil.example' },
      maxRedirects: 0,
    });
    expect(crossSite.status()).toBe(403);
    const fromSibling = await request.post(ops('bookings'), {
      form: { ...form, csrf },
      headers: { 'sec-fetch-site': 'same-site' },
      maxRedirects: 0,
    });
    expect(fromSibling.status()).toBe(403);
    const logout = await request.post(ops('logout'), { form: {}, maxRedirects: 0 });
    expect(logout.status()).toBe(403);
    expect(await findBooking(h.temporal.client, h.tenant.id, { source: 'direct', bookingId })).toBeUndefined();

    // The same POST with the token works (and is how the form sends it).
    const ok = await request.post(ops('bookings'), { form: { ...form, csrf }, maxRedirects: 0 });
    expect(ok.status()).toBe(303);
    expect(ok.headers().location).toBe(`/ops/${h.tenant.id}/bookings/direct/${bookingId}?done=created`);
    await h.temporal.client.workflow.getHandle(`booking-${h.tenant.id}-direct-${bookingId}`).terminate('test done');

    // No session cookie at all: the login form, nothing done.
    const anonymous = await fetch(ops('bookings'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form, bookingId: `${bookingId}-x`, csrf }).toString(),
      redirect: 'manual',
    });
    expect(anonymous.status).toBe(401);
    expect(
      await findBooking(h.temporal.client, h.tenant.id, { source: 'direct', bookingId: `${bookingId}-x` }),
    ).toBeUndefined();

    // Login CSRF: a login POST without the pre-session token is refused before the key is checked.
    const forgedLogin = await fetch(ops('login'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ key: OPS_KEY }).toString(),
      redirect: 'manual',
    });
    expect(forgedLogin.status).toBe(403);
    expect(forgedLogin.headers.get('set-cookie')).not.toContain('ops_session=');
  });

  test('every field of every form filled with hostile strings runs no script, keeps the page valid, and a hostile booking is shown as text', async () => {
    await logIn();
    /** Makes every control of the form a text field (a select or datetime input cannot hold these) and fills it. */
    const fillHostile = (selector: string, round: number) =>
      page.evaluate(`${FILL_HOSTILE}(${JSON.stringify({ selector, hostile: HOSTILE, round })})`);

    for (let round = 0; round < HOSTILE.length; round += 1) {
      await page.goto(ops('bookings/new'));
      activity.clear();
      await fillHostile('main form', round);
      await submit('Enter booking');
      await pageState(`hostile new booking ${round}`, 400);
    }

    // A booking whose free text is hostile but valid is entered, and shown as text.
    const bookingId = `xss-${Date.now().toString(36)}`;
    await page.goto(ops('bookings/new'));
    await fillDetails({
      ...CHARTER,
      'guest.name': HOSTILE[0]!,
      boat: HOSTILE[1]!,
      notes: HOSTILE.join('\n'),
    });
    await page.locator('[name="bookingId"]').fill(bookingId);
    await submit('Enter booking');
    await pageState('hostile booking', 200);
    // On a phone, long unbroken text wraps rather than widening the page.
    await page.setViewportSize({ width: 360, height: 800 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await page.setViewportSize({ width: 1280, height: 720 });
    const details = page.getByRole('region', { name: 'Details' });
    await expect(details.locator('dd').first().textContent()).resolves.toBe(HOSTILE[0]);
    await expect(details.locator('dd').last().textContent()).resolves.toBe(
      HOSTILE.join('\n').replace(/[\u0000\u0001]/g, ''),
    );
    await waitFor(
      () => status(bookingId),
      (s) => s.stage === 'AWAITING_CREW',
      20_000,
    );

    for (let round = 0; round < 3; round += 1) {
      await page.goto(ops(`bookings/direct/${bookingId}`));
      activity.clear();
      await fillHostile(`form[action$="/change"]`, round);
      await submit('Save changes');
      await pageState(`hostile change ${round}`, 400);
      await fillHostile(`form[action$="/crew"]`, round);
      await submit('Replace crew member');
      await pageState(`hostile crew ${round}`, 400);
    }

    const heldKey = `bs.x${Date.now().toString(36)}`;
    await deliverFeedEvent(
      h.temporal.client,
      h.tenant,
      FEED,
      { key: heldKey, start: '2027-06-13T17:00:00Z', end: '2027-06-13T21:00:00Z' },
      h.settings,
    );
    await waitFor(
      () => status(heldKey, 'boatsetter'),
      (s) => s?.stage === 'AWAITING_DETAILS',
      20_000,
    );
    for (let round = 0; round < 2; round += 1) {
      await page.goto(ops(`bookings/boatsetter/${heldKey}`));
      activity.clear();
      await fillHostile(`form[action$="/complete"]`, round);
      await submit('Complete booking');
      await pageState(`hostile complete ${round}`, 400);
    }
    await h.temporal.client.workflow.getHandle(`booking-${h.tenant.id}-boatsetter-${heldKey}`).terminate('test done');

    await page.goto(
      `${ops('find')}?source=${encodeURIComponent(HOSTILE[1]!)}&bookingId=${encodeURIComponent(HOSTILE[0]!)}`,
    );
    await pageState('hostile find', 400);

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Ops key').fill(HOSTILE.join(''));
    await submit('Log in');
    await pageState('hostile key', 401);
    await h.temporal.client.workflow.getHandle(`booking-${h.tenant.id}-direct-${bookingId}`).terminate('test done');
  });

  test('a body over 64 KiB is 413; an unknown tenant and a tenant without an ops key are 404; every answer carries the security headers', async () => {
    const big = await fetch(ops('login'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `key=${'x'.repeat(70 * 1024)}`,
    });
    expect(big.status).toBe(413);
    expect(await big.text()).toContain('65536 bytes');
    for (const res of [big, await fetch(`${base}/ops/nosuchtenant/login`), await fetch(ops('login'))]) {
      expect(res.headers.get('content-security-policy')).toMatch(
        /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; form-action 'self'; frame-ancestors 'none'/,
      );
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    expect((await fetch(`${base}/ops/nosuchtenant/login`)).status).toBe(404);
    expect((await fetch(`${base}/ops/${withoutOpsPage().id}/login`)).status).toBe(404);
    expect((await fetch(`${base}/ops/${withoutOpsPage().id}/`)).status).toBe(404);
    expect((await fetch(`${base}/ops/${h.tenant.id}/bookings/direct/nope`, { redirect: 'manual' })).status).toBe(303);
  });

  test('every page state is valid HTML (Nu checker); nothing typed into a form reached the log', async () => {
    expect(Object.keys(documents).length).toBeGreaterThan(10);
    const errors = await vnuErrors(documents);
    expect(Object.fromEntries(Object.entries(errors).filter(([, e]) => e.length > 0))).toEqual({});
    const log = logs.join('');
    for (const secret of [OPS_KEY, 'carole@example.com', 'Carole', '+1 415 555 0134', 'onerror', '<script>']) {
      expect({ secret, logged: log.includes(secret) }).toEqual({ secret, logged: false });
    }
  });
});
