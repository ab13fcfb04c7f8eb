import { compare } from 'bcrypt';
import { randomBytes } from 'node:crypto';
import {
  Agent,
  createServer,
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { z } from 'zod';
import type { SccEvent, SccMagicLink } from '../src/clients/scc';
import type { CrewAnswer } from '../src/domain/crew';
import { escapeAttr, escapeHtml } from '../src/html/escape';
import {
  Faults,
  IdempotencyKeys,
  headerValue,
  invalidBody,
  jsonServer,
  listen,
  missingEndpoint,
  readBody,
  requiredText,
  stopServer,
  type MissingEndpointStatus,
  type SimReply,
  type SimRequest,
} from './faults';

export interface SccSimOptions {
  /** bcrypt hash of the service key, as the real SCC stores it. */
  serviceKeyHash: string;
  /** Port of the API (origin); 0 or absent lets the kernel pick. */
  port?: number;
  /** Port of the CloudFront-like CDN in front of it. */
  cdnPort?: number;
  /** Where magic links point; defaults to the API URL. */
  magicLinkBaseUrl?: string;
  /**
   * Where SCC reports a crew member's answer: our crew-response endpoint, and the key SCC presents
   * in X-Service-Key. Without it the crew inbox records answers and tells nobody.
   */
  callback?: SccCallback;
  /**
   * Every crew member gives this answer as soon as their event exists, through the callback as if each
   * had clicked it in the inbox: load on the real HTTP -> service -> signal path without a person
   * (the pipeline benchmark). Without it, crew answer in the inbox or not at all.
   */
  answerAtOnce?: CrewAnswer;
  /**
   * false: a deployment without PATCH/DELETE /events/{id} and POST /events/{id}/reminders, which
   * answer `missingEndpointStatus` (404 unless given), for the "not supported" fallback. Default true.
   */
  lifecycleEndpoints?: boolean;
  missingEndpointStatus?: MissingEndpointStatus;
}

export interface SccCallback {
  url: string;
  serviceKey: string;
}

/** A crew member's answer given on their magic-link page, and what became of telling us about it. */
export interface SccCrewAnswer {
  eventId: string;
  crewId: string;
  response: CrewAnswer;
  respondedAt: string;
  /** The last attempt to report it: the callback's HTTP status and answer, why it failed, or that there is no callback. */
  delivery: { status: number; body: string } | { error: string } | { skipped: string };
}

/**
 * SCC keeps the notes it was given, though its event answer does not promise them. `magic_links` is
 * each current member's live link. A cancelled event stays for the crew inbox, but the API no longer
 * knows it.
 */
export type SccSimEvent = SccEvent & { notes?: string; cancelledAt?: string };

/** Whose link a magic-link token is: enough for a crew inbox page to show the charter and record an answer. */
export interface MagicLinkTarget {
  eventId: string;
  crewId: string;
  /**
   * Set once the link takes no more answers: SCC sent the member a fresh one because the times moved
   * (their answer was reset), took them off the crew, or cancelled the event.
   */
  retired?: 'superseded' | 'removed' | 'cancelled';
}

/** What SCC sent a crew member, as the crew inbox shows it. */
export interface SccInboxMessage {
  at: string;
  eventId: string;
  crewId: string;
  /** invitation: asked first; re-ask: the times moved, asked again with a fresh link; reminder: the link again. */
  kind: 'invitation' | 're-ask' | 'reminder' | 'removed' | 'cancelled';
  /** The magic link it carried (invitations, re-asks and reminders). */
  url?: string;
}

export interface SccSim {
  /** The origin (API Gateway) URL: the one SCC_API_URL must be. */
  apiUrl: string;
  /** A CloudFront-like URL in front of the API that drops X-Service-Key, as the real CDN does. */
  cdnUrl: string;
  events: SccSimEvent[];
  /** Keyed by the token at the end of each magic link URL. */
  magicLinks: Map<string, MagicLinkTarget>;
  /** Answers given in the crew inbox, keyed by magic-link token; a re-ask drops the member's answer. */
  answers: Map<string, SccCrewAnswer>;
  /** Everything SCC sent the crew, oldest first: who was invited, re-asked, reminded, taken off, told of a cancellation. */
  messages: SccInboxMessage[];
  /** Effects (each once per Idempotency-Key) and every API request that reached the stand-in. */
  counters: {
    created: number;
    updated: number;
    cancelled: number;
    remindersSent: number;
    /** GET /events by external_id, past the key check. */
    lookups: number;
    requests: number;
  };
  faults: Faults;
  /** From now on, crew of new events answer this at once (see SccSimOptions.answerAtOnce), or not at all. */
  answerAtOnce(answer: CrewAnswer | undefined): void;
  stop(): Promise<void>;
}

const EVENTS_PATH = '/events';
const EVENT_PATH = /^\/events\/([^/]+)(\/reminders)?$/;

const CrewSchema = z.array(z.object({ id: requiredText, role: z.string().optional() })).superRefine((crew, ctx) => {
  const seen = new Set<string>();
  crew.forEach((member, i) => {
    if (seen.has(member.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: 'is listed twice' });
    seen.add(member.id);
  });
});

const NewEventSchema = z.object({
  event_name: requiredText,
  start_time: requiredText,
  end_time: requiredText,
  notes: z.string().optional(),
  crew: CrewSchema,
  external_id: requiredText,
});

/** Strict: a misspelt field ("start" for start_time) would otherwise be a change that silently does nothing. */
const EventPatchSchema = z
  .object({
    event_name: requiredText.optional(),
    start_time: requiredText.optional(),
    end_time: requiredText.optional(),
    notes: z.string().optional(),
    crew: CrewSchema.optional(),
  })
  .strict();

const RemindersSchema = z.object({ crew: z.array(requiredText) }).strict();

/** Local ShipCaptainCrew: its events API on one port and, on another, the CDN that strips the key. */
export async function startSccSim(options: SccSimOptions): Promise<SccSim> {
  const events: SccSimEvent[] = [];
  const magicLinks = new Map<string, MagicLinkTarget>();
  const answers = new Map<string, SccCrewAnswer>();
  const messages: SccInboxMessage[] = [];
  const counters = { created: 0, updated: 0, cancelled: 0, remindersSent: 0, lookups: 0, requests: 0 };
  const lifecycle = options.lifecycleEndpoints ?? true;
  const faults = new Faults();
  const keys = new IdempotencyKeys();
  let linkBase = '';

  const handle = async (req: SimRequest): Promise<SimReply> => {
    const key = headerValue(req.headers, 'x-service-key');
    if (key === undefined) return { status: 401, body: { message: 'Missing X-Service-Key' } };
    if (!(await compare(key, options.serviceKeyHash))) return { status: 401, body: { message: 'Invalid service key' } };
    const route = eventRoute(req);
    if (route) return handleEvent(req, route);
    if (req.method === 'GET') {
      counters.lookups++;
      const externalId = req.url.searchParams.get('external_id');
      return {
        status: 200,
        body: {
          events: events.filter(
            (e) => e.cancelledAt === undefined && (externalId === null || e.external_id === externalId),
          ),
        },
      };
    }
    if (req.method === 'POST') return keys.once(req, () => create(req.body));
    return { status: 405, body: { message: `${req.method} not allowed` }, headers: { allow: 'GET, POST' } };
  };

  const handleEvent = (req: SimRequest, { id, reminders }: EventRoute): SimReply => {
    if (!lifecycle) return missingEndpoint(options.missingEndpointStatus ?? 404, 'GET, POST');
    const notAllowed = (allow: string): SimReply => ({
      status: 405,
      body: { message: `${req.method} not allowed` },
      headers: { allow },
    });
    if (reminders) return req.method === 'POST' ? keys.once(req, () => remind(id, req.body)) : notAllowed('POST');
    if (req.method === 'PATCH') return keys.once(req, () => update(id, req.body));
    if (req.method === 'DELETE') return keys.once(req, () => cancel(id));
    return notAllowed('PATCH, DELETE');
  };

  const send = (eventId: string, crewId: string, kind: SccInboxMessage['kind'], url?: string): void => {
    messages.push({ at: new Date().toISOString(), eventId, crewId, kind, ...(url === undefined ? {} : { url }) });
  };

  /** A fresh link for a member, sent to their inbox. */
  const issueLink = (eventId: string, crewId: string, kind: 'invitation' | 're-ask'): SccMagicLink => {
    const token = randomBytes(18).toString('base64url');
    magicLinks.set(token, { eventId, crewId });
    const link = { crew_id: crewId, url: `${linkBase}/m/${token}` };
    send(eventId, crewId, kind, link.url);
    return link;
  };

  const retire = (link: SccMagicLink, why: NonNullable<MagicLinkTarget['retired']>): void => {
    const token = tokenOf(link.url);
    const target = magicLinks.get(token);
    if (target) target.retired = why;
    // Asked again: the old answer no longer counts.
    if (why === 'superseded') answers.delete(token);
  };

  const activeEvent = (id: string): SccSimEvent | undefined =>
    events.find((e) => e.id === id && e.cancelledAt === undefined);

  /** A copy of the event as the API answers it: later changes must not alter an answer kept for replay. */
  const answerOf = (event: SccSimEvent, magic_links: SccMagicLink[]): SccSimEvent => ({ ...event, magic_links });

  let atOnce = options.answerAtOnce;
  const answerAtOnce = (links: SccMagicLink[]): void => {
    const response = atOnce;
    // After this answer is sent, as the real crew can only answer links that SCC sent once the event existed.
    if (response && links.length > 0) setImmediate(() => void inbox.answerLinks(links, response));
  };

  const create = (body: unknown): SimReply => {
    const parsed = NewEventSchema.safeParse(body);
    if (!parsed.success) return invalidBody(parsed.error);
    const id = `evt_${events.length + 1}`;
    const magic_links = parsed.data.crew.map((member) => issueLink(id, member.id, 'invitation'));
    const event: SccSimEvent = { id, ...parsed.data, magic_links };
    events.push(event);
    counters.created++;
    answerAtOnce(magic_links);
    return { status: 201, body: answerOf(event, magic_links) };
  };

  /**
   * The whole new crew list replaces the old: members added get a link, members left out are told
   * they are off the charter. SCC re-asks everyone (fresh links, answers reset) when start_time or
   * end_time names another instant; the same instant written with another offset is no move.
   */
  const update = (id: string, body: unknown): SimReply => {
    const event = activeEvent(id);
    if (!event) return noSuchEvent(id);
    const parsed = EventPatchSchema.safeParse(body);
    if (!parsed.success) return invalidBody(parsed.error);
    const { crew, ...fields } = parsed.data;
    const moved =
      (fields.start_time !== undefined && !sameInstant(fields.start_time, event.start_time)) ||
      (fields.end_time !== undefined && !sameInstant(fields.end_time, event.end_time));
    const nextCrew = crew ?? event.crew;
    const staying = new Set(nextCrew.map((member) => member.id));
    for (const link of event.magic_links) {
      if (staying.has(link.crew_id)) continue;
      retire(link, 'removed');
      send(event.id, link.crew_id, 'removed');
    }
    const sent: SccMagicLink[] = [];
    const links = nextCrew.map((member) => {
      const current = event.magic_links.find((link) => link.crew_id === member.id);
      if (current && !moved) return current;
      if (current) retire(current, 'superseded');
      const link = issueLink(event.id, member.id, current ? 're-ask' : 'invitation');
      sent.push(link);
      return link;
    });
    Object.assign(event, fields, { crew: nextCrew, magic_links: links });
    counters.updated++;
    answerAtOnce(sent);
    return { status: 200, body: answerOf(event, sent) };
  };

  const cancel = (id: string): SimReply => {
    const event = activeEvent(id);
    if (!event) return noSuchEvent(id);
    event.cancelledAt = new Date().toISOString();
    for (const link of event.magic_links) {
      retire(link, 'cancelled');
      send(event.id, link.crew_id, 'cancelled');
    }
    counters.cancelled++;
    return { status: 204, body: undefined };
  };

  /** All or nothing: one crew id not on the event and nobody is reminded. */
  const remind = (id: string, body: unknown): SimReply => {
    const event = activeEvent(id);
    if (!event) return noSuchEvent(id);
    const parsed = RemindersSchema.safeParse(body);
    if (!parsed.success) return invalidBody(parsed.error);
    const crewIds = [...new Set(parsed.data.crew)];
    const unknown = crewIds.filter((crewId) => !event.magic_links.some((link) => link.crew_id === crewId));
    if (unknown.length > 0) {
      return { status: 400, body: { message: `not on event ${event.id}: ${unknown.join(', ')}`, crew: unknown } };
    }
    for (const crewId of crewIds) {
      send(event.id, crewId, 'reminder', event.magic_links.find((link) => link.crew_id === crewId)?.url);
      counters.remindersSent++;
    }
    return { status: 200, body: { reminded: crewIds } };
  };

  const api = jsonServer(async (req) => {
    if (req.url.pathname !== EVENTS_PATH && eventRoute(req) === undefined) {
      return { status: 404, body: { message: `no route ${req.url.pathname}` } };
    }
    counters.requests++;
    return faults.apply(() => handle(req));
  });
  const inbox = crewInbox({ events, magicLinks, answers, messages, callback: options.callback });
  routeCrewInbox(api, inbox.handle);
  const apiUrl = await listen(api, options.port);
  linkBase = (options.magicLinkBaseUrl ?? apiUrl).replace(/\/+$/, '');

  const cdnAgent = new Agent({ keepAlive: false });
  const cdn = cloudFront(new URL(apiUrl), cdnAgent);
  const cdnUrl = await listen(cdn, options.cdnPort);

  return {
    apiUrl,
    cdnUrl,
    events,
    magicLinks,
    answers,
    messages,
    counters,
    faults,
    answerAtOnce(answer) {
      atOnce = answer;
    },
    async stop() {
      faults.reset();
      await Promise.all([stopServer(cdn), stopServer(api)]);
      cdnAgent.destroy();
    },
  };
}

interface EventRoute {
  id: string;
  reminders: boolean;
}

/** /events/{id} or /events/{id}/reminders, the id decoded; undefined for any other path. */
function eventRoute(req: SimRequest): EventRoute | undefined {
  const match = EVENT_PATH.exec(req.url.pathname);
  if (!match?.[1]) return undefined;
  try {
    return { id: decodeURIComponent(match[1]), reminders: match[2] !== undefined };
  } catch {
    return undefined;
  }
}

function noSuchEvent(id: string): SimReply {
  return { status: 404, body: { message: `no event ${id}` } };
}

function sameInstant(a: string, b: string): boolean {
  const [x, y] = [Date.parse(a), Date.parse(b)];
  return a === b || (!Number.isNaN(x) && x === y);
}

function cloudFrontHeaders(): OutgoingHttpHeaders {
  return {
    via: '1.1 abc123.cloudfront.net (CloudFront)',
    'x-amz-cf-id': randomBytes(42).toString('base64url'),
    'x-cache': 'Miss from cloudfront',
  };
}

/** Forwards to the origin as a default CloudFront behavior does: custom headers such as X-Service-Key are not passed on. */
function cloudFront(origin: URL, agent: Agent): Server {
  return createServer((req, res) => {
    const forwarded: IncomingHttpHeaders = { ...req.headers, host: origin.host };
    delete forwarded['x-service-key'];
    delete forwarded.connection;
    const upstream = request(
      { host: origin.hostname, port: origin.port, method: req.method, path: req.url, headers: forwarded, agent },
      (answer) => {
        const headers: IncomingHttpHeaders = { ...answer.headers };
        delete headers.connection;
        delete headers['keep-alive'];
        res.writeHead(answer.statusCode ?? 502, { ...headers, ...cloudFrontHeaders() });
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(502, { 'content-type': 'application/json', ...cloudFrontHeaders() });
      res.end(JSON.stringify({ message: 'CloudFront could not reach the origin' }));
    });
    // A viewer that gives up should not leave the origin request behind.
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
}

const INBOX_PATH = '/inbox';
const MAGIC_LINK_PATH = /^\/m\/([A-Za-z0-9_-]{1,64})$/;
const MAX_FORM_BYTES = 16 * 1024;
const CALLBACK_TIMEOUT_MS = 10_000;
/** Enough of a failing callback's answer to say why, without pasting a whole error page. */
const CALLBACK_BODY_SHOWN = 500;

interface InboxState {
  events: SccSimEvent[];
  magicLinks: Map<string, MagicLinkTarget>;
  answers: Map<string, SccCrewAnswer>;
  messages: SccInboxMessage[];
  callback?: SccCallback;
}

type InboxHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

interface CrewInbox {
  handle: InboxHandler;
  /** Each link is answered as a click in the inbox would; failed deliveries stay on their pages. */
  answerLinks(links: SccMagicLink[], response: CrewAnswer): Promise<void>;
}

/**
 * jsonServer owns the API's single request listener; the crew inbox answers HTML and form posts,
 * which that listener cannot, so its pages are taken off before the JSON API (and its faults and
 * counters, which tests assert on) ever see them.
 */
function routeCrewInbox(api: Server, inbox: InboxHandler): void {
  const json = api.listeners('request') as RequestListener[];
  api.removeAllListeners('request');
  api.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (inbox(req, res)) return;
    for (const listener of json) listener(req, res);
  });
}

/**
 * The crew's side of SCC: an inbox listing every event with each member's magic link, and the page
 * behind a link where the member accepts or declines. An answer is reported to the callback as SCC
 * does (JSON, X-Service-Key), and the page shows the callback's status so a broken callback is seen.
 * The first answer per link is kept, as the workflow keeps it; posting again re-sends that answer
 * only when its last delivery failed. A retired link (replaced after the times moved, its member
 * taken off, its event cancelled) takes no answer: 410, with the reason.
 */
function crewInbox(state: InboxState): CrewInbox {
  const eventOf = (target: MagicLinkTarget): SccSimEvent | undefined =>
    state.events.find((e) => e.id === target.eventId);

  const deliver = async (answer: SccCrewAnswer, externalId: string): Promise<SccCrewAnswer['delivery']> => {
    if (!state.callback) return { skipped: 'no callback is configured: the answer is recorded here only' };
    try {
      const res = await fetch(state.callback.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-service-key': state.callback.serviceKey },
        body: JSON.stringify({
          workflowId: externalId,
          crewId: answer.crewId,
          response: answer.response,
          respondedAt: answer.respondedAt,
        }),
        signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
      });
      return { status: res.status, body: (await res.text()).slice(0, CALLBACK_BODY_SHOWN) };
    } catch (err) {
      return { error: `${state.callback.url} could not be reached: ${failureReason(err)}` };
    }
  };

  const answer = async (token: string, target: MagicLinkTarget, form: URLSearchParams): Promise<HtmlReply> => {
    const event = eventOf(target);
    if (!event) return notFound();
    if (target.retired) return { status: 410, html: linkPage(event, token, target, state.answers.get(token)) };
    const response = form.get('response');
    const previous = state.answers.get(token);
    if (previous && !deliveryFailed(previous)) return { status: 200, html: linkPage(event, token, target, previous) };
    if (!previous && response !== 'accepted' && response !== 'declined') {
      return { status: 400, html: linkPage(event, token, target, undefined, 'Choose Accept or Decline.') };
    }
    const recorded: SccCrewAnswer = previous ?? {
      eventId: event.id,
      crewId: target.crewId,
      response: response as CrewAnswer,
      respondedAt: new Date().toISOString(),
      delivery: { error: 'not sent yet' },
    };
    state.answers.set(token, recorded);
    recorded.delivery = await deliver(recorded, event.external_id);
    return { status: deliveryFailed(recorded) ? 502 : 200, html: linkPage(event, token, target, recorded) };
  };

  const route = async (req: IncomingMessage, path: string): Promise<HtmlReply> => {
    if (path === INBOX_PATH) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed('GET');
      return { status: 200, html: inboxPage(state) };
    }
    const token = MAGIC_LINK_PATH.exec(path)?.[1];
    const target = token === undefined ? undefined : state.magicLinks.get(token);
    if (token === undefined || target === undefined) return notFound();
    if (req.method === 'POST') {
      const raw = await readBody(req, MAX_FORM_BYTES);
      const form = raw === undefined ? undefined : new URLSearchParams(raw);
      return form
        ? answer(token, target, form)
        : { status: 413, html: page('Too large', '<p>The form is too large.</p>') };
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed('GET, POST');
    const event = eventOf(target);
    return event ? { status: 200, html: linkPage(event, token, target, state.answers.get(token)) } : notFound();
  };

  const answerLinks = async (links: SccMagicLink[], response: CrewAnswer): Promise<void> => {
    const form = new URLSearchParams({ response });
    await Promise.all(
      links.map(async (link) => {
        const token = tokenOf(link.url);
        const target = state.magicLinks.get(token);
        if (target) await answer(token, target, form);
      }),
    );
  };

  const handle: InboxHandler = (req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path !== INBOX_PATH && !path.startsWith('/m/')) return false;
    route(req, path)
      .then((reply) => sendHtml(res, reply, req.method === 'HEAD'))
      .catch((err: unknown) =>
        sendHtml(res, { status: 500, html: page('Error', `<p>${escapeHtml(String(err))}</p>`) }, false),
      );
    return true;
  };
  return { handle, answerLinks };
}

/**
 * fetch says only "fetch failed"; its cause (ECONNREFUSED, a timeout) is what tells someone what to
 * fix. Read by shape, not instanceof: undici's errors may come from another realm (jest's sandbox).
 */
function failureReason(err: unknown): string {
  const { message, cause } = (typeof err === 'object' && err !== null ? err : {}) as {
    message?: unknown;
    cause?: { message?: unknown };
  };
  if (typeof cause?.message === 'string') return cause.message;
  return typeof message === 'string' ? message : String(err);
}

interface HtmlReply {
  status: number;
  html: string;
  headers?: OutgoingHttpHeaders;
}

function deliveryFailed({ delivery }: SccCrewAnswer): boolean {
  return 'error' in delivery || ('status' in delivery && (delivery.status < 200 || delivery.status > 299));
}

function sendHtml(res: ServerResponse, reply: HtmlReply, headOnly: boolean): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(reply.status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(reply.html),
    'cache-control': 'no-store',
    // The pages need no script, and the only form posts back to this stand-in.
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    ...reply.headers,
  });
  res.end(headOnly ? undefined : reply.html);
}

function notFound(): HtmlReply {
  return { status: 404, html: page('Not found', `<p>No such magic link. <a href="${INBOX_PATH}">Crew inbox</a></p>`) };
}

function methodNotAllowed(allow: string): HtmlReply {
  return { status: 405, html: page('Method not allowed', `<p>Use ${escapeHtml(allow)}.</p>`), headers: { allow } };
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · SCC stand-in</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
.when{white-space:nowrap}.accepted{color:#06622b}.declined{color:#9b1c1c}.failed{color:#9b1c1c;font-weight:bold}
button{font-size:1rem;padding:.5rem 1.5rem;margin-right:1rem}pre{white-space:pre-wrap;background:#f4f4f4;padding:.5rem}</style>
</head><body>
<p><small>ShipCaptainCrew stand-in</small></p>
<h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}

function tokenOf(url: string): string {
  return url.slice(url.lastIndexOf('/m/') + 3);
}

function answerText(answer: SccCrewAnswer | undefined): string {
  if (!answer) return 'no answer yet';
  const note = deliveryFailed(answer) ? ' <span class="failed">(not delivered)</span>' : '';
  return `<span class="${answer.response}">${escapeHtml(answer.response)}</span> at ${escapeHtml(answer.respondedAt)}${note}`;
}

const MESSAGE_TEXT: Record<SccInboxMessage['kind'], string> = {
  invitation: 'You are asked to crew this charter',
  're-ask': "The charter's times changed: please answer again",
  reminder: 'Reminder: please answer',
  removed: 'You are no longer on this charter',
  cancelled: 'This charter has been cancelled',
};

const RETIRED_TEXT: Record<NonNullable<MagicLinkTarget['retired']>, string> = {
  superseded: "The charter's times changed and you were sent a new link: answer there (see the crew inbox).",
  removed: 'You are no longer on this charter.',
  cancelled: 'This charter has been cancelled.',
};

function inboxPage(state: InboxState): string {
  if (state.events.length === 0)
    return page('Crew inbox', '<p>No events yet. Post a booking (<code>npm run demo</code>) and reload.</p>');
  const rows = [...state.events].reverse().map((event) => {
    const crew = event.magic_links
      .map((link) => {
        const role = event.crew.find((c) => c.id === link.crew_id)?.role;
        return `<li><a href="${escapeAttr(link.url)}">${escapeHtml(link.crew_id)}</a>${role ? ` (${escapeHtml(role)})` : ''}: ${answerText(state.answers.get(tokenOf(link.url)))}</li>`;
      })
      .join('');
    const cancelled = event.cancelledAt
      ? `<br><span class="failed">cancelled at ${escapeHtml(event.cancelledAt)}</span>`
      : '';
    return `<tr><td><strong>${escapeHtml(event.event_name)}</strong><br><small>${escapeHtml(event.id)} · ${escapeHtml(event.external_id)}</small>${cancelled}</td>
<td class="when">${escapeHtml(event.start_time)}<br>${escapeHtml(event.end_time)}</td><td><ul>${crew}</ul></td>
<td><ol reversed>${messagesOf(state, event).join('')}</ol></td></tr>`;
  });
  return page(
    'Crew inbox',
    `<p>Every event and each crew member's magic link, newest first, with what SCC sent them (newest first). Open a link to answer as that crew member.</p>
<table><thead><tr><th>Event</th><th>When</th><th>Crew</th><th>Messages</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`,
  );
}

/**
 * A message names its link by the token's end, not as another anchor: the crew list links each live
 * link once, and the demo and its tests find the links there.
 */
function messagesOf(state: InboxState, event: SccSimEvent): string[] {
  return state.messages
    .filter((message) => message.eventId === event.id)
    .reverse()
    .map(
      (message) =>
        `<li class="message ${message.kind}"><small class="when">${escapeHtml(message.at)}</small> to ${escapeHtml(message.crewId)}: ${escapeHtml(MESSAGE_TEXT[message.kind])}${
          message.url ? ` <small>(link …${escapeHtml(tokenOf(message.url).slice(-6))})</small>` : ''
        }</li>`,
    );
}

function linkPage(
  event: SccSimEvent,
  token: string,
  target: MagicLinkTarget,
  answer: SccCrewAnswer | undefined,
  problem?: string,
): string {
  const role = event.crew.find((c) => c.id === target.crewId)?.role;
  const facts = `<table>
<tr><th>Event</th><td>${escapeHtml(event.event_name)}</td></tr>
<tr><th>Starts</th><td>${escapeHtml(event.start_time)}</td></tr>
<tr><th>Ends</th><td>${escapeHtml(event.end_time)}</td></tr>
<tr><th>Crew member</th><td>${escapeHtml(target.crewId)}${role ? ` (${escapeHtml(role)})` : ''}</td></tr>
${event.notes ? `<tr><th>Notes</th><td>${escapeHtml(event.notes)}</td></tr>` : ''}
</table>`;
  const action = `/m/${token}`;
  const form = (buttons: string) => `<form method="post" action="${escapeAttr(action)}">${buttons}</form>`;
  let body: string;
  if (target.retired) {
    body = `<p class="failed">${escapeHtml(RETIRED_TEXT[target.retired])}</p>${answer ? `<p>Your answer: ${answerText(answer)}</p>` : ''}`;
  } else if (!answer) {
    body = `${problem ? `<p class="failed">${escapeHtml(problem)}</p>` : ''}${form(
      '<button name="response" value="accepted">Accept</button><button name="response" value="declined">Decline</button>',
    )}`;
  } else {
    body = `<p>Your answer: ${answerText(answer)}</p>${deliveryText(answer)}${
      deliveryFailed(answer)
        ? form(
            `<input type="hidden" name="response" value="${escapeAttr(answer.response)}"><button>Send again</button>`,
          )
        : ''
    }`;
  }
  return page(`${event.event_name}`, `${facts}\n${body}\n<p><a href="${INBOX_PATH}">Crew inbox</a></p>`);
}

function deliveryText(answer: SccCrewAnswer): string {
  const { delivery } = answer;
  if ('skipped' in delivery) return `<p>${escapeHtml(delivery.skipped)}</p>`;
  if ('error' in delivery) return `<p class="failed">Callback: ${escapeHtml(delivery.error)}</p>`;
  const ok = !deliveryFailed(answer);
  return `<p${ok ? '' : ' class="failed"'}>Callback answered HTTP ${delivery.status}${ok ? '' : ':'}</p>${ok || !delivery.body ? '' : `<pre>${escapeHtml(delivery.body)}</pre>`}`;
}
