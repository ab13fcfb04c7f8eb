import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { CrewMemberStatus } from '../../../src/domain/crew';
import { escapeAttr, escapeHtml } from '../../../src/html/escape';
import {
  INLINE_SOURCES,
  SCRIPT_SHA256,
  STYLE_SHA256,
  renderGuestPage,
  type GuestPageInput,
  type UploadState,
} from '../../../src/page/render';

const OPENS_AT = Date.parse('2026-05-30T13:00:00-07:00');
const CLOSES_AT = Date.parse('2026-06-06T13:00:00-07:00');

const openUpload: UploadState = {
  state: 'open',
  opensAt: OPENS_AT,
  closesAt: CLOSES_AT,
  form: {
    url: 'https://charter-photos.s3.us-west-2.amazonaws.com/',
    fields: {
      key: 'uploads/carole-may-30-boatsetter-k3xq7abc/${filename}',
      bucket: 'charter-photos',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIAEXAMPLE/20260530/us-west-2/s3/aws4_request',
      'X-Amz-Date': '20260530T200000Z',
      Policy: 'eyJleHBpcmF0aW9uIjoiMjAyNi0wNi0wNlQyMDowMDowMFoiLCJjb25kaXRpb25zIjpbXX0='.repeat(12),
      'X-Amz-Signature': 'a'.repeat(64),
      success_action_redirect: 'https://guests.example.com/g/carole-may-30-boatsetter-k3xq7abc?uploaded=1',
    },
    maxBytes: 20 * 1024 * 1024,
    accept: ['image/jpeg', 'image/png', 'image/heic'],
  },
};

function typicalInput(overrides: Partial<GuestPageInput> = {}): GuestPageInput {
  return {
    booking: {
      source: 'boatsetter',
      bookingId: 'BS-1001',
      guest: { name: 'Carole Smith', email: 'carole@example.com', phone: '+1 415 555 0100', partySize: 6 },
      charter: {
        start: '2026-05-30T10:00:00-07:00',
        end: '2026-05-30T13:00:00-07:00',
        timeZone: 'America/Los_Angeles',
      },
      boat: 'Sea Breeze',
      crew: [
        { id: 'c1', role: 'Captain', name: 'Mike Torres' },
        { id: 'c2', role: 'Deckhand' },
        { id: 'c3', role: 'Chef', name: 'Dana Lee' },
        { id: 'c4', role: 'Deckhand', name: 'Sam Park' },
      ],
      pricing: { currency: 'USD', base: 120000, payout: 100000 },
      notes: 'OPERATOR-ONLY: guest is a repeat complainer, comp the champagne',
    },
    slug: 'carole-may-30-boatsetter-k3xq7abc',
    operator: { name: 'Bay Charters', phone: '+1 (415) 555-0199', email: 'ops@baycharters.example' },
    meetingPoint: { name: 'Pier 39, Dock B', directionsUrl: 'https://maps.example.com/?q=pier+39' },
    crew: [
      { id: 'c1', role: 'Captain', name: 'Mike Torres', status: 'accepted' },
      { id: 'c2', role: 'Deckhand', status: 'accepted' },
      { id: 'c3', role: 'Chef', name: 'Dana Lee', status: 'declined' },
      { id: 'c4', role: 'Deckhand', name: 'Sam Park', status: 'no-answer' },
    ],
    now: Date.parse('2026-05-20T12:00:00Z'),
    upload: openUpload,
    calendarFileUrl: 'https://guests.example.com/g/carole-may-30-boatsetter-k3xq7abc.ics',
    ...overrides,
  };
}

function formOf(html: string): string {
  const match = /<form\b[\s\S]*?<\/form>/.exec(html);
  if (!match) throw new Error('no form in page');
  return match[0];
}

describe('renderGuestPage', () => {
  const html = renderGuestPage(typicalInput());

  it('is a self-contained HTML5 document that search engines must not index', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<meta name="robots" content="noindex, nofollow">');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toMatch(/<style>[^<]+<\/style>/);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('loads nothing from anywhere: no link, external script, image, frame, import or url()', () => {
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<script\b[^>]*\bsrc=/i);
    expect(html).not.toMatch(/<(img|iframe|object|embed|video|audio|source)\b/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html.match(/<script\b/g)).toHaveLength(1);
  });

  it('contains no http(s) URL that was not handed to it', () => {
    const given = [
      openUpload.form.url,
      'https://maps.example.com/?q=pier+39',
      'https://guests.example.com/g/carole-may-30-boatsetter-k3xq7abc.ics',
      ...Object.values(openUpload.form.fields),
    ].map(escapeAttr);
    const found = html.match(/https?:\/\/[^\s"'<>]+/gi) ?? [];
    expect(found.length).toBeGreaterThan(0);
    for (const url of found) expect(given).toContain(url);
  });

  it('greets the guest by first name', () => {
    expect(html).toContain('<h1>Hi Carole, your charter is booked!</h1>');
    expect(html).not.toContain('Smith');
  });

  it('changes the greeting once the charter is under way and once it is over', () => {
    const during = renderGuestPage(typicalInput({ now: Date.parse('2026-05-30T11:00:00-07:00') }));
    const after = renderGuestPage(typicalInput({ now: Date.parse('2026-05-30T13:00:00-07:00') }));
    expect(during).toContain('Hi Carole, enjoy your charter!');
    expect(after).toContain('Hi Carole, thanks for sailing with us!');
  });

  it('shows the charter in its own zone with abbreviation and IANA name, plus duration, boat, party', () => {
    expect(html).toContain('Sat, May 30, 2026');
    expect(html).toContain('10:00 AM PDT');
    expect(html).toContain('(America/Los_Angeles)');
    expect(html).toContain('<time datetime="2026-05-30T17:00:00.000Z">');
    expect(html).toContain('3 h, until <span class="nowrap">1:00 PM PDT</span>');
    expect(html).toContain('<dd>Sea Breeze</dd>');
    expect(html).toContain('<dd>6 guests</dd>');
  });

  it('shows the end date too when the charter runs past midnight, and other zones by their own rules', () => {
    const overnight = typicalInput();
    overnight.booking = {
      ...overnight.booking,
      guest: { ...overnight.booking.guest, partySize: 1 },
      charter: { start: '2026-12-31T20:00:00+13:00', end: '2027-01-01T01:30:00+13:00', timeZone: 'Pacific/Auckland' },
    };
    const page = renderGuestPage(overnight);
    expect(page).toContain('Thu, Dec 31, 2026');
    expect(page).toContain('8:00 PM NZDT');
    expect(page).toContain('5 h 30 min, until <span class="nowrap">Fri, Jan 1, 2027 at 1:30 AM NZDT</span>');
    expect(page).toContain('(Pacific/Auckland)');
    expect(page).toContain('<dd>1 guest</dd>');
  });

  function charterIn(start: string, end: string, timeZone: string): string {
    const input = typicalInput();
    input.booking = { ...input.booking, charter: { start, end, timeZone } };
    return renderGuestPage(input);
  }

  it('follows the instant across a DST change: 1:30 AM PST to 3:30 AM PDT is one hour', () => {
    const page = charterIn('2027-03-14T01:30:00-08:00', '2027-03-14T03:30:00-07:00', 'America/Los_Angeles');
    expect(page).toContain('<dd>Sun, Mar 14, 2027</dd>');
    expect(page).toContain('<span class="nowrap">1:30 AM PST</span>');
    expect(page).toContain('<time datetime="2027-03-14T09:30:00.000Z">');
    expect(page).toContain('<dd>1 h, until <span class="nowrap">3:30 AM PDT</span></dd>');
    // The same wall-clock start on either side of the change carries that side's abbreviation.
    expect(charterIn('2027-03-13T10:00:00-08:00', '2027-03-13T12:00:00-08:00', 'America/Los_Angeles')).toContain(
      '10:00 AM PST',
    );
    expect(charterIn('2027-03-15T10:00:00-07:00', '2027-03-15T12:00:00-07:00', 'America/Los_Angeles')).toContain(
      '10:00 AM PDT',
    );
  });

  it('names zones by the abbreviation their own English uses, else by offset, always with the IANA name', () => {
    const cases: [string, string, string][] = [
      ['2027-07-10T10:00:00+12:00', 'Pacific/Auckland', '10:00 AM NZST'],
      ['2027-07-10T10:00:00+01:00', 'Europe/London', '10:00 AM BST'],
      ['2027-01-10T10:00:00Z', 'Europe/London', '10:00 AM GMT'],
      ['2027-07-10T10:00:00+02:00', 'Europe/Paris', '10:00 AM CEST'],
      ['2027-07-10T10:00:00+10:00', 'Australia/Sydney', '10:00 AM AEST'],
      ['2027-07-10T10:00:00-10:00', 'Pacific/Honolulu', '10:00 AM HST'],
      ['2027-07-10T10:00:00+09:00', 'Asia/Tokyo', '10:00 AM GMT+9'],
    ];
    for (const [start, zone, text] of cases) {
      const end = new Date(Date.parse(start) + 3600_000).toISOString();
      const page = charterIn(start, end, zone);
      expect(page).toContain(`<span class="nowrap">${text}</span>`);
      expect(page).toContain(`(${zone})`);
    }
  });

  it('shows the meeting point with directions, operator contact and the calendar file', () => {
    expect(html).toContain(
      'Pier 39, Dock B · <a href="https://maps.example.com/?q=pier+39" rel="noreferrer">Directions</a>',
    );
    expect(html).toContain('<a href="tel:+14155550199">+1 (415) 555-0199</a>');
    expect(html).toContain('<a href="mailto:ops@baycharters.example">ops@baycharters.example</a>');
    expect(html).toContain(
      '<a href="https://guests.example.com/g/carole-may-30-boatsetter-k3xq7abc.ics" type="text/calendar">Add to your calendar (.ics)</a>',
    );
  });

  it('leaves out the meeting point, directions and calendar link when not given', () => {
    const page = renderGuestPage(
      typicalInput({
        meetingPoint: { name: 'Slip 12' },
        calendarFileUrl: undefined,
        operator: { name: 'Bay Charters' },
      }),
    );
    expect(page).toContain('<dd>Slip 12</dd>');
    expect(page).not.toContain('Directions');
    expect(page).not.toContain('.ics');
    expect(page).toContain('<p>Contact Bay Charters.</p>');
    expect(renderGuestPage(typicalInput({ meetingPoint: undefined }))).not.toContain('Meet at');
  });

  it('lists only crew who accepted, with role and name or role alone', () => {
    expect(html).toContain('<li><strong>Captain</strong> Mike Torres</li>');
    expect(html).toContain('<li><strong>Deckhand</strong></li>');
    expect(html).not.toContain('Dana Lee');
    expect(html).not.toContain('Sam Park');
    expect(html).not.toContain('Chef');
    expect(html.match(/<li>/g)).toHaveLength(2);
    expect(html).not.toContain('confirmed soon');
  });

  it('says the crew will be confirmed soon when nobody has accepted yet', () => {
    const crew: CrewMemberStatus[] = [
      { id: 'c1', role: 'Captain', name: 'Mike Torres', status: 'pending' },
      { id: 'c2', role: 'Deckhand', status: 'declined' },
    ];
    const page = renderGuestPage(typicalInput({ crew }));
    expect(page).toContain('<p>Your crew will be confirmed soon.</p>');
    expect(page).not.toContain('Mike Torres');
    expect(renderGuestPage(typicalInput({ crew: [] }))).toContain('Your crew will be confirmed soon.');
  });

  it('never shows the operator notes', () => {
    expect(html).not.toContain('OPERATOR-ONLY');
    expect(html).not.toContain('champagne');
  });

  describe('photo upload', () => {
    it('when open: a multipart POST to the presigned URL with every field, then the file input last', () => {
      const form = formOf(html);
      expect(form).toContain(
        '<form id="upload-form" method="post" enctype="multipart/form-data" action="https://charter-photos.s3.us-west-2.amazonaws.com/"',
      );
      for (const [name, value] of Object.entries(openUpload.form.fields)) {
        expect(form).toContain(`<input type="hidden" name="${escapeAttr(name)}" value="${escapeAttr(value)}">`);
      }
      const names = [...form.matchAll(/\bname="([^"]*)"/g)].map((m) => m[1]);
      expect(names).toEqual([...Object.keys(openUpload.form.fields), 'Content-Type', 'file']);
      expect(form).toContain('<input type="hidden" name="Content-Type" value="">');
      expect(form).toContain('accept="image/jpeg,image/png,image/heic"');
      expect(form).toContain('JPEG, PNG, HEIC, up to 20 MB each');
      expect(html).toContain('until Sat, Jun 6, 2026 at 1:00 PM PDT');
    });

    it('labels the file input and ties it to its hint', () => {
      const form = formOf(html);
      expect(form).toContain('<label for="upload-file">Choose a photo</label>');
      expect(form).toMatch(/<input type="file" id="upload-file" name="file"[^>]* aria-describedby="upload-hint">/);
      expect(form).toContain('<p id="upload-hint">');
      expect(html).toContain('<p id="upload-message" role="status" aria-live="polite"></p>');
    });

    it('keeps a presigned field called "file" from getting ahead of the real file input', () => {
      const upload: UploadState = { ...openUpload, form: { ...openUpload.form, fields: { key: 'k', file: 'x' } } };
      const form = formOf(renderGuestPage(typicalInput({ upload })));
      expect([...form.matchAll(/\bname="([^"]*)"/g)].map((m) => m[1])).toEqual(['key', 'Content-Type', 'file']);
    });

    it('sends one Content-Type, right before the file, starting from a value the policy carries', () => {
      const fields = { 'content-type': 'image/jpeg', key: 'k' };
      const form = formOf(
        renderGuestPage(typicalInput({ upload: { ...openUpload, form: { ...openUpload.form, fields } } })),
      );
      expect([...form.matchAll(/\bname="([^"]*)"/g)].map((m) => m[1])).toEqual(['key', 'Content-Type', 'file']);
      expect(form).toContain('<input type="hidden" name="Content-Type" value="image/jpeg">');
    });

    it('ships the form hidden for the script to reveal, and tells guests without JavaScript what to do', () => {
      expect(formOf(html)).toMatch(/^<form id="upload-form" [^>]* hidden>/);
      expect(html).toContain(
        '<noscript><p>Uploading photos needs JavaScript. Please turn it on and reload this page, or email them to ' +
          '<a href="mailto:ops@baycharters.example">ops@baycharters.example</a>.</p></noscript>',
      );
      const noEmail = renderGuestPage(typicalInput({ operator: { name: 'Bay Charters' } }));
      expect(noEmail).toContain(
        '<noscript><p>Uploading photos needs JavaScript. Please turn it on and reload this page.</p></noscript>',
      );
    });

    it('when not yet open: says when uploads open, no form', () => {
      const page = renderGuestPage(
        typicalInput({ upload: { state: 'not-yet-open', opensAt: OPENS_AT, closesAt: CLOSES_AT } }),
      );
      expect(page).toContain('<p>Photo uploads open on Sat, May 30, 2026 at 1:00 PM PDT.</p>');
      expect(page).not.toMatch(/<form|<input|<noscript/);
    });

    it('when closed: says when uploads closed, no form', () => {
      const page = renderGuestPage(
        typicalInput({ upload: { state: 'closed', opensAt: OPENS_AT, closesAt: CLOSES_AT } }),
      );
      expect(page).toContain('<p>Photo uploads closed on Sat, Jun 6, 2026 at 1:00 PM PDT.</p>');
      expect(page).not.toMatch(/<form|<input|<noscript/);
    });

    it('carries a thank-you note, hidden until the script sees ?uploaded=1', () => {
      for (const upload of [openUpload, { state: 'closed', opensAt: OPENS_AT, closesAt: CLOSES_AT } as const]) {
        expect(renderGuestPage(typicalInput({ upload }))).toMatch(/<p id="upload-thanks"[^>]* hidden>Thank you!/);
      }
    });
  });

  describe('hostile input', () => {
    const attack = '<script>alert(1)</script>';
    const attr = '"onmouseover=alert(1) x="';
    const hostile = typicalInput({
      operator: { name: attack, phone: '"><b>', email: `x@y.z"${attack}` },
      meetingPoint: { name: attr, directionsUrl: 'javascript:alert(document.cookie)' },
      crew: [{ id: 'c1', role: attack, name: attr, status: 'accepted' }],
      calendarFileUrl: ' JavaScript:alert(1)',
      upload: {
        ...openUpload,
        form: {
          ...openUpload.form,
          url: 'javascript:alert(1)',
          fields: { [`k"${attack}`]: `v"><script>alert(2)</script>` },
          accept: [`image/png"${attack}`],
        },
      },
    });
    hostile.booking = { ...hostile.booking, guest: { ...hostile.booking.guest, name: attack }, boat: attr };
    const page = renderGuestPage(hostile);

    it('escapes every guest, crew, operator and booking string', () => {
      expect(page.match(/<script\b/g)).toHaveLength(1);
      expect(page).not.toContain('<b>');
      expect(page).not.toMatch(/\sonmouseover=/i);
      expect(page).toContain('Hi &lt;script&gt;alert(1)&lt;/script&gt;,');
      expect(page).toContain('<dd>&quot;onmouseover=alert(1) x=&quot;</dd>');
      expect(page).toContain('<li><strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong> &quot;onmouseover');
    });

    it('turns javascript: links and form actions into #', () => {
      expect(page).not.toMatch(/javascript:/i);
      expect(page).toContain('<a href="#" rel="noreferrer">Directions</a>');
      expect(page).toContain('<a href="#" type="text/calendar">');
      expect(page).toContain('action="#"');
    });

    it('attribute-escapes presigned fields and accepted types', () => {
      expect(page).toContain(
        '<input type="hidden" name="k&quot;&lt;script&gt;alert(1)&lt;/script&gt;" value="v&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;">',
      );
      // A malformed type is left out rather than escaped: the accept attribute takes media types only.
      expect(page).toMatch(/<input type="file" id="upload-file" name="file" required/);
      expect(page).not.toContain('image/png&quot;');
    });
  });

  it('property: no "<" or ">" from guest name, boat or crew reaches the page unescaped', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
      fc.constantFrom(
        '<script>alert(1)</script>',
        '"onmouseover=alert(1)',
        "'><img src=x onerror=alert(1)>",
        '</title><b>',
      ),
    );
    const nonBlank = text.filter((s) => s.trim().length > 0);
    const count = (s: string, c: string) => s.split(c).length - 1;
    fc.assert(
      fc.property(
        nonBlank,
        nonBlank,
        fc.array(fc.record({ role: text, name: fc.option(text, { nil: undefined }) }), { maxLength: 4 }),
        (name, boat, crew) => {
          const render = (guestName: string, boatName: string, roster: typeof crew) => {
            const input = typicalInput({
              crew: roster.map((m, i) => ({ id: `c${i}`, role: m.role, name: m.name, status: 'accepted' as const })),
            });
            input.booking = { ...input.booking, guest: { ...input.booking.guest, name: guestName }, boat: boatName };
            return renderGuestPage(input);
          };
          const page = render(name, boat, crew);
          // Same structure with harmless text: any extra angle bracket can only have come from the input.
          const benign = render(
            'x',
            'x',
            crew.map((m) => ({ role: 'x', name: m.name === undefined ? undefined : 'x' })),
          );
          expect(count(page, '<')).toBe(count(benign, '<'));
          expect(count(page, '>')).toBe(count(benign, '>'));
          expect(page).toContain(`<dd>${escapeHtml(boat)}</dd>`);
          for (const m of crew) expect(page).toContain(`<strong>${escapeHtml(m.role)}</strong>`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stays under 30 KB, even with a long roster, long names and a large policy', () => {
    expect(Buffer.byteLength(html, 'utf8')).toBeLessThan(30 * 1024);
    const long = 'W'.repeat(120);
    const crew: CrewMemberStatus[] = Array.from({ length: 20 }, (_, i) => ({
      id: `c${i}`,
      role: 'R'.repeat(60),
      name: long,
      status: 'accepted',
    }));
    const big = typicalInput({
      crew,
      upload: {
        ...openUpload,
        form: { ...openUpload.form, fields: { ...openUpload.form.fields, Policy: 'p'.repeat(4000) } },
      },
    });
    big.booking = { ...big.booking, guest: { ...big.booking.guest, name: long }, boat: long };
    expect(Buffer.byteLength(renderGuestPage(big), 'utf8')).toBeLessThan(30 * 1024);
  });

  it('pins the inline script and style with CSP hashes that match what is rendered', () => {
    const sha = (text: string) => `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
    // When this fails after editing SCRIPT or STYLE, copy the computed hash into render.ts.
    expect(sha(INLINE_SOURCES.script)).toBe(SCRIPT_SHA256);
    expect(sha(INLINE_SOURCES.style)).toBe(STYLE_SHA256);
    expect(html).toContain(`<script>${INLINE_SOURCES.script}</script>`);
    expect(html).toContain(`<style>${INLINE_SOURCES.style}</style>`);
    expect(html).toContain(`script-src &#39;${SCRIPT_SHA256}&#39;`);
    expect(html).toContain('default-src &#39;none&#39;');
  });
});
