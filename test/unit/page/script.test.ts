import { runInNewContext } from 'node:vm';
import { renderGuestPage, type GuestPageInput, type UploadState } from '../../../src/page/render';

/**
 * Runs the page's inline script against the handful of DOM members it touches, so its checks are
 * tested as shipped rather than re-implemented here.
 */

const CLOSES_AT = Date.parse('2026-06-06T13:00:00-07:00');

function page(upload: UploadState): string {
  const input: GuestPageInput = {
    booking: {
      source: 'direct',
      bookingId: 'D-7',
      guest: { name: 'Ana Ruiz', partySize: 2 },
      charter: {
        start: '2026-05-30T10:00:00-07:00',
        end: '2026-05-30T12:00:00-07:00',
        timeZone: 'America/Los_Angeles',
      },
      boat: 'Sea Breeze',
      pricing: { currency: 'USD', base: 50000 },
    },
    slug: 'ana-may-30-direct-abcdefgh',
    operator: { name: 'Bay Charters' },
    crew: [],
    now: Date.parse('2026-05-31T12:00:00Z'),
    upload,
  };
  return renderGuestPage(input);
}

const open: UploadState = {
  state: 'open',
  opensAt: Date.parse('2026-05-30T12:00:00-07:00'),
  closesAt: CLOSES_AT,
  form: {
    url: 'https://b.s3.amazonaws.com/',
    fields: { key: 'uploads/x/${filename}' },
    maxBytes: 5 * 1024 * 1024,
    accept: ['image/jpeg', 'image/png'],
  },
};

function decode(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

interface FakeFile {
  type: string;
  size: number;
  name?: string;
}

function load(html: string, env: { search?: string; now: number; file?: FakeFile }) {
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (script === undefined) throw new Error('no inline script');
  const formTag = /<form\b[^>]*>/.exec(html)?.[0];
  const attributes = new Map(
    [...(formTag ?? '').matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1], decode(m[2] ?? '')]),
  );
  let onSubmit: ((event: { preventDefault(): void }) => void) | undefined;
  const hiddenValue = (name: string) => {
    const input = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(html);
    return input ? { value: decode(input[1] ?? '') } : null;
  };
  const inputs: Record<string, unknown> = {
    file: { files: env.file ? [env.file] : [] },
    key: hiddenValue('key'),
    'Content-Type': hiddenValue('Content-Type'),
  };
  const form = {
    hidden: / hidden$/.test(formTag?.slice(0, -1) ?? ''),
    getAttribute: (name: string) => attributes.get(name) ?? null,
    addEventListener: (type: string, handler: typeof onSubmit) => {
      if (type === 'submit') onSubmit = handler;
    },
    elements: { namedItem: (name: string) => inputs[name] ?? null },
  };
  const message = { textContent: '' };
  const thanks = { hidden: /<p id="upload-thanks"[^>]* hidden>/.test(html) };
  const elements: Record<string, unknown> = { 'upload-message': message, 'upload-thanks': thanks };
  if (formTag) elements['upload-form'] = form;
  runInNewContext(script, {
    document: { getElementById: (id: string) => elements[id] ?? null },
    location: { search: env.search ?? '' },
    Date: { now: () => env.now },
  });
  return {
    form,
    message,
    thanks,
    field: (name: 'key' | 'Content-Type') => (inputs[name] as { value: string } | null)?.value,
    submit(): 'sent' | 'blocked' {
      if (!onSubmit) throw new Error('no submit handler');
      let blocked = false;
      onSubmit({ preventDefault: () => (blocked = true) });
      return blocked ? 'blocked' : 'sent';
    },
  };
}

const beforeClose = CLOSES_AT - 60_000;

describe('guest page script', () => {
  it('reveals the form it was shipped hidden with', () => {
    expect(/<form\b[^>]* hidden>/.test(page(open))).toBe(true);
    expect(load(page(open), { now: beforeClose }).form.hidden).toBe(false);
  });

  it('lets an accepted photo within the size limit through, with its type as Content-Type', () => {
    const p = load(page(open), { now: beforeClose, file: { type: 'image/png', size: 5 * 1024 * 1024 } });
    expect(p.field('Content-Type')).toBe('');
    expect(p.submit()).toBe('sent');
    expect(p.field('Content-Type')).toBe('image/png');
    expect(p.message.textContent).toMatch(/^Uploading/);
  });

  it("gives every upload its own key under the signed prefix, keeping S3's ${filename}", () => {
    const p = load(page(open), { now: beforeClose, file: { type: 'image/jpeg', size: 10, name: 'image.jpg' } });
    p.submit();
    const first = p.field('key');
    p.submit();
    const second = p.field('key');
    for (const key of [first, second]) expect(key).toMatch(/^uploads\/x\/[a-z0-9]+-[a-z0-9]+-\$\{filename\}$/);
    // iOS names every photo from the library image.jpg: without this, each upload would replace the last.
    expect(second).not.toBe(first);
  });

  it('infers the type from the extension when the browser reports none (HEIC on most desktops)', () => {
    const heic: UploadState = { ...open, form: { ...open.form, accept: ['image/jpeg', 'image/heic'] } };
    const p = load(page(heic), { now: beforeClose, file: { type: '', size: 10, name: 'IMG_0001.HEIC' } });
    expect(p.submit()).toBe('sent');
    expect(p.field('Content-Type')).toBe('image/heic');
    for (const name of ['notes', 'x.txt', 'x.constructor', 'x.__proto__', 'x.heic.txt']) {
      const q = load(page(heic), { now: beforeClose, file: { type: '', size: 10, name } });
      expect(q.submit()).toBe('blocked');
      expect(q.field('Content-Type')).toBe('');
    }
  });

  it('stops a file of another type and says which types are accepted', () => {
    const p = load(page(open), { now: beforeClose, file: { type: 'application/pdf', size: 1000 } });
    expect(p.submit()).toBe('blocked');
    expect(p.message.textContent).toBe('That file type is not accepted. Please choose: JPEG, PNG.');
    expect(p.field('Content-Type')).toBe('');
  });

  it('stops a photo over the limit and names the limit', () => {
    const p = load(page(open), { now: beforeClose, file: { type: 'image/jpeg', size: 5 * 1024 * 1024 + 1 } });
    expect(p.submit()).toBe('blocked');
    expect(p.message.textContent).toBe('That photo is too large: the limit is 5 MB.');
  });

  it('asks for a photo when none is chosen', () => {
    const p = load(page(open), { now: beforeClose });
    expect(p.submit()).toBe('blocked');
    expect(p.message.textContent).toBe('Please choose a photo first.');
  });

  it('accepts wildcard types such as image/*', () => {
    const any: UploadState = { ...open, form: { ...open.form, accept: ['image/*'] } };
    expect(load(page(any), { now: beforeClose, file: { type: 'image/heic', size: 10 } }).submit()).toBe('sent');
    expect(load(page(any), { now: beforeClose, file: { type: 'video/mp4', size: 10 } }).submit()).toBe('blocked');
  });

  it('hides the form when the page is loaded after the window closed', () => {
    const p = load(page(open), { now: CLOSES_AT });
    expect(p.form.hidden).toBe(true);
    expect(p.message.textContent).toBe('Photo uploads have closed.');
  });

  it('hides the form when the window closes while the page is open', () => {
    const env = { now: beforeClose, file: { type: 'image/png', size: 10 } };
    const p = load(page(open), env);
    expect(p.form.hidden).toBe(false);
    env.now = CLOSES_AT + 1;
    expect(p.submit()).toBe('blocked');
    expect(p.form.hidden).toBe(true);
  });

  it('shows the thank-you note only after an upload redirect', () => {
    expect(load(page(open), { now: beforeClose, search: '?uploaded=1' }).thanks.hidden).toBe(false);
    expect(load(page(open), { now: beforeClose, search: '?x=1&uploaded=1' }).thanks.hidden).toBe(false);
    expect(load(page(open), { now: beforeClose, search: '?uploaded=10' }).thanks.hidden).toBe(true);
    expect(load(page(open), { now: beforeClose }).thanks.hidden).toBe(true);
  });

  it('runs without a form and still thanks the guest', () => {
    const closed = page({ state: 'closed', opensAt: open.opensAt, closesAt: CLOSES_AT });
    expect(load(closed, { now: CLOSES_AT + 1, search: '?uploaded=1' }).thanks.hidden).toBe(false);
  });
});
