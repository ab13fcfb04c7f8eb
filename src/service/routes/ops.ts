import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Tenant } from '../../config/tenant';
import type { BookingRef } from '../../domain/booking';
import type { FieldError } from '../../domain/validation';
import type { FailureLimiter } from '../auth';
import { parseBookingRef, queryBookingStatus } from '../booking-status';
import {
  assignCrew,
  changeBooking,
  completeBooking,
  isApplied,
  type AppliedOutcome,
  type ChangeOutcome,
} from '../change-booking';
import { cancelRunningBooking, deliverBooking } from '../deliver-booking';
import { createErrorHandler, HttpError } from '../errors';
import { findBooking, type FoundBooking } from '../running-booking';
import {
  bookingFromForm,
  changeFromForm,
  CREW_FIELDS,
  crewFromForm,
  detailValues,
  heldValues,
} from '../ops/booking-form';
import { listRunningBookings } from '../ops/bookings-list';
import { OPS_CSP, opsPaths, type FormValues } from '../ops/html';
import {
  bookingPage,
  cancelConfirmPage,
  listPage,
  loginPage,
  messagePage,
  newBookingPage,
  type BookingPageView,
  type TenantView,
} from '../ops/pages';
import { LOGIN_NONCE_TTL_MS, readCookie, setCookie, type OpsSession, type OpsSessions } from '../ops/session';
import type { RouteContext } from './context';

/** What the ops page needs beyond the other routes' context; buildApp makes it from OPS_SESSION_SECRET. */
export interface OpsPageContext {
  sessions: OpsSessions;
  /** Set `Secure` on its cookies: the public base URL is https (see buildApp). */
  secureCookies: boolean;
  loginFailures: FailureLimiter;
  /** The service's body limit (64 KiB), which forms share: named in the 413 page. */
  bodyLimitBytes: number;
}

const SESSION_COOKIE = 'ops_session';
const LOGIN_COOKIE = 'ops_login';

/** What a successful POST redirects with (`?done=`): fixed messages, so a link cannot make the page say anything else. */
const FLASH: Record<string, string> = {
  created: 'Booking entered: JADA, SCC, the guest page and ops follow.',
  existed: 'A booking with this id was already running, with the same details: nothing changed.',
  redelivered: 'A booking with this id was already running: the details entered were applied to it as a change.',
  changed: 'Change saved: JADA, SCC, the page and ops follow (see Changes).',
  unchanged: 'Nothing changed: the details were the same.',
  stale: 'Nothing changed: the booking holds a newer revision.',
  crew: 'Crew changed: SCC sends the new member a link.',
  cancelled: 'Cancellation requested: the booking is being undone (stage Cancelled once done).',
  completed: 'Booking completed: it now goes ahead as any other.',
};

type Params = { tenant: string; source: string; bookingId: string };
type Req = FastifyRequest<{ Params: Params; Querystring: Record<string, string | undefined> }>;

interface Authenticated {
  tenant: Tenant;
  view: TenantView;
  session: OpsSession;
  csrf: string;
}

const viewOf = (tenant: Tenant): TenantView => ({ id: tenant.id, name: tenant.name });
/** A page for a tenant that is not there: no name, no navigation. */
const NO_TENANT: TenantView = { id: 'none', name: 'Charter fulfillment' };

function securityHeaders(reply: FastifyReply): void {
  void reply.headers({
    'content-security-policy': OPS_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
  });
}

function html(reply: FastifyReply, statusCode: number, body: string): FastifyReply {
  securityHeaders(reply);
  return reply.code(statusCode).type('text/html; charset=utf-8').send(body);
}

/** Named fields of a urlencoded body, the first value of each; anything else is not a form (415). */
function formOf(request: FastifyRequest): FormValues {
  if (!(request.body instanceof Map)) {
    throw new HttpError(415, { error: 'this form must be sent as application/x-www-form-urlencoded' });
  }
  return request.body as FormValues;
}

export function parseForm(body: string): FormValues {
  const form = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(body)) if (!form.has(name)) form.set(name, value);
  return form;
}

/**
 * The ops page, `/ops/{tenant}/`: server-rendered HTML forms for ops, each action through the same
 * service function as the HTTP API (deliverBooking, changeBooking, assignCrew, cancelRunningBooking).
 * Registered in its own encapsulated context, so the urlencoded parser, the HTML error and not-found
 * pages and the security headers apply here only.
 */
export function registerOpsRoutes(app: FastifyInstance, ctx: RouteContext, ops: OpsPageContext): void {
  void app.register(
    async (scope) => {
      scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
        done(null, parseForm(body as string)),
      );
      scope.addHook('onRequest', async (_request, reply) => securityHeaders(reply));
      scope.setErrorHandler(
        createErrorHandler({ bodyLimitBytes: ops.bodyLimitBytes }, (reply, statusCode, body) => {
          const title = statusCode >= 500 ? 'Something went wrong' : 'Not done';
          const message =
            statusCode === 503
              ? 'Temporal did not answer in time: nothing may have been done. Try again in a moment.'
              : statusCode >= 500
                ? `An error on our side; nothing may have been done. Request id: ${String(body.requestId ?? '')}`
                : body.error;
          return html(reply, statusCode, messagePage({ tenant: NO_TENANT, title, message }));
        }),
      );
      scope.setNotFoundHandler((request, reply) => {
        request.log.info({ statusCode: 404 }, 'no such route');
        return html(
          reply,
          404,
          messagePage({ tenant: NO_TENANT, title: 'Not found', message: 'There is no such page.' }),
        );
      });
      routes(scope, ctx, ops);
    },
    { prefix: '/ops' },
  );
}

function routes(app: FastifyInstance, ctx: RouteContext, ops: OpsPageContext): void {
  const { sessions } = ops;

  /** The path's tenant, if it has the ops page (an `auth.opsKeyHash`); otherwise the page does not exist. */
  const opsTenant = (request: FastifyRequest): Tenant & { auth: { opsKeyHash: string } } => {
    const tenant = ctx.tenants.get((request.params as { tenant?: string }).tenant ?? '');
    if (!tenant?.auth.opsKeyHash) throw new HttpError(404, { error: 'There is no such page.' });
    return tenant as Tenant & { auth: { opsKeyHash: string } };
  };

  const cookie = (tenant: Tenant, name: string, value: string, maxAgeMs: number) =>
    setCookie(name, value, { path: opsPaths(tenant.id).base, maxAge: maxAgeMs / 1000, secure: ops.secureCookies });

  const session = (request: FastifyRequest, tenant: Tenant & { auth: { opsKeyHash: string } }) =>
    sessions.verify(readCookie(request.headers.cookie, SESSION_COOKIE), tenant.id, tenant.auth.opsKeyHash);

  /**
   * A POST from another site is refused before anything else, by what the browser says about where
   * the form came from: Sec-Fetch-Site (every current browser sends it) must be same-origin; without
   * it, an Origin header must name this service's host. Our own pages send `Origin: null`, as
   * Referrer-Policy no-referrer makes browsers do, so Origin alone cannot be required. The CSRF
   * tokens are the defence that does not depend on the browser; this one does not depend on them.
   */
  const sameOrigin = (request: FastifyRequest): boolean => {
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined) return site === 'same-origin';
    const origin = request.headers.origin;
    if (origin === undefined || origin === 'null') return true;
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return false;
    }
    return [request.headers.host, ctx.publicBaseUrl ? new URL(ctx.publicBaseUrl).host : undefined].includes(host);
  };

  /** The login form's pre-session nonce: the cookie's, or a new one set now. */
  const loginNonce = (request: FastifyRequest, reply: FastifyReply, tenant: Tenant): string => {
    const existing = readCookie(request.headers.cookie, LOGIN_COOKIE);
    if (existing && /^[A-Za-z0-9_-]{22}$/.test(existing)) return existing;
    const nonce = sessions.newLoginNonce();
    void reply.header('set-cookie', cookie(tenant, LOGIN_COOKIE, nonce, LOGIN_NONCE_TTL_MS));
    return nonce;
  };

  const showLogin = (
    request: FastifyRequest,
    reply: FastifyReply,
    tenant: Tenant,
    statusCode: number,
    text: { error?: string; notice?: string } = {},
  ) => {
    const loginToken = sessions.loginToken(tenant.id, loginNonce(request, reply, tenant));
    return html(reply, statusCode, loginPage({ tenant: viewOf(tenant), loginToken, ...text }));
  };

  /** A page behind the login: without a valid session, the login form (303 there). */
  const get =
    (handler: (request: Req, reply: FastifyReply, auth: Authenticated) => Promise<FastifyReply>) =>
    async (request: Req, reply: FastifyReply) => {
      const tenant = opsTenant(request);
      const checked = session(request, tenant);
      if (!checked.ok) return reply.redirect(opsPaths(tenant.id).login, 303);
      const csrf = sessions.csrfToken(checked.session);
      return handler(request, reply, { tenant, view: viewOf(tenant), session: checked.session, csrf });
    };

  /**
   * An action: same origin, a valid session (else the login form, 401, nothing done) and the form's
   * CSRF token for that session (else 403, nothing done), before the handler sees the form.
   */
  const post =
    (handler: (request: Req, reply: FastifyReply, auth: Authenticated, form: FormValues) => Promise<FastifyReply>) =>
    async (request: Req, reply: FastifyReply) => {
      const tenant = opsTenant(request);
      if (!sameOrigin(request)) return refuseForgery(reply, tenant, 'This form was sent from another site.');
      const checked = session(request, tenant);
      if (!checked.ok) {
        return showLogin(request, reply, tenant, 401, {
          notice: 'Your session has ended: log in again. Nothing was changed.',
        });
      }
      const form = formOf(request);
      if (!sessions.checkCsrf(checked.session, form.get('csrf'))) {
        request.log.warn({ statusCode: 403 }, 'ops form without a valid CSRF token');
        return refuseForgery(reply, tenant, 'This form has expired or did not come from this ops page.');
      }
      const csrf = sessions.csrfToken(checked.session);
      return handler(request, reply, { tenant, view: viewOf(tenant), session: checked.session, csrf }, form);
    };

  const refuseForgery = (reply: FastifyReply, tenant: Tenant, why: string) =>
    html(
      reply,
      403,
      messagePage({
        tenant: viewOf(tenant),
        title: 'Refused',
        message: `${why} Nothing was changed: open the page again and resend the form.`,
        links: [{ href: opsPaths(tenant.id).base, label: 'Back to bookings' }],
      }),
    );

  /** The booking the path names, if it is this tenant's; a 404 page otherwise. */
  const pathBooking = async (request: Req, tenant: Tenant): Promise<{ ref: BookingRef; found: FoundBooking }> => {
    const ref = parseBookingRef(request.params.bookingId, request.params.source);
    const found = ref.ok ? await findBooking(ctx.client, tenant.id, ref.value) : undefined;
    if (!ref.ok || !found) throw new HttpError(404, { error: 'This tenant has no such booking.' });
    return { ref: ref.value, found };
  };

  /** The booking page, with whatever the last action left to show. */
  const showBooking = async (
    reply: FastifyReply,
    auth: Authenticated,
    ref: BookingRef,
    found: FoundBooking,
    statusCode: number,
    extra: Partial<Pick<BookingPageView, 'flash' | 'refusal' | 'change' | 'crew' | 'complete'>> = {},
  ) => {
    const status = await queryBookingStatus(ctx.client, found);
    if (!status) throw new HttpError(404, { error: 'This tenant has no such booking.' });
    const running = found.description.status.name === 'RUNNING';
    const change = extra.change ?? { values: status.booking ? detailValues(status.booking) : new Map(), errors: [] };
    const complete = extra.complete ?? { values: status.booking ? heldValues(status.booking) : new Map(), errors: [] };
    return html(
      reply,
      statusCode,
      bookingPage({ tenant: auth.view, csrf: auth.csrf, ref, status, running, ...extra, change, complete }),
    );
  };

  const toBooking = (reply: FastifyReply, tenant: Tenant, ref: BookingRef, done: keyof typeof FLASH) =>
    reply.redirect(`${opsPaths(tenant.id).booking(ref)}?done=${done}`, 303);

  /**
   * The change and complete forms: the booking's details as the form has them, sent as a merge patch
   * over those it holds now, and the form again with what was wrong. A refused change shows on its
   * form; a refused completion at the top, since the booking may no longer be held and then the page
   * has no complete form.
   */
  const detailsForm = (
    name: 'change' | 'complete',
    send: (found: FoundBooking, patch: Record<string, unknown>) => Promise<ChangeOutcome>,
    done: (applied: AppliedOutcome) => keyof typeof FLASH,
  ) =>
    post(async (request, reply, auth, form) => {
      const { ref, found } = await pathBooking(request, auth.tenant);
      const current = (await queryBookingStatus(ctx.client, found))?.booking;
      if (!current) {
        return showBooking(reply, auth, ref, found, 409, { refusal: 'This booking cannot change.' });
      }
      const again = (statusCode: number, errors: FieldError[]) =>
        showBooking(reply, auth, ref, found, statusCode, { [name]: { values: form, errors } });
      const patch = changeFromForm(form, current);
      if (!patch.ok) return again(400, patch.errors);
      const result = await send(found, patch.value);
      if (isApplied(result)) return toBooking(reply, auth.tenant, ref, done(result));
      if (result.outcome === 'invalid') return again(400, result.errors);
      const statusCode = result.outcome === 'unknown-booking' ? 404 : 409;
      return name === 'change'
        ? again(statusCode, [{ path: '(change)', message: refusalOf(result) }])
        : showBooking(reply, auth, ref, found, statusCode, { refusal: refusalOf(result) });
    });

  app.get<{ Params: Params }>('/:tenant', async (request, reply) =>
    reply.redirect(opsPaths(opsTenant(request).id).base, 308),
  );

  app.get<{ Params: Params }>('/:tenant/login', async (request, reply) => {
    const tenant = opsTenant(request);
    if (session(request, tenant).ok) return reply.redirect(opsPaths(tenant.id).base, 303);
    return showLogin(request, reply, tenant, 200);
  });

  app.post<{ Params: Params }>('/:tenant/login', async (request, reply) => {
    const tenant = opsTenant(request);
    if (!sameOrigin(request)) return refuseForgery(reply, tenant, 'This login form was sent from another site.');
    const form = formOf(request);
    const nonce = readCookie(request.headers.cookie, LOGIN_COOKIE);
    if (!sessions.checkLoginToken(tenant.id, nonce, form.get('loginToken'))) {
      request.log.warn({ statusCode: 403 }, 'ops login without a valid login token');
      return showLogin(request, reply, tenant, 403, {
        error: 'This login form has expired or did not come from this page: log in again.',
      });
    }
    const caller = `${tenant.id}\0${request.ip}`;
    if (!ops.loginFailures.allows(caller)) {
      ctx.metrics.authFailure({ tenant: tenant.id, key: 'ops', reason: 'rate_limited' });
      return showLogin(request, reply, tenant, 429, {
        error: 'Too many wrong keys: wait ten minutes, then try again.',
      });
    }
    const key = form.get('key') ?? '';
    if (key === '' || !(await ctx.keys.verify(tenant, 'opsKeyHash', key))) {
      ops.loginFailures.recordFailure(caller);
      ctx.metrics.authFailure({ tenant: tenant.id, key: 'ops', reason: key === '' ? 'missing' : 'invalid' });
      request.log.info({ statusCode: 401 }, 'ops login with a wrong key');
      return showLogin(request, reply, tenant, 401, { error: 'That is not the ops key of this tenant.' });
    }
    ops.loginFailures.recordSuccess(caller);
    const issued = sessions.issue(tenant.id, tenant.auth.opsKeyHash);
    void reply.header('set-cookie', [
      cookie(tenant, SESSION_COOKIE, issued.cookie, issued.session.expiresAt - Date.now()),
      cookie(tenant, LOGIN_COOKIE, '', 0),
    ]);
    request.log.info('ops login');
    return reply.redirect(opsPaths(tenant.id).base, 303);
  });

  app.post<{ Params: Params }>('/:tenant/logout', async (request, reply) => {
    const tenant = opsTenant(request);
    if (!sameOrigin(request)) return refuseForgery(reply, tenant, 'This form was sent from another site.');
    const checked = session(request, tenant);
    // Without a valid session there is nothing to protect: clear whatever cookie is left.
    if (checked.ok && !sessions.checkCsrf(checked.session, formOf(request).get('csrf'))) {
      return refuseForgery(reply, tenant, 'This form has expired or did not come from this ops page.');
    }
    void reply.header('set-cookie', cookie(tenant, SESSION_COOKIE, '', 0));
    return reply.redirect(opsPaths(tenant.id).login, 303);
  });

  app.get(
    '/:tenant/',
    get(async (request, reply, auth) => {
      const list = await listRunningBookings(ctx.client, auth.tenant.id);
      const flash = FLASH[request.query.done ?? ''];
      return html(reply, 200, listPage({ tenant: auth.view, csrf: auth.csrf, list, flash }));
    }),
  );

  app.get(
    '/:tenant/find',
    get(async (request, reply, auth) => {
      const { source = '', bookingId = '' } = request.query;
      const ref = parseBookingRef(bookingId.trim(), source);
      if (ref.ok) return reply.redirect(opsPaths(auth.tenant.id).booking(ref.value), 303);
      const list = await listRunningBookings(ctx.client, auth.tenant.id);
      const values = new Map([
        ['source', source],
        ['bookingId', bookingId],
      ]);
      return html(
        reply,
        400,
        listPage({ tenant: auth.view, csrf: auth.csrf, list, find: { values, errors: ref.errors } }),
      );
    }),
  );

  app.get(
    '/:tenant/bookings/new',
    get(async (_request, reply, auth) => {
      const values = new Map([
        ['source', 'direct'],
        ['pricing.currency', 'USD'],
      ]);
      return html(reply, 200, newBookingPage({ tenant: auth.view, csrf: auth.csrf, values, errors: [] }));
    }),
  );

  app.post(
    '/:tenant/bookings',
    post(async (_request, reply, auth, form) => {
      const again = (statusCode: number, errors: FieldError[]) =>
        html(reply, statusCode, newBookingPage({ tenant: auth.view, csrf: auth.csrf, values: form, errors }));
      const parsed = bookingFromForm(form);
      if (!parsed.ok) return again(400, parsed.errors);
      const booking = parsed.value;
      const delivered = await deliverBooking(ctx.client, auth.tenant, booking, ctx.settings);
      switch (delivered.outcome) {
        case 'started':
          return toBooking(reply, auth.tenant, booking, 'created');
        case 'id-taken':
          return again(409, [
            {
              path: 'bookingId',
              message: `is taken by booking ${delivered.heldBy}, which started before booking ids kept their case: use another id`,
            },
          ]);
        case 'redelivered': {
          const change = delivered.change;
          if (isApplied(change)) {
            return toBooking(reply, auth.tenant, booking, change.outcome === 'changed' ? 'redelivered' : 'existed');
          }
          if (change.outcome === 'invalid') return again(400, change.errors);
          return again(409, [{ path: '(booking)', message: refusalOf(change) }]);
        }
        case 'cancellation':
          throw new Error('the new-booking form has no status field: it never cancels');
      }
    }),
  );

  app.get(
    '/:tenant/bookings/:source/:bookingId',
    get(async (request, reply, auth) => {
      const { ref, found } = await pathBooking(request, auth.tenant);
      return showBooking(reply, auth, ref, found, 200, { flash: FLASH[request.query.done ?? ''] });
    }),
  );

  app.post(
    '/:tenant/bookings/:source/:bookingId/change',
    detailsForm(
      'change',
      (found, patch) => changeBooking(found, { channel: 'ops', patch }),
      (changed) => changed.outcome,
    ),
  );

  app.post(
    '/:tenant/bookings/:source/:bookingId/complete',
    // The form always names the guest and the pricing, so its patch holds all a held booking lacks.
    detailsForm(
      'complete',
      (found, details) => completeBooking(found, { channel: 'ops', details }),
      () => 'completed',
    ),
  );

  app.post(
    '/:tenant/bookings/:source/:bookingId/crew',
    post(async (request, reply, auth, form) => {
      const { ref, found } = await pathBooking(request, auth.tenant);
      const again = (statusCode: number, errors: FieldError[]) =>
        showBooking(reply, auth, ref, found, statusCode, { crew: { values: form, errors } });
      const parsed = crewFromForm(form);
      if (!parsed.ok) return again(400, parsed.errors);
      const assigned = await assignCrew(found, parsed.value);
      if (assigned.outcome === 'assigned') return toBooking(reply, auth.tenant, ref, 'crew');
      if (assigned.outcome === 'invalid') return again(400, assigned.errors);
      if (isApplied(assigned)) return toBooking(reply, auth.tenant, ref, 'unchanged');
      return again(assigned.outcome === 'unknown-booking' ? 404 : 409, [crewRefusal(refusalOf(assigned))]);
    }),
  );

  app.get(
    '/:tenant/bookings/:source/:bookingId/cancel',
    get(async (request, reply, auth) => {
      const { ref, found } = await pathBooking(request, auth.tenant);
      if (found.description.status.name !== 'RUNNING') {
        return showBooking(reply, auth, ref, found, 409, { refusal: 'This booking has already finished.' });
      }
      const status = await queryBookingStatus(ctx.client, found);
      if (!status) throw new HttpError(404, { error: 'This tenant has no such booking.' });
      return html(reply, 200, cancelConfirmPage({ tenant: auth.view, csrf: auth.csrf, ref, status }));
    }),
  );

  app.post(
    '/:tenant/bookings/:source/:bookingId/cancel',
    post(async (request, reply, auth, form) => {
      const { ref, found } = await pathBooking(request, auth.tenant);
      if (form.get('confirm') !== 'yes') return reply.redirect(opsPaths(auth.tenant.id).cancel(ref), 303);
      const cancelled = await cancelRunningBooking(ctx.client, auth.tenant, ref);
      if (cancelled.outcome === 'done') return toBooking(reply, auth.tenant, ref, 'cancelled');
      if (cancelled.outcome === 'unknown-booking')
        throw new HttpError(404, { error: 'This tenant has no such booking.' });
      return showBooking(reply, auth, ref, found, 409, { refusal: 'This booking has already finished.' });
    }),
  );
}

/** Why a change or crew replacement was not applied, in words for the page. */
function refusalOf(result: Exclude<ChangeOutcome, { outcome: 'changed' | 'unchanged' | 'stale' | 'invalid' }>): string {
  switch (result.outcome) {
    case 'refused':
      return result.reason;
    case 'closed':
      return 'The booking has already finished: it can no longer change.';
    case 'unknown-booking':
      return 'This tenant has no such booking.';
  }
}

/** assignCrew's refusals start with the field they are about ("member.id: crew-x is already ..."). */
function crewRefusal(reason: string): FieldError {
  const at = reason.indexOf(': ');
  const path = at > 0 ? reason.slice(0, at) : '';
  return (CREW_FIELDS as readonly string[]).includes(path)
    ? { path, message: reason.slice(at + 2) }
    : { path: '(crew)', message: reason };
}
