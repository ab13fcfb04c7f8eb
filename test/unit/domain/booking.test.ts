import { bookingWorkflowId, parseBooking } from '../../../src/domain/booking';
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

test('workflow IDs are lower-case and derived from tenant, source and booking id', () => {
  expect(bookingWorkflowId('jada', { source: 'boatsetter', bookingId: 'BS-123' })).toBe(
    'booking-jada-boatsetter-bs-123',
  );
});
