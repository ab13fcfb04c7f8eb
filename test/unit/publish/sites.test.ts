import type { Site } from '../../../src/config/tenant';
import { defaultSites, calendarLocation, expandSite, invalidationPaths } from '../../../src/publish/sites';
import { runGuestRewrite } from '../../../src/publish/cloudfront-function';

const slug = 'carole-may-30-boatsetter-abcd2345';
const [nested, flat] = defaultSites({
  nested: { bucket: 'nested-bucket', distributionId: 'ENESTED', domain: 'guests.example.com' },
  flat: { bucket: 'flat-bucket', distributionId: 'EFLAT', domain: 'http://127.0.0.1:8080/' },
}) as [Site, Site];

describe('defaultSites', () => {
  it('models the nested and the flat site', () => {
    expect(nested).toEqual({
      name: 'nested',
      bucket: 'nested-bucket',
      distributionId: 'ENESTED',
      objectKey: 'guests/{slug}/index.html',
      publicPath: '/g/{slug}',
      publicUrl: 'https://guests.example.com/g/{slug}',
    });
    expect(flat).toEqual({
      name: 'flat',
      bucket: 'flat-bucket',
      distributionId: 'EFLAT',
      objectKey: 'g/{slug}.html',
      publicPath: '/g/{slug}.html',
      publicUrl: 'http://127.0.0.1:8080/g/{slug}.html',
    });
  });
});

describe('expandSite', () => {
  it('fills the slug into key, path and URL', () => {
    expect(expandSite(nested, slug)).toEqual({
      name: 'nested',
      bucket: 'nested-bucket',
      distributionId: 'ENESTED',
      objectKey: `guests/${slug}/index.html`,
      publicPath: `/g/${slug}`,
      publicUrl: `https://guests.example.com/g/${slug}`,
    });
    expect(expandSite(flat, slug)).toMatchObject({
      objectKey: `g/${slug}.html`,
      publicPath: `/g/${slug}.html`,
      publicUrl: `http://127.0.0.1:8080/g/${slug}.html`,
    });
  });

  it('fills every occurrence', () => {
    const site: Site = { ...nested, objectKey: '{slug}/{slug}.html', publicPath: '/p/{slug}/{slug}' };
    expect(expandSite(site, 'ab')).toMatchObject({ objectKey: 'ab/ab.html', publicPath: '/p/ab/ab' });
  });

  it.each(['', 'Carole', '../x', 'a/b', 'a%2fb', '-a', 'a--b', 'a.html', 'x'.repeat(81), 'é'])(
    'rejects the slug %j',
    (bad) => {
      expect(() => expandSite(nested, bad)).toThrow(/not a valid guest page slug/);
    },
  );

  it('rejects templates that would put every guest under one key or path', () => {
    expect(() => expandSite({ ...nested, objectKey: 'guests/index.html' }, slug)).toThrow(
      /objectKey .* has no \{slug\}/,
    );
    expect(() => expandSite({ ...nested, publicPath: '/g/' }, slug)).toThrow(/publicPath/);
    expect(() => expandSite({ ...nested, objectKey: '/guests/{slug}.html' }, slug)).toThrow(/must not start/);
    expect(() => expandSite({ ...nested, publicPath: 'g/{slug}' }, slug)).toThrow(/must start/);
  });
});

describe('invalidationPaths', () => {
  it('covers the viewer path and the object path of the nested site', () => {
    expect(invalidationPaths(expandSite(nested, slug))).toEqual([`/g/${slug}`, `/guests/${slug}/index.html`]);
  });

  it('lists a path once when the viewer reads the object under its own key', () => {
    expect(invalidationPaths(expandSite(flat, slug))).toEqual([`/g/${slug}.html`]);
  });
});

describe('calendarLocation', () => {
  it('puts charter.ics beside a directory-index page, served under its own key', () => {
    expect(calendarLocation(expandSite(nested, slug))).toEqual({
      objectKey: `guests/${slug}/charter.ics`,
      publicPath: `/guests/${slug}/charter.ics`,
      publicUrl: `https://guests.example.com/guests/${slug}/charter.ics`,
    });
  });

  it('names the calendar after a page named for the slug', () => {
    expect(calendarLocation(expandSite(flat, slug))).toEqual({
      objectKey: `g/${slug}.ics`,
      publicPath: `/g/${slug}.ics`,
      publicUrl: `http://127.0.0.1:8080/g/${slug}.ics`,
    });
  });

  it('keeps a path prefix of the site, and falls back to the origin when the URL does not end in the path', () => {
    const prefixed: Site = { ...flat, publicUrl: 'https://example.com/charters/g/{slug}.html' };
    expect(calendarLocation(expandSite(prefixed, slug)).publicUrl).toBe(`https://example.com/charters/g/${slug}.ics`);
    const elsewhere: Site = { ...nested, publicUrl: 'https://example.com/guest?page={slug}' };
    expect(calendarLocation(expandSite(elsewhere, slug)).publicUrl).toBe(
      `https://example.com/guests/${slug}/charter.ics`,
    );
    const extensionless: Site = { ...nested, objectKey: 'pages/{slug}' };
    expect(calendarLocation(expandSite(extensionless, slug)).objectKey).toBe(`pages/${slug}.ics`);
  });

  it('refuses a public URL that is not a URL', () => {
    expect(() => calendarLocation(expandSite({ ...nested, publicUrl: 'guest page {slug}' }, slug))).toThrow(
      /is not a URL/,
    );
  });

  it('is served as is by the guest-rewrite function on both default sites', () => {
    for (const site of [nested, flat]) {
      const { publicPath } = calendarLocation(expandSite(site, slug));
      expect(runGuestRewrite(publicPath)).toEqual({ type: 'request', uri: publicPath });
    }
  });
});
