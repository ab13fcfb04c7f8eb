import type { Booking } from '../domain/booking';
import type { CrewMemberStatus } from '../domain/crew';
import { formatDuration, localTime } from '../domain/time';
import { pageHead } from './document';
import { escapeAttr, escapeHtml, telUrl, urlAttr } from '../html/escape';
import { dateTimeFormat } from '../domain/intl';

/**
 * The guest page is one self-contained HTML file: published to S3 and cached by CloudFront, so it must
 * be true for as long as it is served. The workflow re-renders it when the upload window opens and
 * closes; the inline script only covers the gap between a close and that re-publish.
 */

export type UploadState =
  | {
      state: 'open';
      opensAt: number;
      closesAt: number;
      /** An S3 presigned POST: S3 checks every field against the signed policy. */
      form: { url: string; fields: Record<string, string>; maxBytes: number; accept: string[] };
    }
  | { state: 'not-yet-open'; opensAt: number; closesAt: number }
  | { state: 'closed'; opensAt: number; closesAt: number };

export interface GuestPageInput {
  booking: Booking;
  slug: string;
  operator: { name: string; phone?: string; email?: string };
  meetingPoint?: { name: string; directionsUrl?: string };
  crew: CrewMemberStatus[];
  now: number;
  upload: UploadState;
  /**
   * Must be absolute, one per site: the nested site serves `/g/{slug}` without a trailing slash, so a
   * relative link would resolve beside the wrong path. Relative values render as '#'.
   */
  calendarFileUrl?: string;
}

/**
 * Shows the thank-you note after S3's success_action_redirect (?uploaded=1). The form ships hidden and
 * only this script reveals it: S3 refuses a POST without a Content-Type starting with image/, and only
 * script can read the chosen file's type, so without it the form could only fail. Past closesAt the
 * form stays hidden because a cached page can outlive the window by a few minutes; the presigned
 * policy's expiry is the real guard. Only data attributes feed it, so no booking text is ever
 * interpolated into script.
 */
const SCRIPT = `(function () {
  var thanks = document.getElementById('upload-thanks');
  if (thanks && /[?&]uploaded=1(?:&|$)/.test(location.search)) thanks.hidden = false;
  var form = document.getElementById('upload-form');
  if (!form) return;
  var message = document.getElementById('upload-message');
  var fields = form.elements;
  var key = fields.namedItem('key');
  var keyTemplate = key ? key.value : '';
  var maxBytes = Number(form.getAttribute('data-max-bytes'));
  var closesAt = Number(form.getAttribute('data-closes-at'));
  var accept = (form.getAttribute('data-accept') || '').split(',');
  var byExtension = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', heic: 'image/heic', heif: 'image/heif', webp: 'image/webp' };
  function say(text) { message.textContent = text; }
  function closeIfPast() {
    if (Date.now() < closesAt) return false;
    form.hidden = true;
    say('Photo uploads have closed.');
    return true;
  }
  function typeOf(file) {
    if (file.type) return file.type;
    var ext = /\\.([a-z0-9]+)$/i.exec(file.name || '');
    var name = ext ? ext[1].toLowerCase() : '';
    return Object.prototype.hasOwnProperty.call(byExtension, name) ? byExtension[name] : '';
  }
  function accepted(type) {
    return type !== '' && accept.some(function (a) {
      return a === type || (a.slice(-2) === '/*' && type.indexOf(a.slice(0, -1)) === 0);
    });
  }
  if (closeIfPast()) return;
  form.hidden = false;
  form.addEventListener('submit', function (event) {
    if (closeIfPast()) { event.preventDefault(); return; }
    var file = fields.namedItem('file').files[0];
    if (!file) { event.preventDefault(); say('Please choose a photo first.'); return; }
    var type = typeOf(file);
    if (!accepted(type)) {
      event.preventDefault();
      say('That file type is not accepted. Please choose: ' + form.getAttribute('data-accept-text') + '.');
      return;
    }
    if (file.size > maxBytes) {
      event.preventDefault();
      say('That photo is too large: the limit is ' + form.getAttribute('data-max-text') + '.');
      return;
    }
    fields.namedItem('Content-Type').value = type;
    if (key && keyTemplate.indexOf('\${filename}') >= 0) {
      key.value = keyTemplate.replace('\${filename}', Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 8) + '-\${filename}');
    }
    say('Uploading\\u2026 please keep this page open.');
  });
})();`;

const STYLE = `:root{color-scheme:light dark;--accent:#0a5c8a;--on-accent:#fff}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:Canvas;color:CanvasText}
main{max-width:40rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.15rem;margin:1.75rem 0 .5rem;border-top:1px solid GrayText;padding-top:1rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
dt{font-weight:600}dd{margin:0}
ul{padding-left:1.25rem}
a{color:var(--accent)}
@media (prefers-color-scheme:dark){:root{--accent:#6cc4ff;--on-accent:#041e2e}}
.operator{text-transform:uppercase;letter-spacing:.05em;font-size:.85rem;margin:0}
.nowrap{white-space:nowrap}
form{display:grid;grid-template-columns:minmax(0,1fr);gap:.75rem;margin-top:.75rem}
input[type=file]{font:inherit;padding:.5rem;border:1px dashed GrayText;border-radius:.5rem;box-sizing:border-box;width:100%}
button{font:inherit;padding:.75rem 1rem;border:0;border-radius:.5rem;background:var(--accent);color:var(--on-accent);cursor:pointer}
.thanks{padding:.75rem;border-radius:.5rem;background:#e3f4e8;color:#114d24}
[role=status]:empty,[hidden]{display:none}`;

/**
 * sha256 of SCRIPT and STYLE exactly as written between their tags, for the Content-Security-Policy:
 * if an escaping bug ever let markup through, injected script still would not run. The renderer is
 * pure (no crypto), so the hashes are constants; a unit test recomputes them and fails when stale.
 */
export const SCRIPT_SHA256 = 'sha256-r46EszucyvWWMBR6v925jer1+8AuiTsI/mMYJq6dUqM=';
export const STYLE_SHA256 = 'sha256-xuaSxu6YJ3Rop+ALYCebN9qsrE1FQAtxntaUGKviSjk=';
/** Exposed so the test can check the hashes against the exact text that is rendered. */
export const INLINE_SOURCES = { script: SCRIPT, style: STYLE } as const;

// form-action allows http: for the local S3 stand-in; S3 itself is https.
const CSP = [
  "default-src 'none'",
  `style-src '${STYLE_SHA256}'`,
  `script-src '${SCRIPT_SHA256}'`,
  "base-uri 'none'",
  'form-action https: http:',
].join('; ');

interface WhenText {
  date: string;
  time: string;
  zone: string;
}

/**
 * en-US names the zones of the Americas only: elsewhere it gives an offset such as "GMT+13". The
 * English of the places that have their own abbreviations fills in the rest (BST, CEST, AEST, NZDT,
 * IST); an offset stays the fallback. The IANA name is shown beside it, which settles ambiguous ones.
 */
const ABBREVIATION_LOCALES = ['en-GB', 'en-AU', 'en-NZ', 'en-IN'] as const;

function zoneAbbreviation(instant: string | number, timeZone: string, enUs: string): string {
  if (!/^GMT[+-]/.test(enUs)) return enUs;
  for (const locale of ABBREVIATION_LOCALES) {
    const name = dateTimeFormat(locale, { timeZone, timeZoneName: 'short' })
      .formatToParts(new Date(instant))
      .find((part) => part.type === 'timeZoneName')?.value;
    if (name && /^[A-Z]{2,5}$/.test(name)) return name;
  }
  return enUs;
}

function when(instant: string | number, timeZone: string): WhenText {
  const t = localTime(instant, timeZone);
  return { date: t.date, time: t.time, zone: zoneAbbreviation(instant, timeZone, t.zoneAbbreviation) };
}

function atText(instant: number, timeZone: string): string {
  const w = when(instant, timeZone);
  return `${w.date} at ${w.time} ${w.zone}`;
}

function guestFirstName(fullName: string): string {
  return fullName.trim().split(/\s+/)[0] || fullName.trim();
}

/** Rounded down, so the page never promises more than the policy allows. */
function formatBytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  if (mb >= 1) return `${Math.floor(mb * 10) / 10} MB`;
  return `${Math.max(1, Math.floor(bytes / 1024))} KB`;
}

/** `type/subtype` or `type/*`: what the accept attribute allows; anything else would make it invalid. */
const MEDIA_TYPE = /^[a-z0-9][\w!#$&^.+-]*\/(?:\*|[a-z0-9][\w!#$&^.+-]*)$/i;

function acceptText(accept: readonly string[]): string {
  return accept
    .map((type) => (type.endsWith('/*') ? `any ${type.slice(0, -2)}` : (type.split('/')[1] ?? type).toUpperCase()))
    .join(', ');
}

function greeting(input: GuestPageInput, firstName: string): string {
  const start = Date.parse(input.booking.charter.start);
  const end = Date.parse(input.booking.charter.end);
  const name = escapeHtml(firstName);
  if (input.now >= end) return `Hi ${name}, thanks for sailing with us!`;
  if (input.now >= start) return `Hi ${name}, enjoy your charter!`;
  return `Hi ${name}, your charter is booked!`;
}

function charterSection(input: GuestPageInput): string {
  const { booking, meetingPoint, calendarFileUrl } = input;
  const zone = booking.charter.timeZone;
  const start = when(booking.charter.start, zone);
  const end = when(booking.charter.end, zone);
  const endText = end.date === start.date ? `${end.time} ${end.zone}` : `${end.date} at ${end.time} ${end.zone}`;
  const duration = formatDuration(Date.parse(booking.charter.end) - Date.parse(booking.charter.start));
  const party = booking.guest.partySize;
  const rows = [
    `<dt>Date</dt><dd>${escapeHtml(start.date)}</dd>`,
    `<dt>Time</dt><dd><time datetime="${escapeAttr(new Date(booking.charter.start).toISOString())}">` +
      `<span class="nowrap">${escapeHtml(`${start.time} ${start.zone}`)}</span></time>` +
      ` <span class="zone">(${escapeHtml(zone)})</span></dd>`,
    `<dt>Duration</dt><dd>${escapeHtml(duration)}, until <span class="nowrap">${escapeHtml(endText)}</span></dd>`,
    `<dt>Boat</dt><dd>${escapeHtml(booking.boat)}</dd>`,
    `<dt>Party</dt><dd>${party} ${party === 1 ? 'guest' : 'guests'}</dd>`,
  ];
  if (meetingPoint) {
    const directions = meetingPoint.directionsUrl
      ? ` · <a href="${urlAttr(meetingPoint.directionsUrl)}" rel="noreferrer">Directions</a>`
      : '';
    rows.push(`<dt>Meet at</dt><dd>${escapeHtml(meetingPoint.name)}${directions}</dd>`);
  }
  // No `download` attribute: iOS Safari offers "Add to Calendar" only when it navigates to a
  // text/calendar response; with `download` it saves the file to Files instead.
  const calendar = calendarFileUrl
    ? `\n<p><a href="${urlAttr(calendarFileUrl)}" type="text/calendar">Add to your calendar (.ics)</a></p>`
    : '';
  return `<section aria-labelledby="charter-heading">
<h2 id="charter-heading">Your charter</h2>
<dl>
${rows.join('\n')}
</dl>${calendar}
</section>`;
}

function crewSection(crew: readonly CrewMemberStatus[]): string {
  const confirmed = crew.filter((member) => member.status === 'accepted');
  const body = confirmed.length
    ? `<ul>\n${confirmed
        .map((m) => `<li><strong>${escapeHtml(m.role)}</strong>${m.name ? ` ${escapeHtml(m.name)}` : ''}</li>`)
        .join('\n')}\n</ul>`
    : '<p>Your crew will be confirmed soon.</p>';
  return `<section aria-labelledby="crew-heading">
<h2 id="crew-heading">Your crew</h2>
${body}
</section>`;
}

function contactSection(operator: GuestPageInput['operator']): string {
  const ways: string[] = [];
  if (operator.phone) {
    ways.push(`<a href="${urlAttr(telUrl(operator.phone))}">${escapeHtml(operator.phone)}</a>`);
  }
  if (operator.email) {
    ways.push(`<a href="${urlAttr(`mailto:${operator.email}`)}">${escapeHtml(operator.email)}</a>`);
  }
  const reach = ways.length ? `: ${ways.join(' · ')}` : '.';
  return `<section aria-labelledby="contact-heading">
<h2 id="contact-heading">Questions?</h2>
<p>Contact ${escapeHtml(operator.name)}${reach}</p>
</section>`;
}

/** Where guests can send photos when the form cannot work for them. */
function otherwiseSend(operator: GuestPageInput['operator']): string {
  return operator.email
    ? `, or email them to <a href="${urlAttr(`mailto:${operator.email}`)}">${escapeHtml(operator.email)}</a>`
    : '';
}

function uploadForm(
  upload: Extract<UploadState, { state: 'open' }>,
  timeZone: string,
  operator: GuestPageInput['operator'],
): string {
  const { form } = upload;
  const limit = formatBytes(form.maxBytes);
  const acceptable = form.accept.filter((type) => MEDIA_TYPE.test(type));
  const types = acceptText(acceptable);
  const isContentType = (name: string) => name.toLowerCase() === 'content-type';
  // S3 ignores every field after `file`, so the signed fields come first and `file` is never among
  // them. Content-Type describes the chosen file, so the page owns that field: the script fills it
  // in, right before the file (a value the policy happened to carry is only its starting value).
  const hidden = Object.entries(form.fields)
    .filter(([name]) => name.toLowerCase() !== 'file' && !isContentType(name))
    .map(([name, value]) => `<input type="hidden" name="${escapeAttr(name)}" value="${escapeAttr(value)}">`);
  const contentType = Object.entries(form.fields).find(([name]) => isContentType(name))?.[1] ?? '';
  hidden.push(`<input type="hidden" name="Content-Type" value="${escapeAttr(contentType)}">`);
  const accept = escapeAttr(acceptable.join(','));
  const formAttributes = [
    'id="upload-form" method="post" enctype="multipart/form-data"',
    `action="${urlAttr(form.url)}"`,
    `data-max-bytes="${form.maxBytes}" data-closes-at="${upload.closesAt}"`,
    `data-accept="${accept}" data-accept-text="${escapeAttr(types)}" data-max-text="${escapeAttr(limit)}"`,
  ].join(' ');
  return `<p>Share your photos from the trip with us until ${escapeHtml(atText(upload.closesAt, timeZone))}.</p>
<noscript><p>Uploading photos needs JavaScript. Please turn it on and reload this page${otherwiseSend(operator)}.</p></noscript>
<form ${formAttributes} hidden>
${hidden.join('\n')}
<label for="upload-file">Choose a photo</label>
<input type="file" id="upload-file" name="file"${acceptable.length ? ` accept="${accept}"` : ''} required aria-describedby="upload-hint">
<p id="upload-hint">${escapeHtml(types)}, up to ${escapeHtml(limit)} each, one at a time.</p>
<button type="submit">Upload photo</button>
</form>
<p id="upload-message" role="status" aria-live="polite"></p>`;
}

function uploadSection(upload: UploadState, timeZone: string, operator: GuestPageInput['operator']): string {
  let body: string;
  switch (upload.state) {
    case 'open':
      body = uploadForm(upload, timeZone, operator);
      break;
    case 'not-yet-open':
      body = `<p>Photo uploads open on ${escapeHtml(atText(upload.opensAt, timeZone))}.</p>`;
      break;
    case 'closed':
      body = `<p>Photo uploads closed on ${escapeHtml(atText(upload.closesAt, timeZone))}.</p>`;
      break;
  }
  return `<section aria-labelledby="photos-heading">
<h2 id="photos-heading">Photos</h2>
<p id="upload-thanks" class="thanks" role="status" hidden>Thank you! Your photo arrived.</p>
${body}
</section>`;
}

export function renderGuestPage(input: GuestPageInput): string {
  const { booking } = input;
  const zone = booking.charter.timeZone;
  const firstName = guestFirstName(booking.guest.name);
  const start = when(booking.charter.start, zone);
  const title = `Your charter on ${start.date} · ${booking.boat}`;
  return `<!doctype html>
<html lang="en">
${pageHead({ title, csp: CSP, style: STYLE })}
<body>
<main>
<header>
<p class="operator">${escapeHtml(input.operator.name)}</p>
<h1>${greeting(input, firstName)}</h1>
</header>
${charterSection(input)}
${crewSection(input.crew)}
${contactSection(input.operator)}
${uploadSection(input.upload, zone, input.operator)}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
