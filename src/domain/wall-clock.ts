/**
 * Wall-clock times as people read them in a zone ("2027-05-29T10:00" in America/Los_Angeles) and the
 * instants the contract holds ("2027-05-29T10:00:00-07:00"). The zone's offset comes from Intl (the
 * IANA database), never from arithmetic on the local text: the offset depends on the date.
 */
import { dateTimeFormat } from './intl';

const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/**
 * The zone's formatter, made once per zone (src/domain/intl.ts): a feed of 2000 events asks for offsets
 * thousands of times. Throws a RangeError for a zone Intl does not know.
 */
function formatter(timeZone: string): Intl.DateTimeFormat {
  return dateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/** Whether Intl knows the zone: any name it takes, aliases included. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** A wall-clock time as its fields, to the second. */
export interface WallClockFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock fields an instant (epoch ms) has in `timeZone`. */
export function wallClockFieldsAt(ms: number, timeZone: string): WallClockFields {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const n = (type: string) => Number(parts[type]);
  return {
    year: n('year'),
    month: n('month'),
    day: n('day'),
    hour: n('hour'),
    minute: n('minute'),
    second: n('second'),
  };
}

const asUtc = (f: WallClockFields) => Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);

/** The zone's offset from UTC at an instant, in ms (wall clock minus UTC, to the second: old zones had odd seconds). */
export function offsetMsAt(ms: number, timeZone: string): number {
  return asUtc(wallClockFieldsAt(ms, timeZone)) - Math.floor(ms / 1000) * 1000;
}

/** The zone's offset from UTC at an instant, in minutes (Los Angeles in summer: -420). */
function offsetMinutesAt(ms: number, timeZone: string): number {
  return Math.round(offsetMsAt(ms, timeZone) / MINUTE_MS);
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

function offsetText(minutes: number): string {
  return `${minutes < 0 ? '-' : '+'}${pad(Math.trunc(minutes / 60))}:${pad(minutes % 60)}`;
}

export type WallClockParse = { ok: true; instant: string } | { ok: false; message: string };

/**
 * A wall-clock time in `timeZone` as an ISO instant with the offset the zone had then. When the clocks
 * go back, a time that happens twice is its first occurrence (the earlier instant); a time the clocks
 * skip does not exist and is refused.
 */
export function wallClockToInstant(local: string, timeZone: string): WallClockParse {
  const match = WALL_CLOCK.exec(local.trim());
  if (!match) return { ok: false, message: 'must be a date and time such as 2027-05-29T10:00' };
  const [year, month, day, hour, minute, second] = match.slice(1).map((v) => Number(v ?? '0')) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wanted: WallClockFields = { year, month, day, hour, minute, second };
  const utc = asUtc(wanted);
  const back = new Date(utc);
  if (
    back.getUTCFullYear() !== year ||
    back.getUTCMonth() !== month - 1 ||
    back.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return { ok: false, message: 'is not a real date and time' };
  }
  // Every offset the zone has within a day of it; an offset fits when the zone has it at the instant it gives.
  const offsets = new Set([utc - DAY_MS, utc, utc + DAY_MS].map((ms) => offsetMinutesAt(ms, timeZone)));
  const fitting = [...offsets]
    .filter((offset) => offsetMinutesAt(utc - offset * MINUTE_MS, timeZone) === offset)
    .sort((a, b) => b - a);
  const offset = fitting[0];
  if (offset === undefined) {
    return { ok: false, message: `does not exist in ${timeZone}: the clocks skip it` };
  }
  const wall = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}`;
  return { ok: true, instant: `${wall}${offsetText(offset)}` };
}

/**
 * An instant as the wall-clock text a `datetime-local` input holds, in `timeZone`: minutes, and
 * seconds only when they are not zero.
 */
export function instantToWallClock(instant: string | number, timeZone: string): string {
  const f = wallClockFieldsAt(new Date(instant).getTime(), timeZone);
  const seconds = f.second === 0 ? '' : `:${pad(f.second)}`;
  return `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)}T${pad(f.hour)}:${pad(f.minute)}${seconds}`;
}

/** Whether text is a wall-clock time a `datetime-local` input can hold as its value (a real date). */
export function isWallClock(text: string): boolean {
  return WALL_CLOCK.test(text) && wallClockToInstant(text, 'UTC').ok;
}
