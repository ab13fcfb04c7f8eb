import { diffBookings, type FieldChange } from '../../../src/domain/booking-changes';
import type { Booking } from '../../../src/domain/booking';
import { composeBookingChange, type BookingChangeInput } from '../../../src/mail/booking-change';
import { sampleBooking } from '../../../sim/samples';

const before = sampleBooking({ bookingId: 'BS-77', notes: 'Birthday party' });
const after: Booking = {
  ...before,
  guest: { ...before.guest, phone: undefined, partySize: 8 },
  charter: { ...before.charter, start: '2027-05-29T18:00:00Z', end: '2027-05-29T14:30:00-07:00' },
  pricing: { ...before.pricing, base: 130000, tip: undefined },
};

function input(overrides: Partial<BookingChangeInput> = {}): BookingChangeInput {
  return {
    tenantName: 'JADA Charters',
    booking: after,
    workflowId: 'booking-jada-boatsetter-BS-77',
    temporalUiUrl: 'http://localhost:8233/namespaces/default/workflows/booking-jada-boatsetter-BS-77',
    changes: diffBookings(before, after),
    revision: 2,
    channel: 'fareharbor',
    crewReasked: true,
    ...overrides,
  };
}

describe('composeBookingChange', () => {
  const email = composeBookingChange(input());

  it('lists each field before and after, readably: instants in the charter zone, money, "(not set)"', () => {
    expect(email.text).toMatch(/^Guest phone: +\+1 415 555 0134 +→ +\(not set\)$/m);
    expect(email.text).toMatch(/^Party size: +6 +→ +8$/m);
    // 18:00Z is 11:00 in Los Angeles in May.
    expect(email.text).toMatch(/^Start: +Sat, May 29, 2027 10:00 AM PDT +→ +Sat, May 29, 2027 11:00 AM PDT$/m);
    expect(email.text).toMatch(/^End: +Sat, May 29, 2027 1:00 PM PDT +→ +Sat, May 29, 2027 2:30 PM PDT$/m);
    expect(email.text).toMatch(/^Price: charter \(base\): +\$1,200\.00 +→ +\$1,300\.00$/m);
    expect(email.text).toMatch(/^Price: tip: +\$200\.00 +→ +\(not set\)$/m);
    expect(email.text).toContain('CHANGES (6 fields)');
    expect(email.html).toContain('>Sat, May 29, 2027 11:00 AM PDT</td>');
    expect(email.html).toContain('>$1,300.00</td>');
    expect(email.html).toContain('>(not set)</td>');
  });

  it('says the revision, which channel changed it, and that crew were asked again because the time moved', () => {
    expect(email.subject).toBe(
      'Changed by fareharbor: Guest phone, Party size, Start +3 more · Carole Martin · Sat, May 29 11:00 AM PDT · Sea Breeze (crew asked again)',
    );
    for (const part of [email.text, email.html]) {
      expect(part).toContain('Booking boatsetter BS-77 for JADA Charters changed (revision 2).');
      expect(part).toContain('The change came from fareharbor.');
      expect(part).toContain('Crew were asked again, because the date or time moved; their answers will follow.');
      expect(part).toContain('booking-jada-boatsetter-BS-77');
    }
    expect(email.html).toContain(
      '<a href="http://localhost:8233/namespaces/default/workflows/booking-jada-boatsetter-BS-77">Open this workflow</a>',
    );
  });

  it('says when crew were not asked again', () => {
    const notes = composeBookingChange(
      input({ channel: 'ops', crewReasked: false, changes: [{ path: 'notes', from: 'Birthday party', to: null }] }),
    );
    expect(notes.subject).toBe('Changed by ops: Notes · Carole Martin · Sat, May 29 11:00 AM PDT · Sea Breeze');
    expect(notes.text).toContain('Crew were not asked again.');
    expect(notes.text).toContain('CHANGES (1 field)');
    expect(notes.text).toMatch(/^Notes: +Birthday party +→ +\(not set\)$/m);
  });

  it('shows amounts from before a change of currency in the old currency', () => {
    const changes: FieldChange[] = [
      { path: 'pricing.currency', from: 'JPY', to: 'USD' },
      { path: 'pricing.base', from: 150000, to: 120000 },
    ];
    const email = composeBookingChange(input({ changes, crewReasked: false }));
    expect(email.text).toMatch(/^Currency: +JPY +→ +USD$/m);
    expect(email.text).toMatch(/^Price: charter \(base\): +¥150,000 +→ +\$1,200\.00$/m);
  });

  it('never puts a guest email or phone in the subject, even when the change is to them', () => {
    const changes: FieldChange[] = [
      { path: 'guest.email', from: 'carole@example.com', to: 'c.martin@example.com' },
      { path: 'guest.phone', from: null, to: '+1 415 555 0199' },
    ];
    const email = composeBookingChange(input({ changes, crewReasked: false }));
    expect(email.subject).toBe(
      'Changed by fareharbor: Guest email, Guest phone · Carole Martin · Sat, May 29 11:00 AM PDT · Sea Breeze',
    );
    expect(email.subject).not.toMatch(/@|555/);
    expect(email.text).toMatch(/^Guest email: +carole@example\.com +→ +c\.martin@example\.com$/m);
  });

  it('escapes hostile values in the HTML, keeps the subject on one line, and shows an unknown field as its path', () => {
    const attack = '<script>alert(1)</script>';
    const email = composeBookingChange(
      input({
        tenantName: '<b>JADA</b>',
        channel: `ops\r\nBcc: victim@example.com`,
        booking: { ...after, boat: attack },
        changes: [
          { path: 'boat', from: 'Sea Breeze', to: attack },
          { path: 'extras.cooler', from: null, to: `"onmouseover=alert(1)` },
        ],
      }),
    );
    expect(email.html).not.toMatch(/<script|<b>/);
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.html).toContain('&quot;onmouseover=alert(1)');
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.text).toMatch(/^extras\.cooler: +\(not set\) +→ +"onmouseover=alert\(1\)$/m);
  });
});
