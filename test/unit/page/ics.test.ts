import fc from 'fast-check';
import type { Booking } from '../../../src/domain/booking';
import {
  calendarUid,
  escapeText,
  foldLine,
  icsUtc,
  renderCalendarFile,
  type CalendarFileInput,
} from '../../../src/page/ics';

const booking: Booking = {
  source: 'boatsetter',
  bookingId: 'BS-1001',
  guest: { name: 'Carole Smith', partySize: 6 },
  charter: { start: '2027-03-14T01:30:00-08:00', end: '2027-03-14T03:30:00-07:00', timeZone: 'America/Los_Angeles' },
  boat: 'Sea Breeze',
  pricing: { currency: 'USD', base: 120000 },
  notes: 'OPERATOR-ONLY',
};

function input(overrides: Partial<CalendarFileInput> = {}): CalendarFileInput {
  return {
    booking,
    slug: 'carole-mar-14-boatsetter-k3xq7abc',
    operator: { name: 'Bay Charters', phone: '+1 415 555 0199', email: 'ops@baycharters.example' },
    meetingPoint: { name: 'Pier 39, Dock B', directionsUrl: 'https://maps.example.com/?q=pier+39' },
    pageUrl: 'https://guests.example.com/g/carole-mar-14-boatsetter-k3xq7abc',
    now: Date.parse('2027-03-01T12:00:00Z'),
    ...overrides,
  };
}

/** RFC 5545 §3.1 unfolding: a CRLF followed by one space or tab is removed. */
function unfold(ics: string): string[] {
  return ics.replace(/\r\n[ \t]/g, '').split('\r\n');
}

function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

function property(ics: string, name: string): string | undefined {
  return unfold(ics)
    .find((line) => line.startsWith(`${name}:`))
    ?.slice(name.length + 1);
}

const ics = renderCalendarFile(input());

describe('renderCalendarFile', () => {
  it('is one VEVENT in one VCALENDAR, CRLF throughout, ending with CRLF', () => {
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = unfold(ics);
    expect(lines.slice(0, 6)).toEqual([
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//charter-fulfillment//Guest page//EN',
      'CALSCALE:GREGORIAN',
      'METHOD:PUBLISH',
      'BEGIN:VEVENT',
    ]);
    expect(lines.slice(-3)).toEqual(['END:VEVENT', 'END:VCALENDAR', '']);
    expect(lines.filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(1);
  });

  it('carries the instants in UTC: across the DST change, 1:30 PST to 3:30 PDT is 09:30Z to 10:30Z', () => {
    expect(property(ics, 'DTSTART')).toBe('20270314T093000Z');
    expect(property(ics, 'DTEND')).toBe('20270314T103000Z');
    expect(property(ics, 'DTSTAMP')).toBe('20270301T120000Z');
  });

  it('keeps the UID stable for a slug, so a re-import updates the entry', () => {
    expect(property(ics, 'UID')).toBe('carole-mar-14-boatsetter-k3xq7abc@charter-fulfillment');
    expect(property(renderCalendarFile(input({ now: Date.parse('2027-03-10T00:00:00Z') })), 'UID')).toBe(
      property(ics, 'UID'),
    );
    expect(calendarUid('a')).not.toBe(calendarUid('b'));
  });

  it('carries the booking revision as SEQUENCE under the same UID, 0 when not given', () => {
    expect(property(ics, 'SEQUENCE')).toBe('0');
    const revised = renderCalendarFile(input({ sequence: 3, now: Date.parse('2027-03-05T08:00:00Z') }));
    expect(property(revised, 'SEQUENCE')).toBe('3');
    expect(property(revised, 'UID')).toBe(property(ics, 'UID'));
    for (const sequence of [-1, 1.5, Number.NaN]) {
      expect(() => renderCalendarFile(input({ sequence }))).toThrow(
        expect.objectContaining({ name: 'PublishInputError' }),
      );
    }
  });

  it('says what, where, and how to reach the operator, never the operator notes', () => {
    expect(property(ics, 'SUMMARY')).toBe('Charter on Sea Breeze with Bay Charters');
    expect(property(ics, 'LOCATION')).toBe('Pier 39\\, Dock B');
    expect(unescapeText(property(ics, 'DESCRIPTION') ?? '')).toBe(
      [
        'Boat: Sea Breeze',
        'Party: 6 guests',
        'Meet at: Pier 39, Dock B',
        'Directions: https://maps.example.com/?q=pier+39',
        'Questions: Bay Charters (+1 415 555 0199, ops@baycharters.example)',
        'Your charter page: https://guests.example.com/g/carole-mar-14-boatsetter-k3xq7abc',
      ].join('\n'),
    );
    expect(property(ics, 'URL')).toBe('https://guests.example.com/g/carole-mar-14-boatsetter-k3xq7abc');
    expect(ics).not.toContain('OPERATOR-ONLY');
  });

  it('leaves out what it was not given and unsafe URLs, and percent-encodes line breaks in the rest', () => {
    const bare = renderCalendarFile(
      input({ meetingPoint: undefined, pageUrl: 'javascript:alert(1)', operator: { name: 'Bay Charters' } }),
    );
    expect(property(bare, 'LOCATION')).toBeUndefined();
    expect(property(bare, 'URL')).toBeUndefined();
    expect(unescapeText(property(bare, 'DESCRIPTION') ?? '')).toBe(
      'Boat: Sea Breeze\nParty: 6 guests\nQuestions: Bay Charters',
    );
    const injected = renderCalendarFile(input({ pageUrl: 'https://x.example/\r\nATTENDEE:mailto:evil@example.com' }));
    expect(property(injected, 'URL')).toBe('https://x.example/%0D%0AATTENDEE:mailto:evil@example.com');
    expect(unfold(injected).some((line) => line.startsWith('ATTENDEE'))).toBe(false);
  });

  it('escapes hostile text so it cannot end a property or add one', () => {
    const hostile = 'Sea; Breeze, \\ "boat"\r\nATTENDEE:mailto:evil@example.com\nEND:VEVENT\u0000';
    const page = renderCalendarFile(
      input({ booking: { ...booking, boat: hostile }, meetingPoint: { name: hostile }, operator: { name: hostile } }),
    );
    const lines = unfold(page);
    expect(lines.filter((l) => l.startsWith('ATTENDEE') || l === 'END:VEVENT')).toEqual(['END:VEVENT']);
    expect(property(page, 'LOCATION')).toBe(
      'Sea\\; Breeze\\, \\\\ "boat"\\nATTENDEE:mailto:evil@example.com\\nEND:VEVENT',
    );
    expect(unescapeText(property(page, 'LOCATION') ?? '')).toBe(
      'Sea; Breeze, \\ "boat"\nATTENDEE:mailto:evil@example.com\nEND:VEVENT',
    );
  });
});

describe('icsUtc', () => {
  it('formats any instant as UTC basic format', () => {
    expect(icsUtc('2026-12-31T20:00:00+13:00')).toBe('20261231T070000Z');
    expect(icsUtc(Date.UTC(2027, 0, 2, 3, 4, 5, 678))).toBe('20270102T030405Z');
  });
});

describe('escapeText', () => {
  it('escapes backslash, semicolon, comma and newlines, and drops controls', () => {
    expect(escapeText('a\\b;c,d\ne\r\nf\rg\th\u0001\u007f')).toBe('a\\\\b\\;c\\,d\\ne\\nf\\ng\th');
  });
});

describe('foldLine', () => {
  const octets = (s: string) => Buffer.byteLength(s, 'utf8');

  it('leaves a line of 75 octets alone and folds the 76th onto a continuation line', () => {
    expect(foldLine('x'.repeat(75))).toBe('x'.repeat(75));
    expect(foldLine('x'.repeat(76))).toBe(`${'x'.repeat(75)}\r\n x`);
  });

  it('property: lines of at most 75 octets, never a split character, unfolding restores the line', () => {
    const text = fc.string({ unit: fc.constantFrom('a', ',', 'é', '€', '東', '😀', '\\', ' '), maxLength: 400 });
    fc.assert(
      fc.property(text, (line) => {
        const folded = foldLine(`DESCRIPTION:${line}`);
        const physical = folded.split('\r\n');
        for (const [i, part] of physical.entries()) {
          expect(octets(part)).toBeLessThanOrEqual(75);
          if (i > 0) expect(part.startsWith(' ')).toBe(true);
          // A cut inside a character would leave a lone surrogate or U+FFFD after a round trip.
          expect(Buffer.from(part, 'utf8').toString('utf8')).toBe(part);
          expect(part).not.toMatch(/[\ud800-\udfff]/u);
        }
        expect(folded.replace(/\r\n /g, '')).toBe(`DESCRIPTION:${line}`);
      }),
      { numRuns: 300 },
    );
  });

  it('folds every line of a long, multi-byte calendar file', () => {
    const long = 'Sea Breeze Ⅱ — le bateau ⛵ '.repeat(12);
    const file = renderCalendarFile(input({ booking: { ...booking, boat: long }, meetingPoint: { name: long } }));
    for (const line of file.split('\r\n')) expect(octets(line)).toBeLessThanOrEqual(75);
    expect(unescapeText(property(file, 'LOCATION') ?? '')).toBe(long);
  });
});
