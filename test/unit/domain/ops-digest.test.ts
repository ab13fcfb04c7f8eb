import type { Booking } from '../../../src/domain/booking';
import {
  addDays,
  digestDays,
  digestPeriod,
  planOpsDigest,
  planRosters,
  rosterWindow,
  startOfLocalDay,
  type BookingSighting,
} from '../../../src/domain/ops-digest';

const ZONE = 'America/Los_Angeles';
/** 07:00 in Los Angeles on Wed Dec 2, 2026 (PST, -08:00). */
const AT = Date.parse('2026-12-02T07:00:00-08:00');

function booking(id: string, start: string, overrides: Partial<Booking> = {}): Booking {
  return {
    source: 'boatsetter',
    bookingId: id,
    guest: { name: `Guest ${id}`, partySize: 4 },
    charter: { start, end: new Date(Date.parse(start) + 3 * 3600_000).toISOString(), timeZone: ZONE },
    boat: 'Sea Breeze',
    pricing: { currency: 'USD', base: 100000, tax: 8000 },
    ...overrides,
  };
}

function sighting(id: string, start: string, over: Partial<BookingSighting> = {}, b = booking(id, start)) {
  return {
    workflowId: `booking-t1-${b.source}-${id}`,
    source: b.source,
    bookingId: id,
    execution: 'RUNNING',
    charterStart: new Date(start).toISOString(),
    stage: 'KEEPING_PAGE_CURRENT',
    status: {
      stage: 'KEEPING_PAGE_CURRENT',
      crew: [{ id: 'cap', role: 'Captain', name: 'Ana', status: 'accepted' as const }],
      booking: b,
      sccEventId: `scc-${id}`,
    },
    ...over,
  } satisfies BookingSighting;
}

describe('local days', () => {
  test('today, yesterday and tomorrow are the tenant-local dates, bounded by local midnights', () => {
    const days = digestDays(AT, ZONE);
    expect(days).toMatchObject({ yesterday: '2026-12-01', today: '2026-12-02', tomorrow: '2026-12-03' });
    expect(new Date(days.bounds.today).toISOString()).toBe('2026-12-02T08:00:00.000Z');
    expect(new Date(days.bounds.dayAfter).toISOString()).toBe('2026-12-04T08:00:00.000Z');
    // 07:00 in Auckland is still the day before in UTC.
    expect(digestDays(Date.parse('2026-12-01T18:00:00Z'), 'Pacific/Auckland').today).toBe('2026-12-02');
  });

  test('a day across a DST change is 23 or 25 hours; a midnight the clocks skip starts at the first real time', () => {
    const spring = digestDays(Date.parse('2027-03-14T12:00:00-07:00'), ZONE);
    expect(spring.bounds.tomorrow - spring.bounds.today).toBe(23 * 3600_000);
    // Santiago springs forward at 00:00 on Sep 6, 2026: the day starts at 01:00.
    expect(new Date(startOfLocalDay('2026-09-06', 'America/Santiago')).toISOString()).toBe('2026-09-06T04:00:00.000Z');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
  });

  test('the period is the local date of the scheduled time, or, every N seconds, the time floored to N s', () => {
    expect(digestPeriod(AT, ZONE)).toBe('2026-12-02');
    expect(digestPeriod(AT + 3600_000, ZONE)).toBe('2026-12-02');
    expect(digestPeriod(Date.parse('2026-12-02T07:00:17Z'), 'UTC', 10)).toBe('2026-12-02T07:00:10.000Z');
  });
});

describe('planning the digest', () => {
  const today = sighting('today1', '2026-12-02T10:00:00-08:00');
  const tomorrow = sighting('tom1', '2026-12-03T09:00:00-08:00');
  const declined = sighting('dec1', '2026-12-03T14:00:00-08:00', {
    stage: 'NEEDS_CREW',
    status: {
      ...today.status,
      stage: 'NEEDS_CREW',
      booking: booking('dec1', '2026-12-03T14:00:00-08:00'),
      crew: [
        { id: 'cap', role: 'Captain', name: 'Ana', status: 'accepted' },
        { id: 'mate', role: 'Mate', status: 'declined' },
      ],
    },
  });
  const heldBooking = booking('bs.h1', '2026-12-20T10:00:00-08:00', { pricing: { currency: 'USD', base: 0 } });
  const held = sighting(
    'bs.h1',
    heldBooking.charter.start,
    {
      stage: 'AWAITING_DETAILS',
      status: {
        stage: 'AWAITING_DETAILS',
        crew: [],
        booking: heldBooking,
        held: { feed: 'bs', since: '2026-12-01T00:00:00Z' },
      },
    },
    heldBooking,
  );
  const failed = sighting('f1', '2027-01-05T10:00:00-08:00', {
    execution: 'FAILED',
    stage: 'FAILED',
    status: { stage: 'FAILED', crew: [], failure: 'JADA rejected the dashboard token (401)' },
  });
  const yesterdayBs = sighting('y1', '2026-12-01T10:00:00-08:00');
  const yesterdayBs2 = sighting(
    'y2',
    '2026-12-01T15:00:00-08:00',
    {},
    booking('y2', '2026-12-01T15:00:00-08:00', { pricing: { currency: 'USD', base: 50000, payout: 40000 } }),
  );
  const yesterdayFh = sighting(
    'y3',
    '2026-12-01T11:00:00-08:00',
    {},
    booking('y3', '2026-12-01T11:00:00-08:00', { source: 'fareharbor', pricing: { currency: 'USD', base: 20000 } }),
  );
  const cancelledYesterday = sighting('c1', '2026-12-01T12:00:00-08:00', { execution: 'CANCELLED' });
  const lastWeek = sighting('old', '2026-11-20T10:00:00-08:00');

  const digest = planOpsDigest({
    tenant: 't1',
    atMs: AT,
    timeZone: ZONE,
    sightings: [
      tomorrow,
      today,
      declined,
      held,
      failed,
      yesterdayBs,
      yesterdayBs2,
      yesterdayFh,
      cancelledYesterday,
      lastWeek,
      today,
    ],
    truncated: false,
  });

  test("today's and tomorrow's charters, each once, soonest first, with their crew", () => {
    expect(digest.period).toBe('2026-12-02');
    expect(digest.today.map((c) => c.bookingId)).toEqual(['today1']);
    expect(digest.tomorrow.map((c) => c.bookingId)).toEqual(['tom1', 'dec1']);
    expect(digest.today[0]).toMatchObject({ guestName: 'Guest today1', partySize: 4, boat: 'Sea Breeze', held: false });
    expect(digest.tomorrow[1]!.crew.map((m) => m.status)).toEqual(['accepted', 'declined']);
  });

  test('needing action: failed first, then crew missing, then held; only with a charter ahead', () => {
    expect(digest.needsAction.map((a) => [a.reason, a.bookingId])).toEqual([
      ['FAILED', 'f1'],
      ['NEEDS_CREW', 'dec1'],
      ['AWAITING_DETAILS', 'bs.h1'],
    ]);
    expect(digest.needsAction[0]!.detail).toContain('JADA rejected');
    expect(digest.needsAction[1]!.detail).toBe('Mate mate declined');
    expect(digest.needsAction[2]!.detail).toContain('bs feed');
  });

  test("yesterday's revenue: charters that started yesterday, by source and currency, cancelled ones left out", () => {
    expect(digest.revenue).toEqual({
      day: '2026-12-01',
      bySource: [
        {
          source: 'boatsetter',
          currency: 'USD',
          charters: 2,
          guestTotal: 108000 + 50000,
          payout: 40000,
          payoutCharters: 1,
        },
        { source: 'fareharbor', currency: 'USD', charters: 1, guestTotal: 20000, payout: 0, payoutCharters: 0 },
      ],
      withoutPricing: 0,
    });
  });

  test('a held booking carries no guest name; a status that did not answer is shown from visibility', () => {
    const unread = planOpsDigest({
      tenant: 't1',
      atMs: AT,
      timeZone: ZONE,
      sightings: [{ ...today, status: undefined }],
      truncated: true,
    });
    expect(unread.today[0]).toMatchObject({ statusUnavailable: true, stage: 'KEEPING_PAGE_CURRENT', crew: [] });
    expect(unread.truncated).toBe(true);
  });
});

describe('planning rosters', () => {
  const window = rosterWindow(AT, 24 * 3600_000, 3600_000);
  test('charters starting after the run and within lead + one period, not held, cancelled or unread', () => {
    const soon = sighting('soon', '2026-12-02T09:00:00-08:00');
    const edge = sighting('edge', new Date(window.until).toISOString());
    const beyond = sighting('beyond', new Date(window.until + 1).toISOString());
    const started = sighting('started', new Date(AT).toISOString());
    const cancelled = sighting('cx', '2026-12-02T11:00:00-08:00', { execution: 'CANCELLED' });
    const held = sighting('h', '2026-12-02T12:00:00-08:00', {
      status: { stage: 'AWAITING_DETAILS', crew: [], held: { feed: 'bs', since: '' } },
    });
    const unread = sighting('unread', '2026-12-02T13:00:00-08:00', { status: undefined });
    const rosters = planRosters([edge, beyond, started, cancelled, held, unread, soon, soon], window);
    expect(rosters.map((r) => r.bookingId)).toEqual(['soon', 'edge']);
    expect(rosters[0]).toMatchObject({ sccEventId: 'scc-soon', crew: [{ id: 'cap', status: 'accepted' }] });
  });
});
