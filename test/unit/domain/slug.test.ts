import { createHmac } from 'node:crypto';
import { friendlySlug, guestSlug, isValidSlug, SLUG_MAX_LENGTH } from '../../../src/domain/slug';
import { sampleBooking } from '../../../sim/samples';

const mac = (key: string, data: string) => createHmac('sha256', key).update(data).digest();

describe('guest page slug', () => {
  test('friendly part: first name, date in the charter zone, source', () => {
    // 2027-05-30T02:00Z is still May 29 in Los Angeles.
    const booking = sampleBooking({
      charter: { start: '2027-05-30T02:00:00Z', end: '2027-05-30T05:00:00Z', timeZone: 'America/Los_Angeles' },
    });
    expect(friendlySlug(booking)).toBe('carole-may-29-boatsetter');
  });

  test('is stable for a workflow ID, differs across IDs and keys, and is valid', () => {
    const booking = sampleBooking();
    const a = guestSlug(booking, mac('k1', 'wf-1'));
    expect(guestSlug(booking, mac('k1', 'wf-1'))).toBe(a);
    expect(guestSlug(booking, mac('k1', 'wf-2'))).not.toBe(a);
    expect(guestSlug(booking, mac('k2', 'wf-1'))).not.toBe(a);
    expect(a).toMatch(/^carole-may-29-boatsetter-[a-z2-7]{8}$/);
    expect(isValidSlug(a)).toBe(true);
  });

  test('accents, symbols and very long names still give a valid slug of at most 80 characters', () => {
    const booking = sampleBooking({ guest: { name: 'Zoë-Ångström'.repeat(20) + ' <script>', partySize: 2 } });
    const slug = guestSlug(booking, mac('k', 'wf'));
    expect(slug.length).toBeLessThanOrEqual(SLUG_MAX_LENGTH);
    expect(isValidSlug(slug)).toBe(true);
    expect(slug.startsWith('zoe-angstrom')).toBe(true);
  });

  test('a name with no ASCII letters falls back to "guest"', () => {
    expect(friendlySlug(sampleBooking({ guest: { name: '李雷', partySize: 2 } }))).toMatch(/^guest-/);
  });

  test.each(['', 'a--b', '-a', 'a-', 'A', 'a/b', 'a.b', 'x'.repeat(81)])('rejects %j', (slug) => {
    expect(isValidSlug(slug)).toBe(false);
  });
});
