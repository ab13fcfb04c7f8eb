import { createContext, runInContext } from 'node:vm';
import fc from 'fast-check';
import { isValidSlug } from '../../../src/domain/slug';
import {
  loadGuestRewriteSource,
  runGuestRewrite,
  type GuestRewriteResult,
} from '../../../src/publish/cloudfront-function';

const notFound: GuestRewriteResult = { type: 'response', statusCode: 404 };
const to = (uri: string): GuestRewriteResult => ({ type: 'request', uri });
const slug80 = `${'a'.repeat(39)}-${'b'.repeat(40)}`;

describe('guest-rewrite CloudFront Function', () => {
  it.each<[string, GuestRewriteResult]>([
    // Well-formed guest paths on the nested site.
    ['/g/carole-may-30-boatsetter-abcd2345', to('/guests/carole-may-30-boatsetter-abcd2345/index.html')],
    ['/g/carole-may-30-boatsetter-abcd2345/', to('/guests/carole-may-30-boatsetter-abcd2345/index.html')],
    ['/g/a', to('/guests/a/index.html')],
    ['/g/0', to('/guests/0/index.html')],
    [`/g/${slug80}`, to(`/guests/${slug80}/index.html`)],
    // The flat site's objects (page and calendar file) pass through under their own key.
    ['/g/carole-may-30-boatsetter-abcd2345.html', to('/g/carole-may-30-boatsetter-abcd2345.html')],
    [`/g/${slug80}.html`, to(`/g/${slug80}.html`)],
    ['/g/carole-may-30-boatsetter-abcd2345.ics', to('/g/carole-may-30-boatsetter-abcd2345.ics')],
    ['/g/a.ics', to('/g/a.ics')],
    [`/g/${slug80}.ics`, to(`/g/${slug80}.ics`)],
    // The nested site's calendar file is outside /g/ and served under its own key.
    [
      '/guests/carole-may-30-boatsetter-abcd2345/charter.ics',
      to('/guests/carole-may-30-boatsetter-abcd2345/charter.ics'),
    ],
    // Everything outside /g/ is left alone.
    ['/', to('/')],
    ['/index.html', to('/index.html')],
    ['/g', to('/g')],
    ['/guests/a/index.html', to('/guests/a/index.html')],
    ['/assets/site.css', to('/assets/site.css')],
    // Malformed: answered here, never rewritten to another key.
    ['/g/', notFound],
    ['/g//x', notFound],
    ['/g//', notFound],
    ['/g/../x', notFound],
    ['/g/..', notFound],
    ['/g/.', notFound],
    ['/g/a%2f..', notFound],
    ['/g/a%2F..', notFound],
    ['/g/%61', notFound],
    ['/g/a%20b', notFound],
    ['/g/Carole', notFound],
    ['/g/CAROLE.html', notFound],
    ['/g/a/b', notFound],
    ['/g/a/b/', notFound],
    ['/g/a//', notFound],
    ['/g/a/index.html', notFound],
    ['/g/-a', notFound],
    ['/g/a-', notFound],
    ['/g/a--b', notFound],
    ['/g/a_b', notFound],
    ['/g/a.b', notFound],
    ['/g/.html', notFound],
    ['/g/a.html/', notFound],
    ['/g/a.htm', notFound],
    ['/g/a.HTML', notFound],
    ['/g/é', notFound],
    [`/g/${slug80}x`, notFound],
    [`/g/${slug80}x/`, notFound],
    [`/g/${slug80}x.html`, notFound],
    ['/g/.ics', notFound],
    ['/g/-.ics', notFound],
    ['/g/a-.ics', notFound],
    ['/g/A.ics', notFound],
    ['/g/a.ICS', notFound],
    ['/g/a.ics/', notFound],
    ['/g/a.ical', notFound],
    ['/g/a.ics.html', notFound],
    ['/g/a.html.ics', notFound],
    ['/g/a.ics%00', notFound],
    ['/g/a%2eics', notFound],
    ['/g/../x.ics', notFound],
    ['/g/..%2fx.ics', notFound],
    ['/g/a%2f..%2fb.ics', notFound],
    ['/g/a/b.ics', notFound],
    ['/g/a/charter.ics', notFound],
    ['/g/a.ics\n', notFound],
    [`/g/${slug80}x.ics`, notFound],
  ])('%s', (uri, expected) => {
    expect(runGuestRewrite(uri)).toEqual(expected);
  });

  it("property: any URI is left alone, answered 404, or rewritten only from /g/{slug} to that slug's page", () => {
    const piece = fc.constantFrom(
      '/',
      'g',
      'a',
      'b-c',
      '-',
      '.',
      '..',
      '%2f',
      '%2F',
      '%2e',
      '.html',
      '.ics',
      'index.html',
      'A',
      '%00',
      'é',
      '?',
      '#',
      '\\',
    );
    const uri = fc.array(piece, { maxLength: 8 }).map((parts) => `/g/${parts.join('')}`);
    fc.assert(
      fc.property(
        fc.oneof(
          uri,
          fc.string().map((rest) => `/${rest}`),
        ),
        (viewerUri) => {
          const result = runGuestRewrite(viewerUri);
          if (result.type === 'response') return expect(result.statusCode).toBe(404);
          if (result.uri === viewerUri) return;
          const slug = /^\/guests\/([^/]+)\/index\.html$/.exec(result.uri)?.[1];
          expect(slug !== undefined && isValidSlug(slug)).toBe(true);
          expect([`/g/${slug}`, `/g/${slug}/`]).toContain(viewerUri);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('is CloudFront Functions code: a top-level handler, no CommonJS', () => {
    const code = loadGuestRewriteSource()
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('//'))
      .join('\n');
    expect(code).toMatch(/^function handler\(event\) \{$/m);
    expect(code).not.toMatch(/\b(require\s*\(|module\.exports|exports\.|import\s|export\s)/);
  });

  it('answers malformed paths with the response object CloudFront expects', () => {
    const context = createContext({});
    runInContext(loadGuestRewriteSource(), context);
    const response: unknown = runInContext("handler({ request: { uri: '/g/../x' } })", context);
    expect({ ...(response as object) }).toEqual({ statusCode: 404, statusDescription: 'Not Found' });
  });

  it('rejects a source without a handler and stops a runaway one', () => {
    expect(() => runGuestRewrite('/g/a', 'var x = 1;')).toThrow(/no top-level function handler/);
    expect(() => runGuestRewrite('/g/a', 'module.exports = function handler() {};')).toThrow(/module is not defined/);
    expect(() => runGuestRewrite('/g/a', 'function handler(event) { for (;;) {} }')).toThrow(/timed out/);
  });
});
