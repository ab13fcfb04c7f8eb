import { fail, ok, skip } from '../../../src/doctor/check';
import { formatReport, redact } from '../../../src/doctor/report';
import { cloudFrontHeaders } from '../../../src/doctor/scc';

describe('doctor report', () => {
  it('is a table of tenant, check, result and fix, then a summary', () => {
    const report = formatReport([
      ok('JADA token', 'acme'),
      fail('SCC URL is the origin', 'set it to the origin', 'acme'),
      skip('SCC service key', 'not checked', 'acme'),
      ok('SMTP login'),
    ]);
    expect(report).toBe(
      [
        'tenant  check                  result  fix',
        'acme    JADA token             ok',
        'acme    SCC URL is the origin  FAIL    set it to the origin',
        'acme    SCC service key        skip    not checked',
        '(all)   SMTP login             ok',
        '',
        '1 of 4 checks FAILED, 1 skipped: fix them and run the doctor again',
        '',
      ].join('\n'),
    );
    expect(formatReport([ok('SMTP login')])).toContain('all 1 checks passed');
  });

  it('never prints a secret: known values, percent-encoded ones, and URL credentials', () => {
    const secrets = ['tok3n-value', 'p@ss/word', 'abc'];
    expect(redact('token tok3n-value and p%40ss%2Fword', secrets)).toBe('token [redacted] and [redacted]');
    expect(redact('smtp://user:anything@mail.example.com:587 failed', [])).toBe(
      'smtp://[redacted]@mail.example.com:587 failed',
    );
    // Too short to tell from ordinary words.
    expect(redact('abc', secrets)).toBe('abc');
    const report = formatReport([fail('JADA token', 'refused tok3n-value at https://u:p@x.example', 'acme')], secrets);
    expect(report).not.toContain('tok3n-value');
    expect(report).toContain('refused [redacted] at https://[redacted]@x.example');
  });
});

describe('CloudFront response headers', () => {
  it('are told from an origin answer', () => {
    expect(
      cloudFrontHeaders(
        new Headers({
          via: '1.1 abc.cloudfront.net (CloudFront)',
          'x-amz-cf-id': 'x',
          'x-cache': 'Miss from cloudfront',
        }),
      ),
    ).toEqual(['via', 'x-amz-cf-id', 'x-cache']);
    expect(cloudFrontHeaders(new Headers({ via: '1.1 varnish', 'x-cache': 'HIT' }))).toEqual([]);
  });
});
