import { escapeAttr, escapeHtml, safeUrl, urlAttr } from '../../../src/html/escape';

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

  it('drops what HTML cannot carry (controls, noncharacters, lone surrogates) and keeps whitespace', () => {
    expect(escapeHtml('A\u0000n\u0007a\u007f\u0085 \ufffeR\ud800u\udc00i\u{10ffff}z')).toBe('Ana Ruiz');
    expect(escapeHtml('a\tb\nc\fd\re')).toBe('a\tb\nc\fd\re');
    expect(escapeHtml('Zoë 😀 ⛵ 東京 שרה')).toBe('Zoë 😀 ⛵ 東京 שרה');
    expect(escapeAttr('x\u0000"')).toBe('x&quot;');
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
    expect(urlAttr("https://example.com/?a=1&b='2'")).toBe('https://example.com/?a=1&amp;b=&#39;2&#39;');
  });

  it('percent-encodes what a URL may not hold literally, so the attribute stays a valid URL', () => {
    expect(safeUrl('https://example.com/a b?q="<x>"&r={|}^`\\')).toBe(
      'https://example.com/a%20b?q=%22%3Cx%3E%22&r=%7B%7C%7D%5E%60%5C',
    );
    expect(safeUrl('https://example.com/?q=100%&ok=%41')).toBe('https://example.com/?q=100%25&ok=%41');
    expect(safeUrl('https://example.com/\r\nX-Injected: 1')).toBe('https://example.com/%0D%0AX-Injected:%201');
    expect(safeUrl('mailto:a b@example.com')).toBe('mailto:a%20b@example.com');
    expect(safeUrl('https://example.com/café')).toBe('https://example.com/café');
    expect(safeUrl('http://[::1]:8080/a[1]?b[]=2')).toBe('http://[::1]:8080/a%5B1%5D?b%5B%5D=2');
  });
});
