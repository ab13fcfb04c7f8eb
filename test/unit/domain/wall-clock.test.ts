import { instantToWallClock, isWallClock, wallClockToInstant } from '../../../src/domain/wall-clock';

describe('wall-clock times in a zone', () => {
  test.each([
    ['2027-05-29T10:00', 'America/Los_Angeles', '2027-05-29T10:00:00-07:00'],
    ['2027-01-15T10:00', 'America/Los_Angeles', '2027-01-15T10:00:00-08:00'],
    ['2027-06-01T10:00:30', 'Asia/Kolkata', '2027-06-01T10:00:30+05:30'],
    ['2027-06-01T10:00', 'America/St_Johns', '2027-06-01T10:00:00-02:30'],
    ['2027-06-01T10:00', 'Pacific/Honolulu', '2027-06-01T10:00:00-10:00'],
    ['2027-06-01T23:59', 'UTC', '2027-06-01T23:59:00+00:00'],
    // Clocks go back at 02:00 PDT: 01:30 happens twice, and is its first (daylight) occurrence.
    ['2027-11-07T01:30', 'America/Los_Angeles', '2027-11-07T01:30:00-07:00'],
    // Lord Howe moves by half an hour: 02:30 exists at +11:00.
    ['2027-10-03T02:30', 'Australia/Lord_Howe', '2027-10-03T02:30:00+11:00'],
  ])('%s in %s is %s', (local, zone, instant) => {
    expect(wallClockToInstant(local, zone)).toEqual({ ok: true, instant });
    expect(Date.parse(instant)).not.toBeNaN();
  });

  test('a time the clocks skip, an impossible date and other text are refused', () => {
    expect(wallClockToInstant('2027-03-14T02:30', 'America/Los_Angeles')).toEqual({
      ok: false,
      message: 'does not exist in America/Los_Angeles: the clocks skip it',
    });
    expect(wallClockToInstant('2027-02-30T10:00', 'UTC')).toEqual({
      ok: false,
      message: 'is not a real date and time',
    });
    expect(wallClockToInstant('2027-05-29T24:00', 'UTC')).toEqual({
      ok: false,
      message: 'is not a real date and time',
    });
    for (const text of ['2027-05-29', '2027-05-29T10:00:00-07:00', '<script>', '']) {
      expect(wallClockToInstant(text, 'UTC')).toEqual({
        ok: false,
        message: 'must be a date and time such as 2027-05-29T10:00',
      });
    }
  });

  test('instantToWallClock is what a datetime-local input holds, and reads back as the same instant', () => {
    expect(instantToWallClock('2027-05-29T17:00:00Z', 'America/Los_Angeles')).toBe('2027-05-29T10:00');
    expect(instantToWallClock('2027-05-29T17:00:30Z', 'Asia/Kolkata')).toBe('2027-05-29T22:30:30');
    for (const instant of ['2027-05-29T10:00:00-07:00', '2027-11-07T01:30:00-07:00', '2027-11-07T01:30:00-08:00']) {
      const local = instantToWallClock(instant, 'America/Los_Angeles');
      const back = wallClockToInstant(local, 'America/Los_Angeles');
      // The second 01:30 of the night the clocks go back cannot be told from the first by its wall clock.
      if (instant.endsWith('-08:00') && local === '2027-11-07T01:30') continue;
      expect(back.ok && Date.parse(back.instant)).toBe(Date.parse(instant));
    }
  });

  test('isWallClock: what a datetime-local value may be', () => {
    expect(isWallClock('2027-05-29T10:00')).toBe(true);
    expect(isWallClock('2027-05-29T10:00:30')).toBe(true);
    expect(isWallClock('2027-02-30T10:00')).toBe(false);
    expect(isWallClock('"><img src=x>')).toBe(false);
  });
});
