import fc from 'fast-check';
import {
  BOOKING_SOURCES,
  bookingWorkflowId,
  legacyBookingWorkflowId,
  parseBooking,
  parseBookingWorkflowId,
} from '../../../src/domain/booking';
import { sampleBooking } from '../../../sim/samples';

describe('parseBooking', () => {
  test('accepts the sample booking', () => {
    expect(parseBooking(sampleBooking()).ok).toBe(true);
  });

  test('lists every field error at once, each with its path', () => {
    const result = parseBooking({
      source: 'airbnb',
      bookingId: 'has spaces',
      guest: { name: '', email: 'not-an-email', partySize: 0 },
      charter: { start: '2027-05-29 10:00', end: '2027-05-29T09:00:00-07:00', timeZone: 'Mars/Olympus' },
      boat: 'Sea Breeze',
      pricing: { currency: 'usd', base: 12.5 },
      extra: true,
    });
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'source',
        'bookingId',
        'guest.name',
        'guest.email',
        'guest.partySize',
        'charter.start',
        'charter.timeZone',
        'pricing.currency',
        'pricing.base',
        '(body)',
      ]),
    );
  });

  test('a missing field says it is required', () => {
    const withoutBoat: Record<string, unknown> = { ...sampleBooking() };
    delete withoutBoat.boat;
    expect(parseBooking(withoutBoat)).toEqual({ ok: false, errors: [{ path: 'boat', message: 'is required' }] });
  });

  test('a charter must end after it starts', () => {
    const booking = sampleBooking();
    const result = parseBooking({ ...booking, charter: { ...booking.charter, end: booking.charter.start } });
    expect(result).toEqual({ ok: false, errors: [{ path: 'charter.end', message: 'must end after it starts' }] });
  });

  test('a crew member listed twice is an error', () => {
    const result = parseBooking(
      sampleBooking({
        crew: [
          { id: 'a', role: 'Captain' },
          { id: 'a', role: 'Deckhand' },
        ],
      }),
    );
    expect(result.ok ? [] : result.errors).toEqual([{ path: 'crew.1.id', message: 'is listed twice' }]);
  });
});

describe('booking workflow IDs', () => {
  test('keep the booking id as the source sent it', () => {
    expect(bookingWorkflowId('jada', { source: 'boatsetter', bookingId: 'BS-123' })).toBe(
      'booking-jada-boatsetter-BS-123',
    );
    expect(bookingWorkflowId('jada', { source: 'boatsetter', bookingId: 'bs-123' })).toBe(
      'booking-jada-boatsetter-bs-123',
    );
    expect(legacyBookingWorkflowId('jada', { source: 'boatsetter', bookingId: 'BS-123' })).toBe(
      'booking-jada-boatsetter-bs-123',
    );
  });

  const tenantId = fc.stringMatching(/^[a-z0-9]{1,40}$/);
  const source = fc.constantFrom(...BOOKING_SOURCES);
  const bookingId = fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/);

  test('read back as exactly the tenant, source and booking id they were made from (property)', () => {
    fc.assert(
      fc.property(tenantId, source, bookingId, (tenant, src, id) => {
        const workflowId = bookingWorkflowId(tenant, { source: src, bookingId: id });
        expect(parseBookingWorkflowId(workflowId)).toEqual({ tenant, source: src, bookingId: id });
      }),
      { numRuns: 2000 },
    );
  });

  test('never collide for two distinct (tenant, source, booking id) triples, case included (property)', () => {
    const triple = fc.tuple(tenantId, source, bookingId);
    fc.assert(
      fc.property(triple, triple, ([t1, s1, b1], [t2, s2, b2]) => {
        fc.pre(t1 !== t2 || s1 !== s2 || b1 !== b2);
        expect(bookingWorkflowId(t1, { source: s1, bookingId: b1 })).not.toBe(
          bookingWorkflowId(t2, { source: s2, bookingId: b2 }),
        );
      }),
      { numRuns: 2000 },
    );
    // The generator rarely makes ids that differ only in case; these are the ones that used to collide.
    for (const [a, b] of [
      ['BS-77', 'bs-77'],
      ['null', 'NULL'],
      ['Ab.c_D', 'aB.C_d'],
    ] as const) {
      expect(bookingWorkflowId('jada', { source: 'boatsetter', bookingId: a })).not.toBe(
        bookingWorkflowId('jada', { source: 'boatsetter', bookingId: b }),
      );
    }
  });

  test('are refused when they are not one of ours', () => {
    for (const id of [
      'booking-jada-boatsetter-',
      'booking-JADA-boatsetter-x',
      'booking-jada-ebay-x',
      'x-jada-direct-1',
    ]) {
      expect(parseBookingWorkflowId(id)).toBeUndefined();
    }
  });
});
