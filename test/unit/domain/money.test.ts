import fc from 'fast-check';
import { formatMajorUnits, minorUnitDigits, parseMajorUnits } from '../../../src/domain/money';

describe('parseMajorUnits', () => {
  test.each([
    ['1200', 'USD', 120000],
    ['1,200.50', 'USD', 120050],
    ['19.99', 'USD', 1999],
    ['0.1', 'USD', 10],
    ['  80.5 ', 'USD', 8050],
    ['0', 'USD', 0],
    ['12,345,678.90', 'USD', 1234567890],
    ['1200', 'JPY', 1200],
    ['1.234', 'BHD', 1234],
    ['5.', 'USD', 500],
  ])('%s %s is %d minor units, exactly', (text, currency, amount) => {
    expect(parseMajorUnits(text, currency)).toEqual({ ok: true, amount });
  });

  test.each([
    ['80.555', 'USD', 'must have at most 2 decimals in USD'],
    ['12.5', 'JPY', 'JPY has no minor units'],
    ['-5', 'USD', 'must be an amount in USD such as 1200.50'],
    ['1,20.00', 'USD', 'must be an amount in USD such as 1200.50'],
    ['$1200', 'USD', 'must be an amount in USD such as 1200.50'],
    ['1e3', 'USD', 'must be an amount in USD such as 1200.50'],
    ['', 'USD', 'must be an amount in USD such as 1200.50'],
    ['<script>', 'JPY', 'must be an amount in JPY such as 1200'],
    ['99999999999999999999', 'USD', 'is too large'],
  ])('%s %s is refused: %s', (text, currency, message) => {
    expect(parseMajorUnits(text, currency)).toEqual({ ok: false, message });
  });

  test('formatMajorUnits reads back as the same minor units, for any amount and currency', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.constantFrom('USD', 'JPY', 'BHD', 'EUR'),
        (amount, c) => {
          expect(parseMajorUnits(formatMajorUnits(amount, c), c)).toEqual({ ok: true, amount });
        },
      ),
    );
    expect(formatMajorUnits(120000, 'USD')).toBe('1200.00');
    expect(formatMajorUnits(5, 'USD')).toBe('0.05');
    expect(formatMajorUnits(1200, 'JPY')).toBe('1200');
    expect(minorUnitDigits('BHD')).toBe(3);
  });
});
