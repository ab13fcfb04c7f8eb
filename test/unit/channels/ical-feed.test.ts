import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import ICAL from 'ical.js';
import {
  FEED_LIMITS,
  FeedError,
  feedEventKey,
  parseFeed,
  type FeedErrorKind,
  type ParsedFeed,
} from '../../../src/channels/ical-feed';
import { FEED_CALL } from '../../../src/domain/time-budgets';
import { wallClockFieldsAt } from '../../../src/domain/wall-clock';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'feeds');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

/** A feed of these lines (VEVENTs, VTIMEZONEs), as an exporter writes it: CRLF after every line. */
function calendar(...lines: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Boatsetter//Calendar Export//EN', ...lines, 'END:VCALENDAR', '']
    .join('\r\n')
    .replace(/\r\n\r\n$/, '\r\n');
}

/** One VEVENT with a UID and whatever else is given, as lines for `calendar`. */
function vevent(...lines: string[]): string {
  const uid = lines.some((line) => line.startsWith('UID')) ? [] : ['UID:bs-booking-1@boatsetter.com'];
  return ['BEGIN:VEVENT', ...uid, ...lines, 'END:VEVENT'].join('\r\n');
}

const parse = (text: string, timeZone = 'America/New_York'): ParsedFeed => parseFeed(text, { timeZone, maxEvents: 50 });

/** The one event the feed yields, or the reason it was skipped. */
function onlyEvent(text: string, timeZone?: string) {
  const { events, skipped } = parse(text, timeZone);
  if (events.length !== 1) throw new Error(`expected one event, got ${JSON.stringify({ events, skipped })}`);
  return events[0];
}

function skipReason(text: string, timeZone?: string): string | undefined {
  const { events, skipped } = parse(text, timeZone);
  expect(events).toEqual([]);
  expect(skipped).toHaveLength(1);
  return skipped[0]?.reason;
}

function feedError(run: () => unknown): FeedError {
  try {
    run();
  } catch (err) {
    if (err instanceof FeedError) return err;
    throw err;
  }
  throw new Error('expected a FeedError');
}

/** The America/New_York and America/Los_Angeles VTIMEZONEs of the fixtures, as the exporters wrote them. */
const VTIMEZONES = new Map(
  ['boatsetter.ics', 'getmyboat.ics'].flatMap((name) =>
    new ICAL.Component(ICAL.parse(fixture(name)) as unknown[])
      .getAllSubcomponents('vtimezone')
      .map((zone) => [String(zone.getFirstPropertyValue('tzid')), zone.toString()] as const),
  ),
);
const NEW_YORK = VTIMEZONES.get('America/New_York') ?? '';

/** What must never leave the parser: every SUMMARY, DESCRIPTION and ATTENDEE detail in the fixtures. */
const FIXTURE_PII = [
  'Jane',
  'jane.doe@example.com',
  '305 555 0142',
  "mom's 60th",
  'Marcus',
  'Lindqvist',
  'Priya',
  'Tomasz',
  'Wiśniewski',
  'Amelia',
  '786 555 0199',
  'Olivia Chen',
  'olivia.chen',
  '(310) 555-0117',
  'Kainoa',
  'Diego',
  'Hannah',
  'Noah',
  'Grace Liu',
  'Boatsetter booking',
  'GetMyBoat Trip',
  'Miami Beach Marina',
  'Weekly maintenance',
];

describe('parseFeed: the marketplaces’ exports', () => {
  test('the fixtures are shaped as exports are: CRLF only, folded long lines, VTIMEZONE blocks', () => {
    for (const name of ['boatsetter.ics', 'getmyboat.ics']) {
      const text = fixture(name);
      expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      expect(text).toMatch(/\r\n [^\r\n]/);
      expect(text).toContain('BEGIN:VTIMEZONE');
      expect(text).toContain('SUMMARY:');
      for (const line of text.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(76);
    }
  });

  test('Boatsetter: TZID with its VTIMEZONE, UTC, an all-day block, DURATION over the fall-back night, a request, a cancellation', () => {
    expect(parse(fixture('boatsetter.ics'), 'America/New_York')).toEqual({
      events: [
        // 09:00-13:00 EDT
        {
          uid: 'bs-booking-4812733@boatsetter.com',
          start: '2026-07-18T13:00:00Z',
          end: '2026-07-18T17:00:00Z',
          status: 'confirmed',
        },
        {
          uid: 'bs-booking-4815090@boatsetter.com',
          start: '2026-12-05T17:00:00Z',
          end: '2026-12-05T21:00:00Z',
          status: 'confirmed',
        },
        // Aug 4 and 5, midnight to midnight EDT; DTEND (Aug 6) is the first day not taken.
        { uid: 'bs-block-20260804-7d1f@boatsetter.com', start: '2026-08-04T04:00:00Z', end: '2026-08-06T04:00:00Z' },
        // 18:00 EDT plus eight real hours, which end at 01:00 EST after the clocks went back.
        {
          uid: 'bs-booking-4821877@boatsetter.com',
          start: '2026-10-31T22:00:00Z',
          end: '2026-11-01T06:00:00Z',
          status: 'confirmed',
        },
        {
          uid: 'bs-request-4823310@boatsetter.com',
          start: '2026-08-22T14:00:00Z',
          end: '2026-08-22T18:00:00Z',
          status: 'tentative',
        },
      ],
      skipped: [{ uid: 'bs-booking-4790021@boatsetter.com', reason: 'cancelled (STATUS:CANCELLED)' }],
    });
  });

  test('GetMyBoat: a changed trip (two SEQUENCEs), TZID without VTIMEZONE, floating and all-day times, what is not a booking', () => {
    const feed = parse(fixture('getmyboat.ics'), 'America/Los_Angeles');
    expect(feed.events).toEqual([
      // The SEQUENCE:1 version, 10:00-14:00 PDT, though the SEQUENCE:0 one comes first in the file.
      { uid: 'gmb-trip-5519020', start: '2026-09-12T17:00:00Z', end: '2026-09-12T21:00:00Z', status: 'confirmed' },
      // Pacific/Honolulu has no VTIMEZONE in the file: 08:00-12:00 HST through Intl.
      { uid: 'gmb-trip-5520448', start: '2026-10-03T18:00:00Z', end: '2026-10-03T22:00:00Z', status: 'confirmed' },
      // Floating 15:00-19:00, wall-clock in the boat's zone (PDT).
      { uid: 'gmb-trip-5520913', start: '2026-10-10T22:00:00Z', end: '2026-10-11T02:00:00Z' },
      // All-day Nov 7 without DTEND: one day, PST by then.
      { uid: 'gmb-block-9f3c2a', start: '2026-11-07T08:00:00Z', end: '2026-11-08T08:00:00Z' },
    ]);
    expect(feed.skipped).toEqual([
      { uid: 'gmb-trip-5519020', reason: expect.stringMatching(/^superseded/) },
      { reason: 'no UID' },
      { uid: 'gmb-block-weekly-maintenance', reason: expect.stringMatching(/^recurring \(RRULE or RDATE\)/) },
      { uid: 'gmb-trip-5518002', reason: 'cancelled (STATUS:CANCELLED)' },
      { uid: 'gmb-trip-5521777', reason: expect.stringContaining('"Pacific Standard Time"') },
    ]);
  });

  test('nothing from SUMMARY, DESCRIPTION, LOCATION or ATTENDEE is in what a feed yields', () => {
    const json = JSON.stringify([
      parse(fixture('boatsetter.ics'), 'America/New_York'),
      parse(fixture('getmyboat.ics'), 'America/Los_Angeles'),
    ]);
    for (const text of FIXTURE_PII) expect(json).not.toContain(text);
  });
});

describe('parseFeed: times', () => {
  test('UTC, a TZID with its VTIMEZONE, a TZID alone and a floating time name the same instant', () => {
    const ways = [
      calendar(vevent('DTSTART:20260718T130000Z', 'DTEND:20260718T170000Z')),
      calendar(
        NEW_YORK,
        vevent('DTSTART;TZID=America/New_York:20260718T090000', 'DTEND;TZID=America/New_York:20260718T130000'),
      ),
      calendar(vevent('DTSTART;TZID=America/New_York:20260718T090000', 'DTEND;TZID=America/New_York:20260718T130000')),
      calendar(vevent('DTSTART:20260718T090000', 'DTEND:20260718T130000')),
      calendar(vevent('DTSTART;TZID=UTC:20260718T130000', 'DTEND;TZID=UTC:20260718T170000')),
    ];
    for (const text of ways) {
      expect(onlyEvent(text, 'America/New_York')).toEqual({
        uid: 'bs-booking-1@boatsetter.com',
        start: '2026-07-18T13:00:00Z',
        end: '2026-07-18T17:00:00Z',
      });
    }
  });

  test('a TZID without VTIMEZONE does not depend on the zone the process runs in', () => {
    // ical.js leaves such a time floating, and its toJSDate() would read it in the process's zone.
    const text = calendar(vevent('DTSTART;TZID=Europe/Athens:20260601T100000', 'DURATION:PT3H'));
    const saved = process.env.TZ;
    try {
      const seen = ['UTC', 'Pacific/Kiritimati', 'America/Adak'].map((tz) => {
        process.env.TZ = tz;
        return onlyEvent(text, 'America/New_York')?.start;
      });
      expect(seen).toEqual(['2026-06-01T07:00:00Z', '2026-06-01T07:00:00Z', '2026-06-01T07:00:00Z']);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  test('a floating time is wall-clock in the boat’s zone', () => {
    const text = calendar(vevent('DTSTART:20260718T090000', 'DTEND:20260718T130000'));
    expect(onlyEvent(text, 'Europe/Paris')).toMatchObject({
      start: '2026-07-18T07:00:00Z',
      end: '2026-07-18T11:00:00Z',
    });
    expect(onlyEvent(text, 'Pacific/Honolulu')).toMatchObject({ start: '2026-07-18T19:00:00Z' });
  });

  test('all-day dates run midnight to midnight in the boat’s zone; DTEND is the first day not taken', () => {
    const day = (...lines: string[]) => onlyEvent(calendar(vevent(...lines)), 'America/New_York');
    expect(day('DTSTART;VALUE=DATE:20260804', 'DTEND;VALUE=DATE:20260805')).toMatchObject({
      start: '2026-08-04T04:00:00Z',
      end: '2026-08-05T04:00:00Z',
    });
    expect(day('DTSTART;VALUE=DATE:20260804')).toMatchObject({
      start: '2026-08-04T04:00:00Z',
      end: '2026-08-05T04:00:00Z',
    });
    // Without VALUE=DATE (against RFC 5545, but exporters do it) an 8-digit value is still a date.
    expect(day('DTSTART:20261205', 'DTEND:20261207')).toMatchObject({
      start: '2026-12-05T05:00:00Z',
      end: '2026-12-07T05:00:00Z',
    });
    // The spring-forward day has 23 hours.
    expect(day('DTSTART;VALUE=DATE:20260308')).toMatchObject({
      start: '2026-03-08T05:00:00Z',
      end: '2026-03-09T04:00:00Z',
    });
    expect(day('DTSTART;VALUE=DATE:20260804', 'DURATION:P2D')).toMatchObject({ end: '2026-08-06T04:00:00Z' });
  });

  test('DURATION: hours are real hours, days are calendar days (RFC 5545 3.3.6)', () => {
    const start = 'DTSTART;TZID=America/New_York:20260307T120000';
    const end = (duration: string) => onlyEvent(calendar(NEW_YORK, vevent(start, `DURATION:${duration}`)))?.end;
    expect(end('PT4H')).toBe('2026-03-07T21:00:00Z');
    // Over the spring-forward night: one day later is noon EDT, 23 hours; 24 hours is 13:00 EDT.
    expect(end('P1D')).toBe('2026-03-08T16:00:00Z');
    expect(end('PT24H')).toBe('2026-03-08T17:00:00Z');
    expect(end('P1DT2H30M')).toBe('2026-03-08T18:30:00Z');
    expect(end('P1W')).toBe('2026-03-14T16:00:00Z');
    // The same without the VTIMEZONE, through Intl.
    const bare = (duration: string) => onlyEvent(calendar(vevent(start, `DURATION:${duration}`)))?.end;
    expect([bare('P1D'), bare('PT24H')]).toEqual(['2026-03-08T16:00:00Z', '2026-03-08T17:00:00Z']);
  });

  test.each([
    ['with its VTIMEZONE (ical.js, corrected)', NEW_YORK],
    ['without VTIMEZONE (Intl)', ''],
  ])('the hour the clocks skip or repeat reads as RFC 5545 3.3.5 says, TZID %s', (_how, zone) => {
    const start = (wall: string) =>
      onlyEvent(calendar(...(zone ? [zone] : []), vevent(`DTSTART;TZID=America/New_York:${wall}`, 'DURATION:PT1H')))
        ?.start;
    // 02:30 on the spring-forward night does not exist: read with the offset before the gap, 03:30 EDT.
    expect(start('20260308T023000')).toBe('2026-03-08T07:30:00Z');
    expect(start('20260308T030000')).toBe('2026-03-08T07:00:00Z');
    // 01:30 on the fall-back night happens twice: the first, 01:30 EDT.
    expect(start('20261101T013000')).toBe('2026-11-01T05:30:00Z');
    expect(start('20261101T020000')).toBe('2026-11-01T07:00:00Z');
  });

  test('ical.js on its own reads both with the offset after the change (why the correction exists)', () => {
    const read = (wall: string) => {
      const cal = new ICAL.Component(
        ICAL.parse(calendar(NEW_YORK, vevent(`DTSTART;TZID=America/New_York:${wall}`))) as unknown[],
      );
      const time = cal.getFirstSubcomponent('vevent')?.getFirstPropertyValue('dtstart') as ICAL.Time;
      return new Date(time.toUnixTime() * 1000).toISOString();
    };
    expect(read('20260308T023000')).toBe('2026-03-08T06:30:00.000Z');
    expect(read('20261101T013000')).toBe('2026-11-01T06:30:00.000Z');
  });

  test('times that are not times are skipped, each with the reason', () => {
    expect(skipReason(calendar(vevent('DTSTART:20261345T090000', 'DURATION:PT4H')))).toBe(
      'DTSTART is not a valid date or date-time',
    );
    expect(skipReason(calendar(vevent('DTSTART:20260718T090000', 'DTEND:soon')))).toBe(
      'DTEND is not a valid date or date-time',
    );
    expect(skipReason(calendar(vevent('DTSTART;VALUE=DATE:20260230')))).toBe(
      'DTSTART is not a valid date or date-time',
    );
    expect(skipReason(calendar(vevent('DTSTART:20260718T090000', 'DURATION:four hours')))).toBe(
      'DURATION is not a valid duration',
    );
    expect(skipReason(calendar(vevent('DTSTART;TZID=Mars/Olympus_Mons:20260718T090000', 'DURATION:PT4H')))).toBe(
      'DTSTART is in time zone "Mars/Olympus_Mons", which the feed does not define and Intl does not know',
    );
    expect(skipReason(calendar(vevent('DTSTART:20260718T090000')))).toBe('no DTEND or DURATION');
    expect(skipReason(calendar(vevent('DTSTART:20260718T090000', 'DTEND:20260718T090000')))).toBe(
      'does not end after it starts',
    );
    expect(skipReason(calendar(vevent('DTSTART:20260718T090000', 'DURATION:-PT4H')))).toBe(
      'does not end after it starts',
    );
  });
});

describe('parseFeed: which events are bookings', () => {
  const times = ['DTSTART:20260718T130000Z', 'DTEND:20260718T170000Z'];

  test('a cancelled event is absent, and noted', () => {
    for (const status of ['CANCELLED', 'cancelled']) {
      expect(parse(calendar(vevent(...times, `STATUS:${status}`)))).toEqual({
        events: [],
        skipped: [{ uid: 'bs-booking-1@boatsetter.com', reason: 'cancelled (STATUS:CANCELLED)' }],
      });
    }
  });

  test('STATUS TENTATIVE and CONFIRMED are carried; no STATUS, or another, is not', () => {
    expect(onlyEvent(calendar(vevent(...times, 'STATUS:TENTATIVE')))?.status).toBe('tentative');
    expect(onlyEvent(calendar(vevent(...times, 'STATUS:CONFIRMED')))?.status).toBe('confirmed');
    expect(onlyEvent(calendar(vevent(...times)))).not.toHaveProperty('status');
    expect(onlyEvent(calendar(vevent(...times, 'STATUS:NEEDS-ACTION')))).not.toHaveProperty('status');
  });

  test('recurring events and their occurrences are skipped: a booking is one charter', () => {
    expect(skipReason(calendar(vevent(...times, 'RRULE:FREQ=WEEKLY;COUNT=4')))).toMatch(/^recurring/);
    expect(skipReason(calendar(vevent(...times, 'RDATE:20260725T130000Z')))).toMatch(/^recurring/);
    expect(skipReason(calendar(vevent(...times, 'RECURRENCE-ID:20260725T130000Z')))).toMatch(/RECURRENCE-ID/);
  });

  test('without UID or DTSTART an event is skipped', () => {
    expect(parse(calendar(['BEGIN:VEVENT', ...times, 'END:VEVENT'].join('\r\n'))).skipped).toEqual([
      { reason: 'no UID' },
    ]);
    expect(parse(calendar(vevent('UID:', ...times))).skipped).toEqual([{ reason: 'no UID' }]);
    expect(skipReason(calendar(vevent('DTEND:20260718T170000Z')))).toBe('no DTSTART');
  });

  test('a UID listed more than once is its highest SEQUENCE, then its latest DTSTAMP, then the last listed', () => {
    const version = (sequence: number | undefined, stamp: string, hour: number) =>
      vevent(
        ...(sequence === undefined ? [] : [`SEQUENCE:${sequence}`]),
        `DTSTAMP:${stamp}`,
        `DTSTART:20260718T${String(hour).padStart(2, '0')}0000Z`,
        'DURATION:PT4H',
      );
    const startOf = (...versions: string[]) => {
      const feed = parse(calendar(...versions));
      expect(feed.skipped).toEqual(
        Array(versions.length - 1).fill({
          uid: 'bs-booking-1@boatsetter.com',
          reason: expect.stringMatching(/^superseded/),
        }),
      );
      return feed.events.map((e) => e.start);
    };
    const early = '20260601T000000Z';
    const late = '20260602T000000Z';
    expect(startOf(version(2, early, 10), version(1, late, 11))).toEqual(['2026-07-18T10:00:00Z']);
    expect(startOf(version(1, late, 11), version(2, early, 10))).toEqual(['2026-07-18T10:00:00Z']);
    expect(startOf(version(1, late, 11), version(1, early, 10))).toEqual(['2026-07-18T11:00:00Z']);
    expect(startOf(version(undefined, early, 10), version(0, late, 11), version(0, late, 12))).toEqual([
      '2026-07-18T12:00:00Z',
    ]);
    expect(startOf(version(1, early, 10), version(undefined, late, 11))).toEqual(['2026-07-18T10:00:00Z']);
  });

  test('a cancellation with a higher SEQUENCE ends the booking wherever it is listed', () => {
    const booked = vevent('SEQUENCE:0', ...times);
    const cancelled = vevent('SEQUENCE:1', ...times, 'STATUS:CANCELLED');
    for (const text of [calendar(booked, cancelled), calendar(cancelled, booked)]) {
      const feed = parse(text);
      expect(feed.events).toEqual([]);
      expect(feed.skipped.map((s) => s.reason)).toEqual([
        expect.stringMatching(/^superseded/),
        'cancelled (STATUS:CANCELLED)',
      ]);
    }
  });
});

describe('parseFeed: what is not a feed', () => {
  test.each([
    ['an HTML page', '<!DOCTYPE html><html><body>Down for maintenance</body></html>'],
    ['JSON', '{"error":"token expired"}'],
    ['nothing', ''],
    ['a VEVENT without VCALENDAR', vevent('DTSTART:20260718T130000Z')],
    ['a VCALENDAR that never ends', 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\n'],
    ['a vCard', 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Jane Doe\r\nEND:VCARD\r\n'],
  ])('%s is FeedError invalid, not retryable, named by its label', (_what, text) => {
    const err = feedError(() =>
      parseFeed(text, { timeZone: 'UTC', maxEvents: 10, label: 'Boatsetter feed seabreeze' }),
    );
    expect(err).toMatchObject({ name: 'FeedError', kind: 'invalid', retryable: false });
    expect(err.message).toMatch(/^Boatsetter feed seabreeze /);
    expect(err.message).not.toContain('Jane');
  });

  test('the parser’s message quotes the broken line, guest and all; ours does not, and there is no cause', () => {
    const text = calendar(vevent('DTSTART:20260718T130000Z', 'ATTENDEE;CN="Jane Doe:mailto:jane.doe@example.com'));
    expect(() => ICAL.parse(text)).toThrow(/jane\.doe@example\.com/);
    const err = feedError(() => parse(text));
    expect(err.kind).toBe('invalid');
    expect(`${err.message} ${String(err)} ${JSON.stringify(err)}`).not.toMatch(/Jane|jane/);
    expect(err.cause).toBeUndefined();
  });

  test('a byte-order mark, bare LF line ends and concatenated VCALENDARs are read', () => {
    const one = calendar(vevent('UID:a', 'DTSTART:20260718T130000Z', 'DURATION:PT4H'));
    const two = calendar(vevent('UID:b', 'DTSTART:20260719T130000Z', 'DURATION:PT4H'));
    expect(parse(`\uFEFF${one}`).events.map((e) => e.uid)).toEqual(['a']);
    expect(parse(one.replace(/\r\n/g, '\n')).events.map((e) => e.uid)).toEqual(['a']);
    expect(parse(one + two).events.map((e) => e.uid)).toEqual(['a', 'b']);
  });

  test('more VEVENTs than maxEvents, cancelled ones included, is FeedError too-many-events', () => {
    const events = Array.from({ length: 3 }, (_, i) =>
      vevent(`UID:e${i}`, 'DTSTART:20260718T130000Z', 'DURATION:PT4H', ...(i === 0 ? ['STATUS:CANCELLED'] : [])),
    );
    expect(parseFeed(calendar(...events), { timeZone: 'UTC', maxEvents: 3 }).events).toHaveLength(2);
    const err = feedError(() =>
      parseFeed(calendar(...events), { timeZone: 'UTC', maxEvents: 2, label: 'GetMyBoat feed x' }),
    );
    expect(err).toMatchObject({ kind: 'too-many-events', retryable: false });
    expect(err.message).toBe('GetMyBoat feed x lists 3 events, more than the 2 a feed may have');
  });

  test('a boat zone that is not an IANA zone is the caller’s mistake, not the feed’s', () => {
    expect(() => parseFeed(calendar(), { timeZone: 'Eastern', maxEvents: 10 })).toThrow(RangeError);
  });
});

describe('FeedError', () => {
  test.each<[FeedErrorKind, number | undefined, boolean]>([
    ['http', 500, true],
    ['http', 503, true],
    ['http', 429, true],
    ['http', 408, true],
    ['http', 404, false],
    ['http', 401, false],
    ['http', 403, false],
    ['http', 410, false],
    ['http', undefined, false],
    ['network', undefined, true],
    ['invalid', undefined, false],
    ['too-large', undefined, false],
    ['too-many-events', undefined, false],
  ])('%s %s is retryable: %s', (kind, status, retryable) => {
    expect(new FeedError(kind, 'Boatsetter feed x failed', status)).toMatchObject({ kind, status, retryable });
  });

  test('the limits are those the brief sets', () => {
    expect(FEED_LIMITS).toEqual({ maxBytes: 5 * 1024 * 1024, maxEvents: 2000 });
    expect(FEED_CALL.timeoutMs).toBe(20_000);
  });
});

describe('feedEventKey', () => {
  test('the feed name and 20 hex digits of the UID’s SHA-256, the same every time', () => {
    const key = feedEventKey('seabreeze', 'bs-booking-4812733@boatsetter.com');
    expect(key).toMatch(/^seabreeze\.[0-9a-f]{20}$/);
    expect(feedEventKey('seabreeze', 'bs-booking-4812733@boatsetter.com')).toBe(key);
    expect(feedEventKey('seabreeze', 'bs-booking-4812734@boatsetter.com')).not.toBe(key);
    expect(feedEventKey('winddancer', 'bs-booking-4812733@boatsetter.com').split('.')[1]).toBe(key.split('.')[1]);
  });

  test('every UID and feed name gives a valid booking id', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9]{1,20}$/), fc.string({ unit: 'binary', maxLength: 300 }), (name, uid) => {
        expect(feedEventKey(name, uid)).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
      }),
    );
  });

  test.each(['', 'Sea-Breeze', 'a'.repeat(21), 'sea.breeze'])('refuses the feed name %j', (name) => {
    expect(() => feedEventKey(name, 'uid')).toThrow(RangeError);
  });
});

describe('parseFeed: properties', () => {
  const ZONES = Intl.supportedValuesOf('timeZone');
  const SECOND = 1000;
  const HOUR = 3600 * SECOND;
  /** An instant's wall-clock fields in a zone, as text to compare, from Intl: the direction the parser never takes. */
  const wallText = (zone: string, ms: number) => JSON.stringify(wallClockFieldsAt(ms, zone));

  type Way = 'utc' | 'tzid' | 'tzid+vtimezone' | 'floating' | 'all-day';
  interface Generated {
    uid: string;
    way: Way;
    zone: string;
    startMs: number;
    durationMs: number;
    days: number;
    guest: { first: string; last: string };
  }

  const guest = fc.record({
    first: fc.stringMatching(/^[A-Z][a-z]{4,9}$/),
    last: fc.stringMatching(/^[A-Z][a-z]{4,11}$/),
  });
  const generated = fc.record({
    uid: fc.stringMatching(/^[a-z0-9-]{4,24}@(boatsetter\.com|getmyboat\.com)$/),
    way: fc.constantFrom<Way>('utc', 'tzid', 'tzid+vtimezone', 'floating', 'all-day'),
    zone: fc.constantFrom(...ZONES),
    // 2026 to 2040, whole seconds: what iCalendar carries.
    startMs: fc.integer({ min: 1_767_225_600, max: 2_208_988_800 }).map((s) => s * SECOND),
    durationMs: fc.integer({ min: 1, max: 48 * 4 }).map((quarters) => quarters * 15 * 60 * SECOND),
    days: fc.integer({ min: 1, max: 14 }),
    guest,
  });

  /** The property value, written by ical.js: a DATE, a UTC DATE-TIME, or wall-clock fields with or without TZID. */
  const timeProperty = (name: string, event: Generated, feedZone: string, ms: number): ICAL.Property => {
    const property = new ICAL.Property(name);
    if (event.way === 'utc') {
      property.setValue(ICAL.Time.fromJSDate(new Date(ms), true));
      return property;
    }
    if (event.way === 'all-day') {
      const { year, month, day } = wallClockFieldsAt(event.startMs, feedZone);
      const date = ICAL.Time.fromData({ year, month, day, isDate: true });
      // DTEND: the first day not taken.
      if (name === 'dtend') date.adjust(event.days, 0, 0, 0);
      property.setValue(date);
      return property;
    }
    const zone = event.way === 'floating' ? feedZone : event.zone;
    property.setValue(ICAL.Time.fromData({ ...wallClockFieldsAt(ms, zone), isDate: false }));
    if (event.way !== 'floating') property.setParameter('tzid', zone);
    return property;
  };

  /** tzid+vtimezone events use the zones the fixtures define. */
  const zoneOf = (event: Generated): string =>
    event.way === 'tzid+vtimezone'
      ? event.startMs % 2 === 0
        ? 'America/New_York'
        : 'America/Los_Angeles'
      : event.zone;

  const serialize = (events: Generated[], feedZone: string): string => {
    const cal = new ICAL.Component('vcalendar');
    cal.addPropertyWithValue('prodid', '-//Boatsetter//Calendar Export//EN');
    cal.addPropertyWithValue('version', '2.0');
    for (const zone of new Set(events.filter((e) => e.way === 'tzid+vtimezone').map(zoneOf))) {
      cal.addSubcomponent(new ICAL.Component(ICAL.parse(VTIMEZONES.get(zone) ?? '') as unknown[]));
    }
    for (const event of events) {
      const { first, last } = event.guest;
      const vevent = new ICAL.Component('vevent');
      vevent.addPropertyWithValue('uid', event.uid);
      vevent.addPropertyWithValue('dtstamp', ICAL.Time.fromJSDate(new Date(Date.UTC(2026, 0, 1)), true));
      vevent.addProperty(timeProperty('dtstart', event, feedZone, event.startMs));
      // Every other all-day event says how long it is instead of when it ends.
      if (event.way === 'all-day' && event.days % 2 === 1) {
        vevent.addPropertyWithValue('duration', ICAL.Duration.fromData({ days: event.days }));
      } else {
        vevent.addProperty(timeProperty('dtend', event, feedZone, event.startMs + event.durationMs));
      }
      vevent.addPropertyWithValue('summary', `Boatsetter booking: ${first} ${last.charAt(0)}.`);
      vevent.addPropertyWithValue(
        'description',
        `Renter: ${first} ${last}\nEmail: ${first.toLowerCase()}.${last.toLowerCase()}@example.com\nPhone: +1 305 555 0142`,
      );
      const attendee = vevent.addPropertyWithValue('attendee', `mailto:${first.toLowerCase()}@example.org`);
      attendee.setParameter('cn', `${first} ${last}`);
      cal.addSubcomponent(vevent);
    }
    return cal.toString();
  };

  const piiOf = (event: Generated): string[] => {
    const { first, last } = event.guest;
    return [`${first} ${last}`, `${first} ${last.charAt(0)}.`, `${first.toLowerCase()}.${last.toLowerCase()}@`];
  };

  test('random bookings written by ical.js in random IANA zones read back as the same instants, with no guest detail', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(generated, { minLength: 1, maxLength: 8, selector: (e) => e.uid }),
        fc.constantFrom(...ZONES),
        (raw, feedZone) => {
          const events = raw.map((e) => ({ ...e, zone: zoneOf(e) }));
          const text = serialize(events, feedZone);
          const feed = parseFeed(text, { timeZone: feedZone, maxEvents: FEED_LIMITS.maxEvents });
          expect(feed.skipped).toEqual([]);
          expect(feed.events.map((e) => e.uid)).toEqual(events.map((e) => e.uid));
          feed.events.forEach((read, i) => {
            const event = events[i] as Generated;
            expect(read.start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
            const start = Date.parse(read.start);
            const end = Date.parse(read.end);
            if (event.way === 'all-day') {
              // The first instant of that date in the boat's zone, to the first of the day after the last.
              const date = (ms: number) => wallText(feedZone, ms).replace(/"hour".*/, '');
              expect(date(start)).toBe(date(event.startMs));
              expect(date(start - SECOND)).not.toBe(date(start));
              expect(date(end - SECOND)).not.toBe(date(end));
              expect(Math.round((end - start) / (24 * HOUR))).toBe(event.days);
              return;
            }
            const zone = event.way === 'floating' ? feedZone : event.zone;
            // The same instant, or for a wall-clock time the clocks pass twice, its first occurrence.
            for (const [readMs, wroteMs] of [
              [start, event.startMs],
              [end, event.startMs + event.durationMs],
            ] as const) {
              if (readMs === wroteMs) continue;
              expect(readMs).toBeLessThan(wroteMs);
              expect(wallText(zone, readMs)).toBe(wallText(zone, wroteMs));
            }
          });
          expect(text.replace(/\r\n /g, '')).toContain(piiOf(events[0] as Generated)[0]);
          const json = JSON.stringify(feed);
          for (const pii of events.flatMap(piiOf)) expect(json).not.toContain(pii);
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);

  test('a zone defined by VTIMEZONE and the same zone by name read every time alike, the clock changes included', () => {
    /** The nth Sunday of a month (n = 2 for March, 1 for November: the US rules). */
    const nthSunday = (year: number, month: number, n: number) => {
      const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
      return 1 + ((7 - first) % 7) + 7 * (n - 1);
    };
    fc.assert(
      fc.property(
        fc.constantFrom('America/New_York', 'America/Los_Angeles'),
        fc.integer({ min: 2026, max: 2040 }),
        fc.boolean(),
        fc.integer({ min: -180, max: 180 }),
        (zone, year, spring, minutes) => {
          const month = spring ? 3 : 11;
          const wall = ICAL.Time.fromData({ year, month, day: nthSunday(year, month, spring ? 2 : 1), hour: 2 });
          wall.adjust(0, 0, minutes, 0);
          const line = `DTSTART;TZID=${zone}:${wall.toICALString()}`;
          const defined = onlyEvent(calendar(VTIMEZONES.get(zone) ?? '', vevent(line, 'DURATION:PT1H')));
          const named = onlyEvent(calendar(vevent(line, 'DURATION:PT1H')));
          expect(defined).toEqual(named);
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);

  test('no guest detail reaches an error message', () => {
    // The errors for a feed, as everything that could print them shows them.
    const errorsFor = (first: string, last: string, count: number) => {
      const details = [
        `SUMMARY:Boatsetter booking: ${first} ${last.charAt(0)}.`,
        `DESCRIPTION:Renter: ${first} ${last}`,
      ];
      const events = Array.from({ length: count }, (_, i) =>
        vevent(`UID:e${i}`, 'DTSTART:20260718T130000Z', 'DURATION:PT4H', ...details),
      );
      const broken = calendar(...events, vevent(`ATTENDEE;CN="${first} ${last}:mailto:${first}@example.com`));
      const tooMany = calendar(...events, vevent('UID:last', 'DTSTART:20260718T130000Z', 'DURATION:PT4H'));
      return [
        feedError(() => parseFeed(broken, { timeZone: 'UTC', maxEvents: 100 })),
        feedError(() => parseFeed(tooMany, { timeZone: 'UTC', maxEvents: count })),
      ].map((err) => `${err.message} ${String(err)} ${JSON.stringify(err)}`);
    };
    // Another name of the same length, so nothing but the name differs.
    const other = (name: string) => {
      const masked = 'X' + 'x'.repeat(name.length - 1);
      return masked === name ? 'Y' + 'y'.repeat(name.length - 1) : masked;
    };
    fc.assert(
      fc.property(guest, fc.integer({ min: 1, max: 20 }), ({ first, last }, count) => {
        // The same text whatever the guest is called: a name can be part of the fixed wording ("Calen"
        // is in "iCalendar"), so "the text does not contain it" would fail on names that leak nothing.
        expect(errorsFor(first, last, count)).toEqual(errorsFor(other(first), other(last), count));
      }),
      { examples: [[{ first: 'Aaaaa', last: 'Calen' }, 1]] },
    );
  });
});
