import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import ICAL from 'ical.js';
import { z } from 'zod';
import { FEED_LIMITS } from '../src/channels/ical-feed';
import { isKnownTimeZone, wallClockFieldsAt } from '../src/domain/wall-clock';
import { headerValue, invalidBody, listen, readBody, stopServer, type SimReply } from './faults';

/**
 * Local stand-in for Boatsetter's and GetMyBoat's calendar exports: `GET /feeds/{name}.ics`, with the
 * validators a CDN in front of a real export gives (a strong ETag that changes with the content, a
 * Last-Modified) and 304 for a client that sends them back. Events live in memory per feed, written
 * by tests through the methods below or, from another process (the demo), through a small control
 * API: `PUT /feeds/{name}/events/{uid}` (JSON event), `DELETE /feeds/{name}/events/{uid}`,
 * `PUT /feeds/{name}/fault` (`{"fault": "status-500" | "garbage" | "too-large" | null}`).
 *
 * The .ics is ical.js's own serialization, as a marketplace's exporter writes it: CRLF, folded lines,
 * a VTIMEZONE for the zones it knows, and SUMMARY/DESCRIPTION with the guest's details, which a
 * reader of the feed must never pass on.
 */

/** One booking as the marketplace holds it. `start`/`end` are instants; `tzid` is how the export writes them. */
export interface FeedSimEvent {
  uid: string;
  start: string;
  end: string;
  summary?: string;
  description?: string;
  /** Written as `DTSTART;TZID=...` wall-clock time in this IANA zone; UTC (`...Z`) without it. */
  tzid?: string;
  /** STATUS; absent writes CONFIRMED. A marketplace that keeps cancelled bookings shows them as CANCELLED. */
  status?: 'confirmed' | 'tentative' | 'cancelled';
}

/** How a feed misbehaves: the marketplace down, an HTML page instead of the calendar, an export past our limit. */
export type FeedFault = 'status-500' | 'garbage' | 'too-large';

export interface FeedCounters {
  /** GETs (and HEADs) of .ics files, including those answered 304 or with a fault. */
  requests: number;
  notModified: number;
}

export interface FeedSimOptions {
  port?: number;
  /** PRODID of every feed; Boatsetter's unless given. */
  prodId?: string;
  /** Size of the 'too-large' answer (with Content-Length); FEED_LIMITS.maxBytes + 1 unless given. */
  tooLargeBytes?: number;
}

export interface FeedSim {
  url: string;
  /** `{url}/feeds/{name}.ics` */
  feedUrl(name: string): string;
  /** Replaces the feed's events; an event whose details changed gets the next SEQUENCE. */
  setEvents(name: string, events: FeedSimEvent[]): void;
  upsertEvent(name: string, event: FeedSimEvent): void;
  /** True when the event was there: the marketplace dropped a cancelled booking from its export. */
  removeEvent(name: string, uid: string): boolean;
  setFault(name: string, fault: FeedFault | undefined): void;
  /** The feed's events as the export lists them now. */
  events(name: string): FeedSimEvent[];
  /** All feeds together, and one feed's. */
  counters: FeedCounters;
  countersFor(name: string): FeedCounters;
  stop(): Promise<void>;
}

const FEED_NAME = /^[A-Za-z0-9_-]{1,100}$/;
const FEED_PATH = /^\/feeds\/([^/]+)\.ics$/;
const EVENT_PATH = /^\/feeds\/([^/]+)\/events\/([^/]+)$/;
const FAULT_PATH = /^\/feeds\/([^/]+)\/fault$/;
const MAX_CONTROL_BODY_BYTES = 64 * 1024;

const instant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/, 'must be ISO-8601 with an offset')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'is not a real date and time');

const EventBodySchema = z
  .object({
    uid: z.string().optional(),
    start: instant,
    end: instant,
    summary: z.string().max(1000).optional(),
    description: z.string().max(10_000).optional(),
    tzid: z.string().refine(isKnownTimeZone, 'must be an IANA time zone').optional(),
    status: z.enum(['confirmed', 'tentative', 'cancelled']).optional(),
  })
  .strict()
  .refine((e) => Date.parse(e.end) > Date.parse(e.start), { message: 'must end after it starts', path: ['end'] });

const FaultBodySchema = z.object({ fault: z.enum(['status-500', 'garbage', 'too-large']).nullable() }).strict();

interface StoredEvent {
  event: FeedSimEvent;
  sequence: number;
  /** DTSTAMP: when this version was written, so an unchanged feed serializes to the same bytes. */
  stampMs: number;
}

interface Feed {
  events: Map<string, StoredEvent>;
  fault?: FeedFault;
  /** Whole seconds, as HTTP dates carry them. */
  modifiedSec: number;
  /** The serialized export and its ETag, until the next change. */
  body?: { text: string; etag: string };
  counters: FeedCounters;
}

export async function startFeedSim(options: FeedSimOptions = {}): Promise<FeedSim> {
  const prodId = options.prodId ?? '-//Boatsetter//Calendar Export//EN';
  const tooLargeBytes = options.tooLargeBytes ?? FEED_LIMITS.maxBytes + 1;
  const feeds = new Map<string, Feed>();
  const counters: FeedCounters = { requests: 0, notModified: 0 };

  const feedOf = (name: string): Feed => {
    if (!FEED_NAME.test(name)) throw new RangeError(`feed name ${JSON.stringify(name)} must match ${FEED_NAME}`);
    let feed = feeds.get(name);
    if (!feed) {
      feed = { events: new Map(), modifiedSec: 0, counters: { requests: 0, notModified: 0 } };
      touch(feed);
      feeds.set(name, feed);
    }
    return feed;
  };

  const put = (feed: Feed, event: FeedSimEvent): void => {
    if (!event.uid) throw new RangeError('an event needs a UID');
    const parsed = EventBodySchema.safeParse(event);
    if (!parsed.success) throw new RangeError(`event ${event.uid}: ${issues(parsed.error)}`);
    const previous = feed.events.get(event.uid);
    if (previous && JSON.stringify(previous.event) === JSON.stringify(event)) return;
    touch(feed);
    feed.events.set(event.uid, {
      event: { ...event },
      sequence: previous ? previous.sequence + 1 : 0,
      stampMs: feed.modifiedSec * 1000,
    });
  };

  const sim: Omit<FeedSim, 'url' | 'feedUrl' | 'stop'> = {
    setEvents(name, events) {
      const feed = feedOf(name);
      const uids = new Set(events.map((e) => e.uid));
      for (const uid of [...feed.events.keys()]) if (!uids.has(uid)) sim.removeEvent(name, uid);
      for (const event of events) put(feed, event);
    },
    upsertEvent(name, event) {
      put(feedOf(name), event);
    },
    removeEvent(name, uid) {
      const feed = feedOf(name);
      if (!feed.events.delete(uid)) return false;
      touch(feed);
      return true;
    },
    setFault(name, fault) {
      feedOf(name).fault = fault;
    },
    events(name) {
      return [...(feeds.get(name)?.events.values() ?? [])].map((stored) => ({ ...stored.event }));
    },
    counters,
    countersFor(name) {
      return { ...(feeds.get(name)?.counters ?? { requests: 0, notModified: 0 }) };
    },
  };

  const serveFeed = (req: IncomingMessage, res: ServerResponse, name: string): void => {
    const feed = feeds.get(name);
    // A feed nobody wrote is a URL the marketplace does not know (a revoked or mistyped token).
    if (!feed) return sendJson(res, { status: 404, body: { error: 'no such calendar' } });
    counters.requests++;
    feed.counters.requests++;
    const headOnly = req.method === 'HEAD';
    if (feed.fault === 'status-500') {
      return sendText(res, 500, 'text/plain; charset=utf-8', 'Internal Server Error', {}, headOnly);
    }
    if (feed.fault === 'garbage') {
      return sendText(res, 200, 'text/html; charset=utf-8', MAINTENANCE_PAGE, {}, headOnly);
    }
    if (feed.fault === 'too-large') {
      return sendText(res, 200, 'text/calendar; charset=utf-8', oversized(tooLargeBytes), {}, headOnly);
    }
    feed.body ??= serialize(feed, prodId);
    const validators = {
      etag: feed.body.etag,
      'last-modified': new Date(feed.modifiedSec * 1000).toUTCString(),
      'cache-control': 'private, max-age=0, must-revalidate',
    };
    if (notModified(req, feed)) {
      counters.notModified++;
      feed.counters.notModified++;
      res.writeHead(304, validators);
      return void res.end();
    }
    sendText(res, 200, 'text/calendar; charset=utf-8', feed.body.text, validators, headOnly);
  };

  const control = (method: string, path: string, body: unknown): SimReply => {
    const eventMatch = EVENT_PATH.exec(path);
    const faultMatch = FAULT_PATH.exec(path);
    const name = decoded(eventMatch?.[1] ?? faultMatch?.[1]);
    if (name === undefined || !FEED_NAME.test(name)) return { status: 404, body: { error: `no route ${path}` } };
    if (faultMatch) {
      if (method !== 'PUT') return notAllowed(method, 'PUT');
      const parsed = FaultBodySchema.safeParse(body);
      if (!parsed.success) return invalidBody(parsed.error);
      sim.setFault(name, parsed.data.fault ?? undefined);
      return { status: 200, body: { feed: name, fault: parsed.data.fault } };
    }
    const uid = decoded(eventMatch?.[2]);
    if (uid === undefined || uid === '') return { status: 400, body: { error: 'the event UID does not decode' } };
    if (method === 'DELETE') {
      return sim.removeEvent(name, uid)
        ? { status: 204, body: undefined }
        : { status: 404, body: { error: `no event ${uid} in feed ${name}` } };
    }
    if (method !== 'PUT') return notAllowed(method, 'PUT, DELETE');
    const parsed = EventBodySchema.safeParse(body);
    if (!parsed.success) return invalidBody(parsed.error);
    if (parsed.data.uid !== undefined && parsed.data.uid !== uid) {
      return { status: 400, body: { error: 'the body names another UID than the path', fields: ['uid'] } };
    }
    const existed = feeds.get(name)?.events.has(uid) ?? false;
    sim.upsertEvent(name, { ...parsed.data, uid });
    return { status: existed ? 200 : 201, body: { feed: name, event: { ...parsed.data, uid } } };
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const feedName = decoded(FEED_PATH.exec(url.pathname)?.[1]);
    if (feedName !== undefined) {
      if (method !== 'GET' && method !== 'HEAD') return sendJson(res, notAllowed(method, 'GET, HEAD'));
      return serveFeed(req, res, feedName);
    }
    readBody(req, MAX_CONTROL_BODY_BYTES)
      .then((raw) => {
        if (raw === undefined) {
          return sendJson(res, { status: 413, body: { error: `body exceeds ${MAX_CONTROL_BODY_BYTES} bytes` } });
        }
        const body = parseJson(raw);
        if (body === INVALID_JSON) return sendJson(res, { status: 400, body: { error: 'the body is not JSON' } });
        sendJson(res, control(method, url.pathname, body));
      })
      .catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, { status: 500, body: { error: `stand-in failed: ${String(err)}` } });
        else res.destroy();
      });
  });
  const url = await listen(server, options.port);

  return {
    ...sim,
    url,
    feedUrl: (name) => `${url}/feeds/${encodeURIComponent(name)}.ics`,
    stop: () => stopServer(server),
  };
}

/**
 * A change moves Last-Modified on by at least a second: HTTP dates have whole seconds, and two changes
 * within one would leave a client holding the first one's date with a 304 for the second.
 */
function touch(feed: Feed): void {
  feed.modifiedSec = Math.max(Math.floor(Date.now() / 1000), feed.modifiedSec + 1);
  feed.body = undefined;
}

/** RFC 9110 13.1.2-3: If-None-Match (weak comparison) decides when sent; If-Modified-Since only without it. */
function notModified(req: IncomingMessage, feed: Feed): boolean {
  const etag = feed.body?.etag;
  const ifNoneMatch = headerValue(req.headers, 'if-none-match');
  if (ifNoneMatch !== undefined) {
    const tags = ifNoneMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
    return tags.includes('*') || (etag !== undefined && tags.includes(etag));
  }
  const since = Date.parse(headerValue(req.headers, 'if-modified-since') ?? '');
  return !Number.isNaN(since) && feed.modifiedSec * 1000 <= since;
}

function serialize(feed: Feed, prodId: string): { text: string; etag: string } {
  const calendar = new ICAL.Component('vcalendar');
  calendar.addPropertyWithValue('prodid', prodId);
  calendar.addPropertyWithValue('version', '2.0');
  calendar.addPropertyWithValue('calscale', 'GREGORIAN');
  calendar.addPropertyWithValue('method', 'PUBLISH');
  const zones = new Set([...feed.events.values()].flatMap((stored) => stored.event.tzid ?? []));
  // A zone the stand-in has no definition for is written as a bare TZID, as sloppy exporters do.
  for (const zone of zones) {
    const definition = VTIMEZONES[zone];
    if (definition) calendar.addSubcomponent(new ICAL.Component(ICAL.parse(definition) as unknown[]));
  }
  for (const { event, sequence, stampMs } of feed.events.values()) {
    const vevent = new ICAL.Component('vevent');
    vevent.addPropertyWithValue('uid', event.uid);
    vevent.addPropertyWithValue('dtstamp', ICAL.Time.fromJSDate(new Date(stampMs), true));
    vevent.addPropertyWithValue('sequence', sequence);
    vevent.addProperty(timeProperty('dtstart', event.start, event.tzid));
    vevent.addProperty(timeProperty('dtend', event.end, event.tzid));
    if (event.summary !== undefined) vevent.addPropertyWithValue('summary', event.summary);
    if (event.description !== undefined) vevent.addPropertyWithValue('description', event.description);
    vevent.addPropertyWithValue('status', (event.status ?? 'confirmed').toUpperCase());
    vevent.addPropertyWithValue('transp', 'OPAQUE');
    calendar.addSubcomponent(vevent);
  }
  // ical.js ends the last line without the CRLF RFC 5545 puts after every content line.
  const text = `${calendar.toString()}\r\n`;
  return { text, etag: `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"` };
}

/** `DTSTART;TZID=America/New_York:20260718T090000` when a zone is given, else `DTSTART:20260718T130000Z`. */
function timeProperty(name: string, iso: string, tzid: string | undefined): ICAL.Property {
  const property = new ICAL.Property(name);
  const date = new Date(iso);
  if (tzid === undefined) {
    property.setValue(ICAL.Time.fromJSDate(date, true));
    return property;
  }
  property.setValue(ICAL.Time.fromData({ ...wallClockFieldsAt(date.getTime(), tzid), isDate: false }));
  property.setParameter('tzid', tzid);
  return property;
}

/** A syntactically fine export of `bytes` bytes: an owner's calendar with years of padding in it. */
function oversized(bytes: number): string {
  const head = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Boatsetter//Calendar Export//EN\r\n';
  const tail = 'END:VCALENDAR\r\n';
  const line = `X-PADDING:${'x'.repeat(62)}\r\n`;
  const lines = Math.max(0, Math.ceil((bytes - head.length - tail.length) / line.length));
  return head + line.repeat(lines) + tail;
}

/** What a marketplace serves in place of the export while it is down for maintenance: HTML, with a 200. */
const MAINTENANCE_PAGE =
  '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Boatsetter | Down for maintenance</title>' +
  '</head><body><h1>We&#39;ll be right back</h1><p>Boatsetter is down for scheduled maintenance.</p></body></html>';

/** Definitions the stand-in writes for the zones charters here use; the US rules are those since 2007. */
const VTIMEZONES: Record<string, string> = {
  'America/New_York': vtimezone('America/New_York', ['-0500', '-0400'], ['EST', 'EDT']),
  'America/Los_Angeles': vtimezone('America/Los_Angeles', ['-0800', '-0700'], ['PST', 'PDT']),
  'Pacific/Honolulu': [
    'BEGIN:VTIMEZONE',
    'TZID:Pacific/Honolulu',
    'BEGIN:STANDARD',
    'DTSTART:19700101T000000',
    'TZOFFSETFROM:-1000',
    'TZOFFSETTO:-1000',
    'TZNAME:HST',
    'END:STANDARD',
    'END:VTIMEZONE',
  ].join('\r\n'),
};

function vtimezone(tzid: string, [standard, daylight]: [string, string], [std, dst]: [string, string]): string {
  return [
    'BEGIN:VTIMEZONE',
    `TZID:${tzid}`,
    'BEGIN:DAYLIGHT',
    `TZOFFSETFROM:${standard}`,
    `TZOFFSETTO:${daylight}`,
    `TZNAME:${dst}`,
    'DTSTART:20070311T020000',
    'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU',
    'END:DAYLIGHT',
    'BEGIN:STANDARD',
    `TZOFFSETFROM:${daylight}`,
    `TZOFFSETTO:${standard}`,
    `TZNAME:${std}`,
    'DTSTART:20071104T020000',
    'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU',
    'END:STANDARD',
    'END:VTIMEZONE',
  ].join('\r\n');
}

function issues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(event)'} ${issue.message}`).join('; ');
}

function decoded(segment: string | undefined): string | undefined {
  try {
    return segment === undefined ? undefined : decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function notAllowed(method: string, allow: string): SimReply {
  return { status: 405, body: { error: `${method} not allowed` }, headers: { allow } };
}

const INVALID_JSON = Symbol('invalid JSON');

function parseJson(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return INVALID_JSON;
  }
}

function sendJson(res: ServerResponse, { status, body, headers }: SimReply): void {
  if (body === undefined) {
    res.writeHead(status, { ...headers });
    return void res.end();
  }
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

function sendText(
  res: ServerResponse,
  status: number,
  type: string,
  text: string,
  headers: Record<string, string>,
  headOnly: boolean,
): void {
  const body = Buffer.from(text, 'utf8');
  res.writeHead(status, { 'content-type': type, 'content-length': body.length, ...headers });
  res.end(headOnly ? undefined : body);
}
