import { dateTimeFormat, numberFormat } from '../../../src/domain/intl';

describe('Intl formatters, one per locale and options', () => {
  test('the same locale and options give the same formatter; others give their own', () => {
    const la = dateTimeFormat('en-US', { timeZone: 'America/Los_Angeles', hour: 'numeric' });
    expect(dateTimeFormat('en-US', { timeZone: 'America/Los_Angeles', hour: 'numeric' })).toBe(la);
    expect(dateTimeFormat('en-US', { timeZone: 'Europe/Paris', hour: 'numeric' })).not.toBe(la);
    expect(dateTimeFormat('en-GB', { timeZone: 'America/Los_Angeles', hour: 'numeric' })).not.toBe(la);
    expect(numberFormat('en-US', { style: 'currency', currency: 'USD' })).toBe(
      numberFormat('en-US', { style: 'currency', currency: 'USD' }),
    );
  });

  test('a kept formatter formats as a new one does', () => {
    const options: Intl.DateTimeFormatOptions = { timeZone: 'Asia/Tokyo', dateStyle: 'full', timeStyle: 'long' };
    const instant = new Date('2027-05-29T17:00:00Z');
    dateTimeFormat('en-US', options).format(instant);
    expect(dateTimeFormat('en-US', options).format(instant)).toBe(
      new Intl.DateTimeFormat('en-US', options).format(instant),
    );
  });

  test('a zone or currency Intl refuses throws every time and is not kept', () => {
    expect(() => dateTimeFormat('en-US', { timeZone: 'Mars/Olympus' })).toThrow(RangeError);
    expect(() => dateTimeFormat('en-US', { timeZone: 'Mars/Olympus' })).toThrow(RangeError);
    expect(() => numberFormat('en-US', { style: 'currency', currency: 'XX' })).toThrow(RangeError);
  });
});
