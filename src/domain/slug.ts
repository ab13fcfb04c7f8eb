import type { Booking } from './booking';
import { dateTimeFormat } from './intl';

/** `[a-z0-9-]`, no leading/trailing/double dash, at most 80 characters: safe as a path segment and S3 key. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const SLUG_MAX_LENGTH = 80;
const SUFFIX_LENGTH = 8;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export function isValidSlug(slug: string): boolean {
  return slug.length <= SLUG_MAX_LENGTH && SLUG_PATTERN.test(slug);
}

function asciiWords(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** "carole-may-30-boatsetter": guest first name, charter date in its own zone, source. */
export function friendlySlug(booking: Pick<Booking, 'guest' | 'charter' | 'source'>): string {
  const firstName =
    asciiWords(booking.guest.name.trim().split(/\s+/)[0] ?? '')
      .slice(0, 40)
      .replace(/-+$/, '') || 'guest';
  const parts = dateTimeFormat('en-US', {
    timeZone: booking.charter.timeZone,
    month: 'short',
    day: 'numeric',
  }).formatToParts(new Date(booking.charter.start));
  const month = parts.find((p) => p.type === 'month')?.value ?? '';
  const day = parts.find((p) => p.type === 'day')?.value ?? '';
  return [firstName, asciiWords(`${month} ${day}`), booking.source].filter(Boolean).join('-');
}

/**
 * The public slug: friendly part plus a suffix taken from an HMAC of the workflow ID. The caller
 * computes the HMAC (domain code has no crypto), so the slug is stable across retries and restarts but
 * cannot be guessed from the booking alone.
 */
export function guestSlug(
  booking: Pick<Booking, 'guest' | 'charter' | 'source'>,
  hmacOfWorkflowId: Uint8Array,
): string {
  if (hmacOfWorkflowId.length < 5) throw new Error('slug suffix needs at least 5 bytes of HMAC');
  let bits = 0;
  let value = 0;
  let suffix = '';
  for (const byte of hmacOfWorkflowId) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && suffix.length < SUFFIX_LENGTH) {
      suffix += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (suffix.length === SUFFIX_LENGTH) break;
  }
  const friendly = friendlySlug(booking)
    .slice(0, SLUG_MAX_LENGTH - SUFFIX_LENGTH - 1)
    .replace(/-+$/, '');
  return `${friendly}-${suffix}`;
}
