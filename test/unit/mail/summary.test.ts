import type { Booking } from '../../../src/domain/booking';
import type { CrewMemberStatus } from '../../../src/domain/crew';
import { composeOpsSummary, type OpsSummaryInput } from '../../../src/mail/summary';

const booking: Booking = {
  source: 'boatsetter',
  bookingId: 'BS-1001',
  guest: { name: 'Carole Smith', email: 'carole@example.com', phone: '+1 415 555 0100', partySize: 6 },
  charter: { start: '2026-05-30T10:00:00-07:00', end: '2026-05-30T13:00:00-07:00', timeZone: 'America/Los_Angeles' },
  boat: 'Sea Breeze',
  crew: [
    { id: 'c1', role: 'Captain', name: 'Mike Torres' },
    { id: 'c2', role: 'Deckhand' },
    { id: 'c3', role: 'Chef', name: 'Dana Lee' },
  ],
  pricing: {
    currency: 'USD',
    base: 120000,
    captain: 25000,
    fuel: 8000,
    serviceFee: 15300,
    tax: 9800,
    tip: 20000,
    payout: 150000,
  },
  notes: 'Birthday on board.\nBring the cake stand.',
};

const crew: CrewMemberStatus[] = [
  { id: 'c1', role: 'Captain', name: 'Mike Torres', status: 'accepted', respondedAt: '2026-05-20T10:00:00Z' },
  { id: 'c2', role: 'Deckhand', status: 'accepted', respondedAt: '2026-05-20T11:00:00Z' },
  { id: 'c3', role: 'Chef', name: 'Dana Lee', status: 'declined', respondedAt: '2026-05-20T12:00:00Z' },
];

function input(overrides: Partial<OpsSummaryInput> = {}): OpsSummaryInput {
  return {
    tenantName: 'Bay Charters',
    booking,
    workflowId: 'booking-bay-boatsetter-bs-1001',
    crew,
    pages: [
      { site: 'nested', url: 'https://guests.example.com/g/carole-may-30-boatsetter-k3xq7abc' },
      { site: 'flat', url: 'https://www.example.com/g/carole-may-30-boatsetter-k3xq7abc.html' },
    ],
    jadaEventId: 'jada-evt-42',
    sccEventId: 'scc-evt-77',
    temporalUiUrl: 'http://localhost:8233/namespaces/default/workflows/booking-bay-boatsetter-bs-1001',
    ...overrides,
  };
}

describe('composeOpsSummary', () => {
  const summary = composeOpsSummary(input());

  it('says who, when (charter zone), which boat and how much crew is confirmed in the subject', () => {
    expect(summary.subject).toBe(
      'Booked: Carole Smith · Sat, May 30 10:00 AM PDT · Sea Breeze (2/3 crew confirmed, ⚠ 1 declined)',
    );
    expect(composeOpsSummary(input({ crew: crew.slice(0, 2) })).subject).toBe(
      'Booked: Carole Smith · Sat, May 30 10:00 AM PDT · Sea Breeze (2/2 crew confirmed)',
    );
    expect(composeOpsSummary(input({ crew: [] })).subject).toMatch(/\(no crew assigned\)$/);
  });

  it('adds up the guest total and shows payout and marketplace share', () => {
    // 1200 + 250 + 80 + 153 + 98 + 200 = 1981 dollars paid; 1500 paid out; 481 kept by the marketplace.
    for (const part of [summary.text, summary.html]) {
      expect(part).toContain('$1,981.00');
      expect(part).toContain('$1,500.00');
      expect(part).toContain('$481.00');
      for (const amount of ['$1,200.00', '$250.00', '$80.00', '$153.00', '$98.00', '$200.00'])
        expect(part).toContain(amount);
    }
    expect(summary.text).toMatch(/^Guest total +\$1,981\.00$/m);
    expect(summary.text).toMatch(/^Payout to operator +\$1,500\.00$/m);
    expect(summary.text).toMatch(/^Marketplace share +\$481\.00$/m);
    expect(summary.text).toMatch(/^Service fee +\$153\.00$/m);
  });

  it('leaves out payout and marketplace share when the source does not report a payout', () => {
    const noPayout = composeOpsSummary(
      input({ booking: { ...booking, pricing: { currency: 'USD', base: 50000, tax: 4000 } } }),
    );
    expect(noPayout.text).toMatch(/^Guest total +\$540\.00$/m);
    expect(noPayout.text).not.toContain('Payout');
    expect(noPayout.text).not.toContain('Marketplace');
  });

  it('formats other currencies by their own minor units', () => {
    const yen = composeOpsSummary(
      input({ booking: { ...booking, pricing: { currency: 'JPY', base: 150000, payout: 120000 } } }),
    );
    expect(yen.text).toMatch(/^Guest total +¥150,000$/m);
    expect(yen.text).toMatch(/^Marketplace share +¥30,000$/m);
  });

  it('flags crew who declined or did not answer, in text and HTML', () => {
    const roster: CrewMemberStatus[] = [
      ...crew,
      { id: 'c4', role: 'Deckhand', name: 'Sam Park', status: 'no-answer' },
      { id: 'c5', role: 'Steward', status: 'pending' },
    ];
    const s = composeOpsSummary(input({ crew: roster }));
    expect(s.subject).toContain('(2/5 crew confirmed, ⚠ 1 declined, 1 no answer)');
    expect(s.text).toMatch(/^Chef +Dana Lee \(c3\) +⚠ declined — find a replacement$/m);
    expect(s.text).toMatch(/^Deckhand +Sam Park \(c4\) +⚠ no answer — call them or find a replacement$/m);
    expect(s.text).toMatch(/^Captain +Mike Torres \(c1\) +✓ accepted$/m);
    expect(s.text).toMatch(/^Deckhand +c2 +✓ accepted$/m);
    expect(s.text).toMatch(/^Steward +c5 +… no answer yet$/m);
    expect(s.html).toMatch(/<td style="[^"]*color:#b00020[^"]*">⚠ declined — find a replacement<\/td>/);
    expect(s.html).toMatch(/<td style="[^"]*color:#b00020[^"]*">⚠ no answer — call them or find a replacement<\/td>/);
    expect(s.html).not.toMatch(/color:#b00020[^"]*">✓ accepted/);
  });

  it('gives guest contact, charter time in its zone, page links, ids, Temporal link and notes', () => {
    for (const part of [summary.text, summary.html]) {
      expect(part).toContain('carole@example.com');
      expect(part).toContain('+1 415 555 0100');
      expect(part).toContain('6 guests');
      expect(part).toContain('Sat, May 30, 2026, 10:00 AM – 1:00 PM PDT (America/Los_Angeles), 3 h');
      expect(part).toContain('https://guests.example.com/g/carole-may-30-boatsetter-k3xq7abc');
      expect(part).toContain('https://www.example.com/g/carole-may-30-boatsetter-k3xq7abc.html');
      expect(part).toContain('jada-evt-42');
      expect(part).toContain('scc-evt-77');
      expect(part).toContain('booking-bay-boatsetter-bs-1001');
      expect(part).toContain('boatsetter BS-1001');
    }
    expect(summary.text).toContain(
      'Temporal UI:  http://localhost:8233/namespaces/default/workflows/booking-bay-boatsetter-bs-1001',
    );
    expect(summary.html).toContain(
      '<a href="http://localhost:8233/namespaces/default/workflows/booking-bay-boatsetter-bs-1001">Open this workflow</a>',
    );
    expect(summary.html).toContain('<a href="mailto:carole@example.com">');
    expect(summary.html).toContain('<a href="tel:+14155550100">');
    expect(summary.text).toContain('NOTES\nBirthday on board.\nBring the cake stand.');
    expect(summary.html).toContain('<div style="white-space:pre-wrap">Birthday on board.\nBring the cake stand.</div>');
  });

  it('works without a Temporal UI link, notes or pages', () => {
    const bare = composeOpsSummary(
      input({ temporalUiUrl: undefined, pages: [], booking: { ...booking, notes: undefined } }),
    );
    expect(bare.text).not.toContain('Temporal UI');
    expect(bare.text).not.toContain('NOTES');
    expect(bare.text).toContain('GUEST PAGE\nNot published.');
    expect(bare.html).not.toContain('Open this workflow');
  });

  it('escapes hostile guest, boat, crew and notes text in the HTML and keeps the subject on one line', () => {
    const attack = '<script>alert(1)</script>';
    const hostile = composeOpsSummary(
      input({
        tenantName: `<b>Bay</b>`,
        booking: {
          ...booking,
          guest: { ...booking.guest, name: `${attack}\r\nBcc: victim@example.com` },
          boat: '"onmouseover=alert(1)',
          notes: attack,
        },
        crew: [{ id: 'c1', role: attack, name: '<img src=x onerror=alert(1)>', status: 'declined' }],
        pages: [{ site: attack, url: 'javascript:alert(1)' }],
        temporalUiUrl: 'javascript:alert(2)',
      }),
    );
    expect(hostile.html).not.toMatch(/<script|<img|<b>|href="javascript:/i);
    // The refused URL stays visible as text so ops can see what the site was given.
    expect(hostile.html).toContain('<a href="#">javascript:alert(1)</a>');
    expect(hostile.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(hostile.html).toContain('&quot;onmouseover=alert(1)');
    expect(hostile.html).toContain('<a href="#">Open this workflow</a>');
    expect(hostile.subject).not.toMatch(/[\r\n]/);
    expect(hostile.subject).toContain('<script>alert(1)</script> Bcc: victim@example.com');
    expect(hostile.text).toMatch(/^Guest: +<script>alert\(1\)<\/script> Bcc: victim@example.com$/m);
  });
});
