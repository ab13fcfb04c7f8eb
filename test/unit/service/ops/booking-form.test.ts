import { sampleBooking } from '../../../../sim/samples';
import {
  bookingFromForm,
  changeFromForm,
  crewFromForm,
  detailValues,
  heldValues,
} from '../../../../src/service/ops/booking-form';

const form = (values: Record<string, string>) => new Map(Object.entries(values));

const CHARTER = {
  source: 'boatsetter',
  bookingId: 'BS-77',
  'guest.name': 'Carole Martin',
  'guest.email': 'carole@example.com',
  'guest.phone': '',
  'guest.partySize': '6',
  'charter.start': '2027-05-29T10:00',
  'charter.end': '2027-05-29T13:00',
  'charter.timeZone': 'America/Los_Angeles',
  boat: 'Sea Breeze',
  notes: '',
  'pricing.currency': 'usd',
  'pricing.base': '1,200',
  'pricing.captain': '',
  'pricing.fuel': '80.50',
  'pricing.serviceFee': '',
  'pricing.tax': '',
  'pricing.tip': '',
  'pricing.payout': '',
};

describe('the booking forms and the contract', () => {
  test('a new booking: times in its zone become instants with the offset, amounts exact minor units, empties left out', () => {
    expect(bookingFromForm(form(CHARTER))).toEqual({
      ok: true,
      value: {
        source: 'boatsetter',
        bookingId: 'BS-77',
        guest: { name: 'Carole Martin', email: 'carole@example.com', partySize: 6 },
        charter: {
          start: '2027-05-29T10:00:00-07:00',
          end: '2027-05-29T13:00:00-07:00',
          timeZone: 'America/Los_Angeles',
        },
        boat: 'Sea Breeze',
        pricing: { currency: 'USD', base: 120000, fuel: 8050 },
      },
    });
  });

  test("every problem at once, each at its field: the form's conversions and the contract's own checks", () => {
    const result = bookingFromForm(
      form({
        ...CHARTER,
        source: 'fareharbor',
        bookingId: 'has spaces',
        'guest.name': '',
        'guest.email': 'not-an-email',
        'guest.partySize': '6.5',
        'charter.start': '2027-03-14T02:30',
        'pricing.fuel': '80.555',
      }),
    );
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.errors.map((e) => e.path).sort();
    expect(paths).toEqual([
      'bookingId',
      'charter.start',
      'guest.email',
      'guest.name',
      'guest.partySize',
      'pricing.fuel',
      'source',
    ]);
  });

  test('an unknown zone or currency is one error, not one per time or amount', () => {
    const result = bookingFromForm(
      form({ ...CHARTER, 'charter.timeZone': 'Mars/Olympus', 'pricing.currency': 'dollars' }),
    );
    expect(result.ok ? [] : result.errors.map((e) => e.path).sort()).toEqual(['charter.timeZone', 'pricing.currency']);
  });

  test('a change is a merge patch: emptied optional fields are removed (null), the rest replaced', () => {
    const current = sampleBooking();
    const values = detailValues(current);
    expect(values.get('charter.start')).toBe('2027-05-29T10:00');
    expect(values.get('pricing.base')).toBe('1200.00');
    expect(changeFromForm(values, current)).toMatchObject({ ok: true });
    const edited = new Map(values);
    edited.set('guest.email', '');
    edited.set('pricing.tip', '');
    edited.set('guest.partySize', '8');
    const result = changeFromForm(edited, current);
    expect(result.ok && result.value).toMatchObject({
      guest: { name: 'Carole Martin', email: null, phone: '+1 415 555 0134', partySize: 8 },
      charter: { start: '2027-05-29T10:00:00-07:00' },
      pricing: { currency: 'USD', base: 120000, tip: null },
    });
  });

  test('a change checks the patched booking with the contract, and an emptied required field is refused', () => {
    const current = sampleBooking();
    const edited = new Map(detailValues(current));
    edited.set('charter.end', '2027-05-29T09:00');
    edited.set('boat', '');
    const result = changeFromForm(edited, current);
    expect(result.ok ? [] : result.errors).toEqual([
      { path: 'boat', message: 'is required' },
      { path: 'charter.end', message: 'must end after it starts' },
    ]);
  });

  test('a crew replacement, an addition (no replace), and its errors', () => {
    expect(
      crewFromForm(
        form({ replace: 'crew-mate-ben', 'member.id': 'crew-mate-cy', 'member.role': 'Deckhand', 'member.name': '' }),
      ),
    ).toEqual({
      ok: true,
      value: { replace: 'crew-mate-ben', member: { id: 'crew-mate-cy', role: 'Deckhand' } },
    });
    expect(crewFromForm(form({ replace: '', 'member.id': 'crew-mate-cy', 'member.role': 'Deckhand' }))).toEqual({
      ok: true,
      value: { member: { id: 'crew-mate-cy', role: 'Deckhand' } },
    });
    const bad = crewFromForm(form({ replace: '<script>', 'member.id': '"><img>', 'member.role': '' }));
    expect(bad.ok ? [] : bad.errors.map((e) => e.path).sort()).toEqual(['member.id', 'member.role', 'replace']);
  });

  test("a held booking's form keeps the slot and leaves the placeholder guest, price and notes empty", () => {
    const held = sampleBooking({
      guest: { name: 'Details pending', partySize: 1 },
      pricing: { currency: 'USD', base: 0 },
      notes: 'From the bs calendar feed',
    });
    const values = heldValues(held);
    expect([
      values.get('guest.name'),
      values.get('guest.partySize'),
      values.get('pricing.base'),
      values.get('notes'),
    ]).toEqual(['', '', '', '']);
    expect(values.get('charter.start')).toBe('2027-05-29T10:00');
    values.set('guest.name', 'Dana Lee');
    values.set('guest.partySize', '4');
    values.set('pricing.base', '950');
    const result = changeFromForm(values, held);
    expect(result.ok && result.value).toMatchObject({
      guest: { name: 'Dana Lee', partySize: 4 },
      pricing: { currency: 'USD', base: 95000 },
      notes: null,
    });
  });
});
