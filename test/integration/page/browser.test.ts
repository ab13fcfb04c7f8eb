import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import type { Booking } from '../../../src/domain/booking';
import type { CrewMemberStatus } from '../../../src/domain/crew';
import { renderGuestPage, type GuestPageInput } from '../../../src/page/render';
import { sampleBooking } from '../../../sim/samples';
import {
  collapseSpace,
  launchChromium,
  runAxe,
  startGuestSite,
  watchPage,
  type GuestSite,
  type PageActivity,
  type PublishedGuestPage,
} from '../../support/browser';

/**
 * The guest page in Debian's chromium, served the way guests get it: published to S3 (moto) by the
 * publishGuestPage activity and read through the local edge, which runs the repo's CloudFront Function.
 * Uploads go from the browser straight to the S3 stand-in through the presigned POST.
 */

const SCREENSHOTS = join(resolve(__dirname, '..', '..', '..'), '.data', 'screenshots');
/** Small, so the size check can be tried with a small file. */
const UPLOAD_MAX_BYTES = 64 * 1024;
/** A phone-sized viewport: the page is laid out for phones first. */
const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 };
// A 1x1 transparent PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

const CREW: CrewMemberStatus[] = [
  { id: 'crew-captain-ana', role: 'Captain', name: 'Ana Reyes', status: 'accepted' },
  { id: 'crew-mate-ben', role: 'Deckhand', name: 'Ben Okafor', status: 'accepted' },
  { id: 'crew-chef-dee', role: 'Chef', name: 'Dee Quinn', status: 'declined' },
];

let site: GuestSite;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [site, browser] = await Promise.all([startGuestSite({ uploadMaxBytes: UPLOAD_MAX_BYTES }), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

async function withPage<T>(
  fn: (page: Page, activity: PageActivity) => Promise<T>,
  options: BrowserContextOptions = PHONE,
): Promise<T> {
  const context = await browser.newContext(options);
  try {
    const page = await context.newPage();
    return await fn(page, watchPage(page));
  } finally {
    await context.close();
  }
}

async function open(page: Page, published: PublishedGuestPage): Promise<void> {
  const response = await page.goto(published.pageUrl);
  expect({ status: response?.status(), body: response?.ok() ? '' : await response?.text() }).toEqual({
    status: 200,
    body: '',
  });
  expect(response?.headers()['content-type']).toBe('text/html; charset=utf-8');
}

/** Elements whose box reaches past the right edge of <main>'s content box. */
const OVERFLOWING = `(() => {
  const main = document.querySelector('main');
  const edge = main.getBoundingClientRect().right - parseFloat(getComputedStyle(main).paddingRight);
  return [...main.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > edge + 0.5).map((e) => e.outerHTML.slice(0, 80));
})()`;

function expectQuiet(activity: PageActivity): void {
  expect(activity.errors).toEqual([]);
  expect(activity.dialogs).toEqual([]);
  // A CSP violation (a blocked inline script or style) shows up here as an error.
  expect(activity.console.filter((m) => m.type === 'error' || m.type === 'warning')).toEqual([]);
}

/** Text of the <dd> that follows the <dt> with this exact label, or null. */
function definition(page: Page, label: string): Promise<string | null> {
  return page.evaluate(
    `(() => { const dt = [...document.querySelectorAll('dt')].find((d) => d.textContent === ${JSON.stringify(label)});
      return dt && dt.nextElementSibling ? dt.nextElementSibling.textContent : null; })()`,
  );
}

describe('guest page in the upload window', () => {
  it('uploads a PNG straight to S3 and shows the thank-you state after the redirect', async () => {
    const published = await site.publish({ state: 'open', booking: sampleBooking(), crew: CREW });
    const pageOrigin = new URL(published.pageUrl).origin;

    await withPage(async (page, activity) => {
      await open(page, published);
      // The document is the only thing the page loads: no styles, scripts, fonts or images from anywhere.
      expect(activity.requests).toEqual([{ method: 'GET', url: published.pageUrl }]);
      expect(await page.isVisible('#upload-form')).toBe(true);
      expect(await page.isVisible('#upload-thanks')).toBe(false);
      // Laid out for the phone: nothing sticks out of the page's column.
      expect(await page.evaluate(OVERFLOWING)).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOTS, 'guest-page-open.png'), fullPage: true });
      const action = await page.getAttribute('#upload-form', 'action');
      expect(new URL(action ?? '').origin).toBe(site.s3Origin);

      // The request event carries no body for a file upload; an intercepting route does.
      let sent = '';
      await page.route(action ?? '', async (route) => {
        sent = route.request().postDataBuffer()?.toString('latin1') ?? '';
        await route.continue();
      });
      await page.setInputFiles('#upload-file', { name: 'sunset.png', mimeType: 'image/png', buffer: PNG });
      const [post] = await Promise.all([
        page.waitForRequest((r) => r.method() === 'POST'),
        page.click('button[type=submit]'),
      ]);
      await page.waitForURL((url) => url.searchParams.get('uploaded') === '1');
      await page.waitForSelector('#upload-thanks', { state: 'visible' });

      expect(post.url()).toBe(action);
      // What real S3 checks and moto does not: Content-Type present, an image type, and before the file.
      const names = [...sent.matchAll(/Content-Disposition: form-data; name="([^"]+)"/g)].map((m) => m[1]);
      expect(names.slice(-2)).toEqual(['Content-Type', 'file']);
      expect(/name="Content-Type"\r\n\r\n([^\r]*)\r\n/.exec(sent)?.[1]).toBe('image/png');
      expect(/name="key"\r\n\r\n([^\r]*)\r\n/.exec(sent)?.[1]).toMatch(
        new RegExp(`^uploads/${published.slug}/[a-z0-9]+-[a-z0-9]+-\\$\\{filename\\}$`),
      );
      expect(new URL(page.url()).pathname).toBe(new URL(published.pageUrl).pathname);
      expect(await page.textContent('#upload-thanks')).toBe('Thank you! Your photo arrived.');
      expect([...activity.origins()].sort()).toEqual([pageOrigin, site.s3Origin].sort());
      expectQuiet(activity);
    });

    const listed = await site.s3.send(
      new ListObjectsV2Command({ Bucket: site.uploadsBucket, Prefix: `uploads/${published.slug}/` }),
    );
    const keys = (listed.Contents ?? []).map((object) => object.Key ?? '');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(new RegExp(`^uploads/${published.slug}/[a-z0-9]+-[a-z0-9]+-sunset\\.png$`));
    const object = await site.s3.send(new GetObjectCommand({ Bucket: site.uploadsBucket, Key: keys[0] }));
    // The page's Content-Type field, set from the chosen file: the policy requires image/*.
    expect(object.ContentType).toBe('image/png');
    expect(Buffer.from((await object.Body?.transformToByteArray()) ?? []).equals(PNG)).toBe(true);
  });

  it('refuses a text file and an oversized photo on the page, without a request to S3', async () => {
    const published = await site.publish({ state: 'open', booking: sampleBooking(), crew: CREW });

    await withPage(async (page, activity) => {
      await open(page, published);
      activity.clear();
      const attempts = [
        {
          file: { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo\n') },
          message: 'That file type is not accepted. Please choose: JPEG, PNG, HEIC, WEBP.',
        },
        {
          file: {
            name: 'huge.png',
            mimeType: 'image/png',
            buffer: Buffer.concat([PNG, Buffer.alloc(UPLOAD_MAX_BYTES)]),
          },
          message: 'That photo is too large: the limit is 64 KB.',
        },
      ];
      for (const { file, message } of attempts) {
        await page.setInputFiles('#upload-file', file);
        await page.click('button[type=submit]');
        await page.waitForFunction(
          `document.getElementById('upload-message').textContent === ${JSON.stringify(message)}`,
        );
        // A submission the script failed to stop would be on its way by now.
        await page.waitForTimeout(300);
        expect(activity.requests).toEqual([]);
        expect(page.url()).toBe(published.pageUrl);
      }
      expectQuiet(activity);
    });

    const listed = await site.s3.send(
      new ListObjectsV2Command({ Bucket: site.uploadsBucket, Prefix: `uploads/${published.slug}/` }),
    );
    expect(listed.Contents ?? []).toEqual([]);
  });

  it('without JavaScript, hides the form (S3 would refuse it without a Content-Type) and says why', async () => {
    const published = await site.publish({ state: 'open', booking: sampleBooking(), crew: CREW });

    await withPage(
      async (page) => {
        await open(page, published);
        expect(await page.isVisible('#upload-form')).toBe(false);
        expect(collapseSpace((await page.textContent('noscript p')) ?? '')).toBe(
          'Uploading photos needs JavaScript. Please turn it on and reload this page, or email them to hello@jada.example.',
        );
        expect(await page.isVisible('noscript p')).toBe(true);
        // Everything else is still there to read.
        expect(await definition(page, 'Time')).toBe('10:00 AM PDT (America/Los_Angeles)');
      },
      { ...PHONE, javaScriptEnabled: false },
    );
  });

  it('hides the form of a cached page once the window has closed', async () => {
    // Rendered as open, but the browser's clock is past closesAt: as a page cached by a browser would be.
    const booking = sampleBooking({
      charter: {
        start: '2020-05-29T10:00:00-07:00',
        end: '2020-05-29T13:00:00-07:00',
        timeZone: 'America/Los_Angeles',
      },
    });
    const published = await site.publish({
      state: 'open',
      booking,
      crew: CREW,
      now: Date.parse('2020-05-30T00:00:00Z'),
    });

    await withPage(async (page, activity) => {
      await open(page, published);
      expect(await page.locator('#upload-form').count()).toBe(1);
      expect(await page.isVisible('#upload-form')).toBe(false);
      expect(await page.textContent('#upload-message')).toBe('Photo uploads have closed.');
      expectQuiet(activity);
    });
  });

  it('shows the charter: guest, local time with zone, duration, boat, meeting point, confirmed crew, calendar, contact', async () => {
    const published = await site.publish({ state: 'open', booking: sampleBooking(), crew: CREW });

    await withPage(async (page, activity) => {
      await open(page, published);
      expect(await page.title()).toBe('Your charter on Sat, May 29, 2027 · Sea Breeze');
      expect(await page.textContent('h1')).toBe('Hi Carole, your charter is booked!');
      expect(await page.textContent('.operator')).toBe('JADA Charters');
      expect(await definition(page, 'Date')).toBe('Sat, May 29, 2027');
      expect(await definition(page, 'Time')).toBe('10:00 AM PDT (America/Los_Angeles)');
      expect(await definition(page, 'Duration')).toBe('3 h, until 1:00 PM PDT');
      expect(await definition(page, 'Boat')).toBe('Sea Breeze');
      expect(await definition(page, 'Party')).toBe('6 guests');
      expect(await definition(page, 'Meet at')).toBe('Pier 39, Dock B · Directions');
      expect(await page.getAttribute('a:text-is("Directions")', 'href')).toBe('https://maps.example.com/?q=pier+39');
      expect(await page.locator('#crew-heading ~ ul > li').allTextContents()).toEqual([
        'Captain Ana Reyes',
        'Deckhand Ben Okafor',
      ]);
      expect(collapseSpace((await page.textContent('#contact-heading + p')) ?? '')).toBe(
        'Contact JADA Charters: +1 415 555 0100 · hello@jada.example',
      );
      expect(await page.getAttribute('meta[name=robots]', 'content')).toBe('noindex, nofollow');
      expect(await page.getAttribute('a[type="text/calendar"]', 'href')).toBe(published.calendarUrl);
      expect(Buffer.byteLength(published.html)).toBeLessThan(30 * 1024);
      expectQuiet(activity);

      // The page's CSP admits only its own script: anything injected is refused.
      await expect(page.addScriptTag({ content: 'window.__injected = 1' })).rejects.toThrow(/Content Security Policy/);
    });

    // The calendar file, through the edge, on both sites.
    const calendar = await fetch(published.calendarUrl);
    expect(calendar.status).toBe(200);
    expect(calendar.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const ics = await calendar.text();
    expect(ics).toContain('\r\nDTSTART:20270529T170000Z\r\nDTEND:20270529T200000Z\r\n');
    expect(ics).toContain(`\r\nUID:${published.slug}@charter-fulfillment\r\n`);
    const flat = await fetch(`${site.origins.flat}/g/${published.slug}.ics`);
    expect(flat.status).toBe(200);
    expect(await flat.text()).toBe(ics);
    expect(published.publication.pages.map((p) => p.calendarUrl)).toEqual([
      `${site.origins.nested}/guests/${published.slug}/charter.ics`,
      `${site.origins.flat}/g/${published.slug}.ics`,
    ]);
    const flatPage = await fetch(`${site.origins.flat}/g/${published.slug}.html`);
    expect(await flatPage.text()).toBe(published.html);
  });
});

describe('guest page outside the upload window', () => {
  it('says when uploads closed and offers no form', async () => {
    const published = await site.publish({ state: 'closed', booking: sampleBooking(), crew: CREW });

    await withPage(async (page, activity) => {
      await open(page, published);
      expect(await page.textContent('#photos-heading + p + p')).toBe(
        'Photo uploads closed on Tue, Jun 1, 2027 at 1:00 PM PDT.',
      );
      expect(await page.locator('form, input, noscript').count()).toBe(0);
      await page.screenshot({ path: join(SCREENSHOTS, 'guest-page-closed.png'), fullPage: true });
      expectQuiet(activity);
    });
  });

  it('says when uploads open', async () => {
    const published = await site.publish({ state: 'not-yet-open', booking: sampleBooking(), crew: CREW });

    await withPage(async (page, activity) => {
      await open(page, published);
      expect(await page.textContent('#photos-heading + p + p')).toBe(
        'Photo uploads open on Sat, May 22, 2027 at 10:00 AM PDT.',
      );
      expect(await page.locator('form').count()).toBe(0);
      expectQuiet(activity);
    });
  });
});

describe('accessibility (axe-core)', () => {
  it('finds no violations in the window (before and after an upload) and outside it, light and dark', async () => {
    const [open_, closed, notYet] = await Promise.all(
      (['open', 'closed', 'not-yet-open'] as const).map((state) =>
        site.publish({ state, booking: sampleBooking(), crew: CREW }),
      ),
    );
    const cases: [string, string, BrowserContextOptions][] = [
      ['open', open_!.pageUrl, PHONE],
      ['open, thank-you shown', `${open_!.pageUrl}?uploaded=1`, PHONE],
      ['open, dark', open_!.pageUrl, { ...PHONE, colorScheme: 'dark' }],
      ['closed', closed!.pageUrl, PHONE],
      ['closed, dark', closed!.pageUrl, { ...PHONE, colorScheme: 'dark' }],
      ['not yet open', notYet!.pageUrl, { viewport: { width: 1280, height: 800 } }],
    ];
    const results: Record<string, unknown[]> = {};
    for (const [name, url, options] of cases) {
      results[name] = await withPage(async (page) => {
        await page.goto(url);
        return runAxe(page);
      }, options);
    }
    expect(results).toEqual(Object.fromEntries(cases.map(([name]) => [name, []])));
  });
});

describe('time zones in the browser', () => {
  async function charter(start: string, end: string, timeZone: string) {
    const booking = sampleBooking({ charter: { start, end, timeZone } });
    const published = await site.publish({
      state: 'not-yet-open',
      booking,
      crew: CREW,
      now: Date.parse('2027-01-01T00:00:00Z'),
    });
    const shown = await withPage(async (page) => {
      await open(page, published);
      return {
        date: await definition(page, 'Date'),
        time: await definition(page, 'Time'),
        duration: await definition(page, 'Duration'),
      };
    });
    const ics = await (await fetch(published.calendarUrl)).text();
    const instant = (name: string) => new RegExp(`\\r\\n${name}:(\\d{8}T\\d{6}Z)\\r\\n`).exec(ics)?.[1];
    return { shown, dtstart: instant('DTSTART'), dtend: instant('DTEND') };
  }

  it('Los Angeles across the spring-forward change: 1:30 AM PST to 3:30 AM PDT is one hour', async () => {
    const result = await charter('2027-03-14T01:30:00-08:00', '2027-03-14T03:30:00-07:00', 'America/Los_Angeles');
    expect(result).toEqual({
      shown: {
        date: 'Sun, Mar 14, 2027',
        time: '1:30 AM PST (America/Los_Angeles)',
        duration: '1 h, until 3:30 AM PDT',
      },
      dtstart: '20270314T093000Z',
      dtend: '20270314T103000Z',
    });
  });

  it('Auckland across the end of daylight time: 1:30 AM NZDT to 2:30 AM NZST is two hours', async () => {
    const result = await charter('2027-04-04T01:30:00+13:00', '2027-04-04T02:30:00+12:00', 'Pacific/Auckland');
    expect(result).toEqual({
      shown: { date: 'Sun, Apr 4, 2027', time: '1:30 AM NZDT (Pacific/Auckland)', duration: '2 h, until 2:30 AM NZST' },
      dtstart: '20270403T123000Z',
      dtend: '20270403T143000Z',
    });
  });
});

describe('hostile text (property, in the browser)', () => {
  /** What the renderer leaves out because HTML cannot carry it (see escapeHtml). */
  const carried = (text: string) => text.replace(/(?![\t\n\f\r])[\p{Cc}\p{Cs}\p{Noncharacter_Code_Point}]/gu, '');
  const visible = (text: string) => collapseSpace(carried(text));

  const piece = fc.constantFrom(
    '<script>window.__pwned=1</script>',
    '<img src=x onerror="window.__pwned=1">',
    '"><svg onload=window.__pwned=1>',
    "' onfocus='window.__pwned=1' autofocus '",
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<base href="https://evil.example/">',
    '<style>*{display:none}</style>',
    '</title></style></script></textarea><plaintext>',
    '<!--',
    '-->',
    ']]>',
    '&amp;',
    '&lt;b&gt;',
    '&#x3C;',
    'javascript:window.__pwned=1',
    '{{7*7}}',
    '${1+1}',
    '\u0000',
    '\u0007',
    '\u202e',
    '\u00a0',
    '\r\n',
    '\t',
    ' ',
    'Zoë',
    '😀',
    'שרה',
    '東京',
  );
  const hostile = fc
    .array(fc.oneof(piece, fc.string({ maxLength: 4 })), { minLength: 1, maxLength: 5 })
    .map((parts) => parts.join(''));
  const named = hostile.filter((text) => text.trim() !== '');
  const crew = fc.array(fc.record({ role: named, name: fc.option(named, { nil: undefined }) }), { maxLength: 3 });

  const EXTRACT = `(() => {
    const dd = (label) => {
      const dt = [...document.querySelectorAll('dt')].find((d) => d.textContent === label);
      return dt && dt.nextElementSibling ? dt.nextElementSibling.textContent : null;
    };
    return {
      pwned: window.__pwned === undefined ? null : String(window.__pwned),
      title: document.title,
      greeting: document.querySelector('h1').textContent,
      operator: document.querySelector('.operator').textContent,
      boat: dd('Boat'),
      meetAt: dd('Meet at'),
      crew: [...document.querySelectorAll('#crew-heading ~ ul > li')].map((li) => ({ role: li.querySelector('strong').textContent, text: li.textContent })),
      contact: document.querySelector('#contact-heading + p').textContent,
      elements: document.querySelectorAll('*').length,
      scripts: document.scripts.length,
    };
  })()`;

  interface Extracted {
    pwned: string | null;
    title: string;
    greeting: string;
    operator: string;
    boat: string | null;
    meetAt: string | null;
    crew: { role: string; text: string }[];
    contact: string;
    elements: number;
    scripts: number;
  }

  function input(fields: {
    guest: string;
    boat: string;
    meetingPoint: string;
    operator: string;
    crew: { role: string; name?: string }[];
  }): GuestPageInput {
    const base = sampleBooking();
    const booking: Booking = { ...base, guest: { ...base.guest, name: fields.guest }, boat: fields.boat };
    return {
      booking,
      slug: 'carole-may-29-boatsetter-abcd2345',
      operator: { name: fields.operator, phone: '+1 415 555 0100', email: 'hello@jada.example' },
      meetingPoint: { name: fields.meetingPoint, directionsUrl: 'https://maps.example.com/?q=pier+39' },
      crew: fields.crew.map((member, i) => ({ id: `c${i}`, ...member, status: 'accepted' as const })),
      now: Date.parse('2027-05-01T00:00:00Z'),
      upload: { state: 'closed', opensAt: 0, closesAt: 1 },
      calendarFileUrl: 'https://guests.example.com/guests/carole-may-29-boatsetter-abcd2345/charter.ics',
    };
  }

  it('shows every guest, crew, boat, meeting point and operator string as text, and runs none of it', async () => {
    await withPage(async (page, activity) => {
      const load = async (html: string): Promise<Extracted> => {
        await page.setContent(html);
        return (await page.evaluate(EXTRACT)) as Extracted;
      };
      await fc.assert(
        fc.asyncProperty(
          fc.record({ guest: named, boat: hostile, meetingPoint: hostile, operator: hostile, crew }),
          async (fields) => {
            activity.clear();
            const shown = await load(renderGuestPage(input(fields)));
            const plain = await load(
              renderGuestPage(
                input({
                  guest: 'x',
                  boat: 'x',
                  meetingPoint: 'x',
                  operator: 'x',
                  crew: fields.crew.map((m) => ({ role: 'x', ...(m.name === undefined ? {} : { name: 'x' }) })),
                }),
              ),
            );

            const firstName = fields.guest.trim().split(/\s+/)[0] ?? '';
            expect(collapseSpace(shown.greeting)).toBe(visible(`Hi ${firstName}, your charter is booked!`));
            expect(collapseSpace(shown.title)).toBe(visible(`Your charter on Sat, May 29, 2027 · ${fields.boat}`));
            expect(collapseSpace(shown.operator)).toBe(visible(fields.operator));
            expect(collapseSpace(shown.boat ?? '')).toBe(visible(fields.boat));
            expect(collapseSpace(shown.meetAt ?? '')).toBe(visible(`${fields.meetingPoint} · Directions`));
            expect(shown.crew.map((m) => ({ role: collapseSpace(m.role), text: collapseSpace(m.text) }))).toEqual(
              fields.crew.map((m) => ({
                role: visible(m.role),
                text: visible(m.name === undefined ? m.role : `${m.role} ${m.name}`),
              })),
            );
            expect(collapseSpace(shown.contact)).toBe(
              visible(`Contact ${fields.operator}: +1 415 555 0100 · hello@jada.example`),
            );
            // Same elements as with harmless text: nothing in the input became markup.
            expect(shown.elements).toBe(plain.elements);
            expect(shown.scripts).toBe(1);
            expect(shown.pwned).toBeNull();
            expect(activity.requests).toEqual([]);
            expectQuiet(activity);
          },
        ),
        { numRuns: 25 },
      );
    });
  });
});
