/**
 * Instants are epoch milliseconds or ISO-8601 strings with an offset; wall-clock text only ever comes
 * out of Intl with an explicit IANA zone. Nothing here reads the clock: callers pass `now`.
 */
import { dateTimeFormat } from './intl';

/**
 * When the workflow stops waiting for crew: `timeout` after the booking arrived, but never later than
 * `leadBeforeStart` before the charter (ops need time to find replacements).
 */
export function confirmationDeadline(
  receivedAtMs: number,
  charterStartMs: number,
  timeoutMs: number,
  leadBeforeStartMs: number,
): number {
  return Math.max(receivedAtMs, Math.min(receivedAtMs + timeoutMs, charterStartMs - leadBeforeStartMs));
}

export interface LocalTimeText {
  /** "Sat, May 30, 2026" */
  date: string;
  /** "10:00 AM" */
  time: string;
  /** "PDT" or "GMT+13" */
  zoneAbbreviation: string;
}

export function localTime(instant: string | number, timeZone: string): LocalTimeText {
  const d = new Date(instant);
  const date = dateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    year: 'numeric',
  }).format(d);
  const parts = dateTimeFormat('en-US', {
    timeZone,
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  }).formatToParts(d);
  const time = parts
    .filter((p) => p.type !== 'timeZoneName')
    .map((p) => p.value)
    .join('')
    .trim();
  const zoneAbbreviation = parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
  return { date: plainSpaces(date), time: plainSpaces(time), zoneAbbreviation };
}

/** Intl (ICU 72+) puts U+202F before AM/PM; people searching or copying "10:00 AM" type a plain space. */
function plainSpaces(text: string): string {
  return text.replace(/[\u202f\u00a0]/g, ' ');
}

/** "3 h" / "2 h 30 min" / "45 min" */
export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

export interface UploadWindowPolicy {
  /** The window opens this long before the charter starts. */
  openBeforeStartMs: number;
  /** ... and closes this long after it ends. */
  closeAfterEndMs: number;
  /**
   * While open, the page is re-published with a fresh presigned POST this often. S3 POST policies
   * live at most 7 days (the signing credentials' limit), so this stays below that.
   */
  refreshEveryMs: number;
}

const DAY_MS = 24 * 3600_000;
export const MAX_UPLOAD_POLICY_MS = 7 * DAY_MS;

export const DEFAULT_UPLOAD_WINDOW: UploadWindowPolicy = {
  openBeforeStartMs: 7 * DAY_MS,
  closeAfterEndMs: 3 * DAY_MS,
  refreshEveryMs: 6 * DAY_MS,
};

export interface UploadWindow {
  opensAt: number;
  closesAt: number;
}

export function uploadWindow(
  charter: { start: string; end: string },
  policy: Pick<UploadWindowPolicy, 'openBeforeStartMs' | 'closeAfterEndMs'>,
): UploadWindow {
  return {
    opensAt: Date.parse(charter.start) - policy.openBeforeStartMs,
    closesAt: Date.parse(charter.end) + policy.closeAfterEndMs,
  };
}

export type UploadWindowState = 'not-yet-open' | 'open' | 'closed';

export function uploadWindowState(window: UploadWindow, now: number): UploadWindowState {
  if (now < window.opensAt) return 'not-yet-open';
  return now < window.closesAt ? 'open' : 'closed';
}

/**
 * When the published page next stops being true, given the state it was published in: the window
 * opens, the presigned POST needs refreshing, or the window closes. Undefined once it shows "closed".
 */
export function nextPageChange(
  window: UploadWindow,
  published: { state: UploadWindowState; at: number },
  refreshEveryMs: number,
): number | undefined {
  switch (published.state) {
    case 'not-yet-open':
      return window.opensAt;
    case 'open':
      return Math.min(window.closesAt, published.at + Math.min(refreshEveryMs, MAX_UPLOAD_POLICY_MS));
    case 'closed':
      return undefined;
  }
}
