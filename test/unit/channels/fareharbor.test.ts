import fc from 'fast-check';
import {
  fareHarborInstant,
  parseFareHarborDelivery,
  zoneForOffset,
  type FareHarborDelivery,
} from '../../../src/channels/fareharbor';
import {
  sampleFareHarborCancellation,
  sampleFareHarborDelivery,
  sampleFareHarborRebooking,
} from '../../../sim/samples';

function mapped(body: unknown, options = {}): FareHarborDelivery {
  const parsed = parseFareHarborDelivery(body, options);
  if (!parsed.ok) throw new Error(`unexpected errors: ${JSON.stringify(parsed.errors)}`);
  return parsed.value;
}

function errorsOf(body: unknown) {
  const parsed = parseFareHarborDelivery(body);
  if (parsed.ok) throw new Error('expected errors');
  return parsed.errors;
}

describe('FareHarbor deliveries as our booking contract', () => {
  test("FareHarbor's documented booking maps field by field, the extra fields ignored", () => {
    const body = sampleFareHarborDelivery({ uuid: 'd75102be-9732-4523-90a8-c698eff2b983' });
    expect(mapped(body, { timeZone: 'Pacific/Honolulu' })).toEqual({
      action: 'book',
      booking: {
        source: 'fareharbor',
        bookingId: 'd75102be-9732-4523-90a8-c698eff2b983',
        guest: { name: 'Carole Martin', email: 'carole@example.com', phone: '+14155550134', partySize: 6 },
        charter: {
          start: '2027-05-29T10:00:00-10:00',
          end: '2027-05-29T13:00:00-10:00',
          timeZone: 'Pacific/Honolulu',
        },
        boat: 'Sea Breeze',
        pricing: { currency: 'USD', base: 120000, tax: 9800 },
        notes: 'Birthday party; bringing a cake.',
      },
    });
  });

  test('cancelled and rebooked name the booking to end; a booked rebooking names the one it replaces', () => {
    const ref = (bookingId: string) => ({ source: 'fareharbor', bookingId });
    expect(mapped(sampleFareHarborCancellation('fh-1'))).toEqual({ action: 'cancel', ref: ref('fh-1') });
    const rebooking = sampleFareHarborRebooking('fh-old', 'fh-new');
    expect(mapped(rebooking.old)).toEqual({ action: 'rebooked', ref: ref('fh-old'), rebookedTo: ref('fh-new') });
    const booked = mapped(rebooking.new);
    expect(booked).toMatchObject({ action: 'book', rebookedFrom: ref('fh-old'), booking: { bookingId: 'fh-new' } });
    const self = mapped(sampleFareHarborDelivery({ uuid: 'fh-self', rebookedFrom: 'fh-self' }));
    expect(self).not.toHaveProperty('rebookedFrom');
  });

  test('without uuid or availability the reason is the missing field', () => {
    expect(errorsOf(sampleFareHarborDelivery({ booking: { uuid: undefined } }))).toEqual([
      { path: 'booking.uuid', message: 'is required' },
    ]);
    expect(errorsOf(sampleFareHarborDelivery({ booking: { availability: undefined } }))).toEqual([
      { path: 'booking.availability', message: 'is required' },
    ]);
    expect(errorsOf({})).toEqual([{ path: 'booking', message: 'is required' }]);
    expect(errorsOf(sampleFareHarborDelivery({ status: 'pending' as never }))[0]?.path).toBe('booking.status');
  });

  test("a booking the contract refuses is every error at FareHarbor's field", () => {
    const body = sampleFareHarborDelivery({
      uuid: 'not a uuid!',
      customerCount: 0,
      startAt: '2027-05-29 10:00',
      booking: { receipt_subtotal: null, contact: { name: 'Carole', email: 'not-an-email' } },
    });
    expect(
      errorsOf(body)
        .map((e) => e.path)
        .sort(),
    ).toEqual([
      'booking.availability.start_at',
      'booking.contact.email',
      'booking.customer_count',
      'booking.receipt_subtotal',
      'booking.uuid',
    ]);
  });

  test('receipt_total beyond subtotal + taxes is the service fee; below it is refused; amount_paid is not read', () => {
    const fee = mapped(sampleFareHarborDelivery({ booking: { receipt_total: 131300 } }));
    expect(fee.action === 'book' && fee.booking.pricing).toEqual({
      currency: 'USD',
      base: 120000,
      tax: 9800,
      serviceFee: 1500,
    });
    expect(errorsOf(sampleFareHarborDelivery({ booking: { receipt_total: 100 } }))).toEqual([
      { path: 'booking.receipt_total', message: 'is less than receipt_subtotal + receipt_taxes' },
    ]);
    const paid = (amount: number) =>
      mapped(sampleFareHarborDelivery({ uuid: 'fh-paid', booking: { amount_paid: amount } }));
    expect(paid(0)).toEqual(paid(129800));
  });

  test("without the operator's zone: Etc/GMT for whole hours (POSIX sign), UTC otherwise", () => {
    expect(zoneForOffset('2027-05-29T10:00:00-10:00')).toBe('Etc/GMT+10');
    expect(zoneForOffset('2027-05-29T10:00:00+02:00')).toBe('Etc/GMT-2');
    expect(zoneForOffset('2027-05-29T10:00:00+05:30')).toBe('UTC');
    expect(zoneForOffset('2027-05-29T10:00:00+00:00')).toBe('UTC');
    expect(zoneForOffset('2027-05-29T10:00:00Z')).toBe('UTC');
    const booked = mapped(sampleFareHarborDelivery());
    expect(booked.action === 'book' && booked.booking.charter.timeZone).toBe('Etc/GMT+10');
  });

  test('offsets: with or without colon, with or without seconds; anything else is not an instant', () => {
    expect(fareHarborInstant('2013-02-04T06:21:36+0000')).toBe('2013-02-04T06:21:36+00:00');
    expect(fareHarborInstant('2015-01-22T11:30-1000')).toBe('2015-01-22T11:30-10:00');
    expect(fareHarborInstant('2015-01-22T11:30:00.123-10:00')).toBe('2015-01-22T11:30:00.123-10:00');
    for (const bad of [
      '2015-01-22T11:30:00',
      '2015-01-22 11:30:00-1000',
      '2015-01-22T11:30:00-10',
      '2015-01-22T11:30:00+2460',
    ]) {
      expect(fareHarborInstant(bad)).toBeUndefined();
    }
  });

  test('property: every offset maps to the same instant, and money maps exactly', () => {
    const pad = (n: number) => String(n).padStart(2, '0');
    const fareHarborTime = (ms: number, offsetMinutes: number, seconds: boolean) => {
      const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, seconds ? 19 : 16);
      const abs = Math.abs(offsetMinutes);
      return `${local}${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
    };
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2030, 0, 1) / 60_000, max: Date.UTC(2099, 0, 1) / 60_000 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: -12 * 60, max: 14 * 60 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 24 * 60 }),
        fc.integer({ min: 0, max: 10_000_000_00 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (startMinute, second, offset, withSeconds, durationMinutes, subtotal, taxes, fees) => {
          const startMs = startMinute * 60_000 + (withSeconds ? second * 1000 : 0);
          const endMs = startMs + durationMinutes * 60_000;
          const body = sampleFareHarborDelivery({
            startAt: fareHarborTime(startMs, offset, withSeconds),
            endAt: fareHarborTime(endMs, offset, withSeconds),
            booking: { receipt_subtotal: subtotal, receipt_taxes: taxes, receipt_total: subtotal + taxes + fees },
          });
          const delivery = mapped(body);
          if (delivery.action !== 'book') throw new Error('expected a booking');
          const { charter, pricing } = delivery.booking;
          expect(Date.parse(charter.start)).toBe(startMs);
          expect(Date.parse(charter.end)).toBe(endMs);
          expect(pricing.base).toBe(subtotal);
          expect(pricing.tax).toBe(taxes);
          expect(pricing.serviceFee).toBe(fees === 0 ? undefined : fees);
          expect(pricing.base + (pricing.tax ?? 0) + (pricing.serviceFee ?? 0)).toBe(subtotal + taxes + fees);
        },
      ),
      { numRuns: 300 },
    );
  });
});
