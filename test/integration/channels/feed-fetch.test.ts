import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { FEED_LIMITS, FeedError, fetchFeed, parseFeed, type FetchedFeed } from '../../../src/channels/ical-feed';
import { startFeedSim, type FeedSim, type FeedSimEvent } from '../../../sim/feeds';
import { listen, stopServer } from '../../../sim/faults';

/**
 * fetchFeed over real HTTP: against the marketplace stand-in (validators, 304, faults, its control
 * API), and against raw servers for what the stand-in does not do (a body without Content-Length,
 * silence, a redirect, odd content types).
 */

const LABEL = 'Boatsetter feed seabreeze';
/** Feed names stand for the private token a marketplace puts in the URL: never in a message. */
const TOKEN = 'k7Qz93xTbW2mPa8s';
const OPTIONS = { label: LABEL, maxBytes: 64 * 1024, timeoutMs: 5_000 };

const booking = (uid: string, hour = 9): FeedSimEvent => ({
  uid,
  start: `2026-07-18T${String(hour + 4).padStart(2, '0')}:00:00Z`,
  end: `2026-07-18T${String(hour + 8).padStart(2, '0')}:00:00Z`,
  tzid: 'America/New_York',
  summary: 'Boatsetter booking: Jane D.',
  description: 'Renter: Jane Doe\nEmail: jane.doe@example.com\nPhone: +1 305 555 0142',
});

function fetched(result: FetchedFeed): Extract<FetchedFeed, { notModified: false }> {
  if (result.notModified) throw new Error('expected a 200, got notModified');
  return result;
}

/** The FeedError a call rejects with, checked to name the label and never the URL or its token. */
async function feedError(promise: Promise<unknown>, url: string): Promise<FeedError> {
  const err = await promise.then(
    () => {
      throw new Error('expected a FeedError');
    },
    (e: unknown) => e,
  );
  if (!(err instanceof FeedError)) throw err;
  const everything = `${err.message} ${String(err)} ${JSON.stringify(err)} ${err.stack ?? ''}`;
  expect(everything).not.toContain(url);
  expect(everything).not.toContain(TOKEN);
  expect(everything).not.toContain(new URL(url).pathname);
  expect(err.message.startsWith(LABEL)).toBe(true);
  expect(err.cause).toBeUndefined();
  return err;
}

/** A plain node:http server for one test; closed with its connections afterwards. */
const servers: Server[] = [];
async function rawServer(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handle);
  servers.push(server);
  return `${await listen(server)}/feeds/${TOKEN}.ics`;
}

describe('fetchFeed against the marketplace stand-in', () => {
  let sim: FeedSim;
  let name = '';
  let url = '';
  let counter = 0;

  beforeAll(async () => {
    sim = await startFeedSim({ tooLargeBytes: 4 * OPTIONS.maxBytes });
  });
  afterAll(async () => {
    await sim?.stop();
  });
  beforeEach(() => {
    name = `${TOKEN}${++counter}`;
    url = sim.feedUrl(name);
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(stopServer));
  });

  test('200 with validators, then 304 for each validator sent back, and the stand-in counts them', async () => {
    sim.setEvents(name, [booking('bs-4812733@boatsetter.com')]);
    const first = fetched(await fetchFeed(url, {}, OPTIONS));
    expect(first.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(Number.isNaN(Date.parse(first.lastModified ?? ''))).toBe(false);
    expect(parseFeed(first.text, { timeZone: 'America/New_York', maxEvents: 10 }).events).toEqual([
      {
        uid: 'bs-4812733@boatsetter.com',
        start: '2026-07-18T13:00:00Z',
        end: '2026-07-18T17:00:00Z',
        status: 'confirmed',
      },
    ]);

    const validators = { etag: first.etag, lastModified: first.lastModified };
    expect(await fetchFeed(url, validators, OPTIONS)).toEqual({ notModified: true });
    expect(await fetchFeed(url, { etag: first.etag }, OPTIONS)).toEqual({ notModified: true });
    expect(await fetchFeed(url, { lastModified: first.lastModified }, OPTIONS)).toEqual({ notModified: true });
    expect(sim.countersFor(name)).toEqual({ requests: 4, notModified: 3 });
  });

  test('a change is a 200 with a new ETag, even for the validators of the version before', async () => {
    sim.setEvents(name, [booking('bs-1@boatsetter.com')]);
    const before = fetched(await fetchFeed(url, {}, OPTIONS));
    sim.upsertEvent(name, booking('bs-1@boatsetter.com', 10));
    sim.upsertEvent(name, booking('bs-2@boatsetter.com', 14));

    const after = fetched(await fetchFeed(url, { etag: before.etag, lastModified: before.lastModified }, OPTIONS));
    expect(after.etag).not.toBe(before.etag);
    // Two changes within a second still move Last-Modified, so If-Modified-Since alone sees them.
    expect(Date.parse(after.lastModified ?? '')).toBeGreaterThan(Date.parse(before.lastModified ?? ''));
    fetched(await fetchFeed(url, { lastModified: before.lastModified }, OPTIONS));
    const feed = parseFeed(after.text, { timeZone: 'America/New_York', maxEvents: 10 });
    expect(feed.events.map((e) => [e.uid, e.start])).toEqual([
      ['bs-1@boatsetter.com', '2026-07-18T14:00:00Z'],
      ['bs-2@boatsetter.com', '2026-07-18T18:00:00Z'],
    ]);
    expect(after.text).toMatch(/UID:bs-1@boatsetter.com\r\nDTSTAMP:\d{8}T\d{6}Z\r\nSEQUENCE:1\r\n/);

    sim.removeEvent(name, 'bs-1@boatsetter.com');
    const removed = fetched(await fetchFeed(url, { etag: after.etag }, OPTIONS));
    expect(parseFeed(removed.text, { timeZone: 'UTC', maxEvents: 10 }).events.map((e) => e.uid)).toEqual([
      'bs-2@boatsetter.com',
    ]);
  });

  test('writing the same events again changes nothing: the same ETag, a 304', async () => {
    const events = [booking('bs-1@boatsetter.com'), booking('bs-2@boatsetter.com', 14)];
    sim.setEvents(name, events);
    const first = fetched(await fetchFeed(url, {}, OPTIONS));
    sim.setEvents(
      name,
      events.map((e) => ({ ...e })),
    );
    sim.upsertEvent(name, { ...booking('bs-1@boatsetter.com') });
    expect(await fetchFeed(url, { etag: first.etag, lastModified: first.lastModified }, OPTIONS)).toEqual({
      notModified: true,
    });
    expect(() => sim.upsertEvent(name, { ...booking('bs-3'), end: '2026-07-18T12:00:00Z' })).toThrow(RangeError);
    expect(() => sim.upsertEvent(name, { ...booking('bs-3'), tzid: 'Atlantis/Capital' })).toThrow(RangeError);
    expect(() => sim.upsertEvent(name, { ...booking(''), uid: '' })).toThrow(RangeError);
    expect(sim.events(name).map((e) => e.uid)).toEqual(['bs-1@boatsetter.com', 'bs-2@boatsetter.com']);
  });

  test('the export is what an exporter writes: CRLF, folded, PRODID, VTIMEZONE, the guest in SUMMARY', async () => {
    sim.setEvents(name, [booking('bs-1@boatsetter.com'), { ...booking('bs-2@boatsetter.com'), tzid: 'Europe/Paris' }]);
    const res = await fetch(url);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const text = await res.text();
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(text).toMatch(/\r\n [^\r\n]/);
    expect(text).toContain('PRODID:-//Boatsetter//Calendar Export//EN\r\n');
    expect(text).toContain('BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n');
    // A zone the stand-in has no definition for is a bare TZID, as some exporters write it.
    expect(text).not.toContain('TZID:Europe/Paris');
    expect(text).toContain('DTSTART;TZID=Europe/Paris:20260718T150000\r\n');
    expect(text).toContain('SUMMARY:Boatsetter booking: Jane D.\r\n');
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    const feed = parseFeed(text, { timeZone: 'America/New_York', maxEvents: 10 });
    expect(feed.events.map((e) => e.start)).toEqual(['2026-07-18T13:00:00Z', '2026-07-18T13:00:00Z']);
    expect(JSON.stringify(feed)).not.toMatch(/Jane|jane|555/);

    const head = await fetch(url, { method: 'HEAD' });
    expect([head.status, head.headers.get('etag'), await head.text()]).toEqual([200, res.headers.get('etag'), '']);
  });

  test('a 500 is FeedError http, retryable; an unknown feed (404) is not', async () => {
    sim.setEvents(name, [booking('bs-1@boatsetter.com')]);
    sim.setFault(name, 'status-500');
    expect(await feedError(fetchFeed(url, {}, OPTIONS), url)).toMatchObject({
      kind: 'http',
      status: 500,
      retryable: true,
      message: `${LABEL} answered 500`,
    });
    sim.setFault(name, undefined);
    fetched(await fetchFeed(url, {}, OPTIONS));

    const unknown = sim.feedUrl(`${TOKEN}unknown`);
    expect(await feedError(fetchFeed(unknown, {}, OPTIONS), unknown)).toMatchObject({
      kind: 'http',
      status: 404,
      retryable: false,
    });
  });

  test('an HTML page with a 200 is fetched, and is FeedError invalid to parse', async () => {
    sim.setEvents(name, [booking('bs-1@boatsetter.com')]);
    sim.setFault(name, 'garbage');
    const page = fetched(await fetchFeed(url, {}, OPTIONS));
    expect(page.text).toMatch(/^<!DOCTYPE html>/);
    const err = (() => {
      try {
        parseFeed(page.text, { timeZone: 'UTC', maxEvents: 10, label: LABEL });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(FeedError);
    expect(err).toMatchObject({ kind: 'invalid', retryable: false });
  });

  test('an export over maxBytes is refused from its Content-Length, at our limit and at the real one', async () => {
    sim.setEvents(name, [booking('bs-1@boatsetter.com')]);
    sim.setFault(name, 'too-large');
    expect(await feedError(fetchFeed(url, {}, OPTIONS), url)).toMatchObject({ kind: 'too-large', retryable: false });

    const big = await startFeedSim();
    try {
      big.setEvents(name, [booking('bs-1@boatsetter.com')]);
      big.setFault(name, 'too-large');
      const bigUrl = big.feedUrl(name);
      const options = { ...OPTIONS, maxBytes: FEED_LIMITS.maxBytes };
      expect(await feedError(fetchFeed(bigUrl, {}, options), bigUrl)).toMatchObject({
        kind: 'too-large',
        message: `${LABEL} is larger than ${FEED_LIMITS.maxBytes} bytes`,
      });
    } finally {
      await big.stop();
    }
  });

  test('the control API edits feeds from another process; bad input is a 400 with the error', async () => {
    const control = (method: string, path: string, body?: unknown) =>
      fetch(`${sim.url}/feeds/${name}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
    const uid = encodeURIComponent('bs-4812733@boatsetter.com');
    const { start, end, tzid, summary, description } = booking('bs-4812733@boatsetter.com');
    const event = { start, end, tzid, summary, description };

    expect((await control('PUT', `/events/${uid}`, event)).status).toBe(201);
    const first = fetched(await fetchFeed(url, {}, OPTIONS));
    expect(parseFeed(first.text, { timeZone: 'UTC', maxEvents: 10 }).events.map((e) => e.uid)).toEqual([
      'bs-4812733@boatsetter.com',
    ]);
    const moved = { ...event, start: '2026-07-18T14:00:00Z', end: '2026-07-18T18:00:00Z' };
    expect((await control('PUT', `/events/${uid}`, moved)).status).toBe(200);
    expect(sim.events(name)).toEqual([{ ...moved, uid: 'bs-4812733@boatsetter.com' }]);
    const second = fetched(await fetchFeed(url, { etag: first.etag }, OPTIONS));
    expect(parseFeed(second.text, { timeZone: 'UTC', maxEvents: 10 }).events[0]?.start).toBe('2026-07-18T14:00:00Z');

    expect((await control('PUT', '/fault', { fault: 'status-500' })).status).toBe(200);
    expect(await feedError(fetchFeed(url, {}, OPTIONS), url)).toMatchObject({ status: 500 });
    expect((await control('PUT', '/fault', { fault: null })).status).toBe(200);

    expect((await control('DELETE', `/events/${uid}`)).status).toBe(204);
    expect((await control('DELETE', `/events/${uid}`)).status).toBe(404);
    const emptied = fetched(await fetchFeed(url, { etag: second.etag }, OPTIONS));
    expect(parseFeed(emptied.text, { timeZone: 'UTC', maxEvents: 10 }).events).toEqual([]);

    const refused: [string, string, unknown][] = [
      ['PUT', `/events/${uid}`, '{"start": '],
      ['PUT', `/events/${uid}`, undefined],
      ['PUT', `/events/${uid}`, { ...event, start: undefined }],
      ['PUT', `/events/${uid}`, { ...event, start: '2026-07-18 13:00' }],
      ['PUT', `/events/${uid}`, { ...event, end: event.start }],
      ['PUT', `/events/${uid}`, { ...event, tzid: 'Mars/Olympus_Mons' }],
      ['PUT', `/events/${uid}`, { ...event, colour: 'blue' }],
      ['PUT', `/events/${uid}`, { ...event, uid: 'another@boatsetter.com' }],
      ['PUT', '/fault', { fault: 'slow' }],
      ['PUT', '/fault', {}],
      ['PUT', '/events/%E0%A4%A', event],
    ];
    for (const [method, path, body] of refused) {
      const res = await control(method, path, body);
      expect([method, path, res.status]).toEqual([method, path, 400]);
      expect(await res.json()).toMatchObject({ error: expect.any(String) });
    }
    expect(sim.events(name)).toEqual([]);
  });
});

describe('fetchFeed against servers that misbehave', () => {
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(stopServer));
  });

  test('a body without Content-Length is cut off as soon as it passes maxBytes', async () => {
    let written = 0;
    let closedAfter: number | undefined;
    const url = await rawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/calendar' });
      res.on('close', () => (closedAfter ??= written));
      const chunk = Buffer.alloc(16 * 1024, 'X');
      // 64 MiB, with backpressure: a client that reads it all would take it all.
      const pump = (): void => {
        while (written < 64 * 1024 * 1024 && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    expect(await feedError(fetchFeed(url, {}, OPTIONS), url)).toMatchObject({ kind: 'too-large', retryable: false });
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Socket buffers hold a few MiB at most; the rest was never sent.
    expect(closedAfter).toBeDefined();
    expect(closedAfter).toBeLessThan(16 * 1024 * 1024);
  });

  test('a Content-Length over maxBytes is refused before any of the body is waited for', async () => {
    const url = await rawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/calendar', 'content-length': String(OPTIONS.maxBytes + 1) });
      // Then nothing: a client that waited for the body would time out instead.
      res.write('BEGIN:VCALENDAR\r\n');
    });
    const started = Date.now();
    expect(await feedError(fetchFeed(url, {}, { ...OPTIONS, timeoutMs: 2_000 }), url)).toMatchObject({
      kind: 'too-large',
    });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  test('a server that never answers is FeedError network, retryable, after timeoutMs', async () => {
    const url = await rawServer(() => undefined);
    const started = Date.now();
    expect(await feedError(fetchFeed(url, {}, { ...OPTIONS, timeoutMs: 300 }), url)).toMatchObject({
      kind: 'network',
      retryable: true,
      message: `${LABEL} did not answer within 300 ms`,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  test('a body that stops halfway is FeedError network after timeoutMs too', async () => {
    const url = await rawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/calendar' });
      res.write('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n');
    });
    expect(await feedError(fetchFeed(url, {}, { ...OPTIONS, timeoutMs: 300 }), url)).toMatchObject({
      kind: 'network',
      retryable: true,
    });
  });

  test('nobody listening is FeedError network with the reason', async () => {
    const url = await rawServer(() => undefined);
    await Promise.all(servers.splice(0).map(stopServer));
    expect(await feedError(fetchFeed(url, {}, OPTIONS), url)).toMatchObject({
      kind: 'network',
      retryable: true,
      message: `${LABEL} is unreachable (ECONNREFUSED)`,
    });
  });

  test('a 429 is retryable, a 401 is not', async () => {
    let status = 429;
    const url = await rawServer((_req, res) => res.writeHead(status).end());
    expect(await feedError(fetchFeed(url, {}, OPTIONS), url)).toMatchObject({ status: 429, retryable: true });
    status = 401;
    expect(await feedError(fetchFeed(url, {}, OPTIONS), url)).toMatchObject({ status: 401, retryable: false });
  });

  test('the caller giving up stops the request with the caller’s reason, not a FeedError', async () => {
    const url = await rawServer(() => undefined);
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    setTimeout(() => controller.abort(reason), 50);
    await expect(fetchFeed(url, {}, { ...OPTIONS, signal: controller.signal })).rejects.toBe(reason);
  });

  test('any content type is read as UTF-8; a redirect is followed', async () => {
    const body = 'BEGIN:VCALENDAR\r\nX-WR-CALNAME:José’s boat\r\nEND:VCALENDAR\r\n';
    const url = await rawServer((req, res) => {
      if (req.url?.endsWith('.ics')) return void res.writeHead(302, { location: '/export/calendar' }).end();
      res.writeHead(200, { 'content-type': 'application/octet-stream; charset=iso-8859-1' }).end(body);
    });
    expect(fetched(await fetchFeed(url, {}, OPTIONS)).text).toBe(body);
  });

  test('a URL that is not http(s) is refused without being repeated', async () => {
    const url = `ftp://boatsetter.example/feeds/${TOKEN}.ics`;
    expect(await feedError(fetchFeed(url, {}, OPTIONS), url)).toMatchObject({ kind: 'http', retryable: false });
    const garbled = `not a url ${TOKEN}`;
    const err = await fetchFeed(garbled, {}, OPTIONS).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'http', retryable: false });
    expect(String((err as Error).message)).not.toContain(TOKEN);
  });
});
