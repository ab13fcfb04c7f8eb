import { escapeAttr, escapeHtml, safeUrl, urlAttr } from '../../../src/page/escape';

describe('escapeHtml / escapeAttr', () => {
  it('neutralises every character that can open markup, an entity or leave a quoted attribute', () => {
    expect(escapeHtml(`<script>alert("x") & 'y'</script>`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;',
    );
    expect(escapeAttr('" onmouseover="alert(1)')).toBe('&quot; onmouseover=&quot;alert(1)');
  });

  it('escapes an existing entity again rather than trusting it', () => {
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
  });
});

describe('safeUrl', () => {
  it.each([
    'https://maps.example.com/?q=pier+39',
    'http://localhost:4566/bucket',
    'HTTPS://EXAMPLE.COM/',
    'mailto:ops@example.com',
    'tel:+14155550100',
  ])('passes %s', (url) => {
    expect(safeUrl(url)).toBe(url);
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    '//evil.example.com/',
    '/relative/path',
    'calendar.ics',
    'https:evil.example.com',
    'http:///x',
    '',
  ])('turns %j into #', (url) => {
    expect(safeUrl(url)).toBe('#');
  });

  it('treats a missing URL as #', () => {
    expect(safeUrl(undefined)).toBe('#');
  });

  it('attribute-escapes a URL that passes', () => {
    expect(urlAttr('https://example.com/?a=1&b="2"')).toBe('https://example.com/?a=1&amp;b=&quot;2&quot;');
  });
});
