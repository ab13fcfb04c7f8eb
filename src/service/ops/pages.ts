import type { Booking, BookingRef } from '../../domain/booking';
import { formatMoney } from '../../domain/money';
import { localTime } from '../../domain/time';
import type { FieldError } from '../../domain/validation';
import { urlAttr } from '../../html/escape';
import type { BookingStatus } from '../../../workflows/types';
import { CREW_FIELDS, DETAIL_FIELDS, HAND_ENTERED_SOURCES, NEW_BOOKING_FIELDS, PRICING_LINES } from './booking-form';
import type { BookingList, ListedBooking } from './bookings-list';
import {
  attr,
  csrfInput,
  errorsByField,
  errorSummary,
  field,
  opsPaths,
  page,
  stageLabel,
  text,
  type FieldSpec,
  type FormValues,
} from './html';

/** The ops page's pages: pure functions of what the routes found, to HTML strings. */

export interface TenantView {
  id: string;
  name: string;
}

const NO_VALUES: FormValues = new Map();

export function loginPage(v: { tenant: TenantView; loginToken: string; error?: string; notice?: string }): string {
  const paths = opsPaths(v.tenant.id);
  const errors = v.error ? new Map([['key', [v.error]]]) : new Map<string, string[]>();
  const body = `<h1>Log in</h1>
${v.notice ? `<p class="flash" role="status">${text(v.notice)}</p>` : ''}
${v.error ? `<div class="alert" role="alert"><p><strong>${text(v.error)}</strong></p></div>` : ''}
<form class="card" method="post" action="${attr(paths.login)}" novalidate>
<input type="hidden" name="loginToken" value="${attr(v.loginToken)}">
${field(
  {
    name: 'key',
    label: 'Ops key',
    kind: 'password',
    required: true,
    autocomplete: 'current-password',
    hint: `The ops key of ${v.tenant.name}, from whoever runs this service.`,
  },
  NO_VALUES,
  errors,
)}
<div class="actions"><button type="submit">Log in</button></div>
</form>`;
  return page({ tenant: v.tenant, title: 'Log in', body });
}

/** A page that only says something: a refusal, an error, a booking not found. */
export function messagePage(v: {
  tenant: TenantView;
  csrf?: string;
  title: string;
  message: string;
  links?: { href: string; label: string }[];
}): string {
  const links = (v.links ?? []).map((l) => `<a href="${attr(l.href)}">${text(l.label)}</a>`).join(' ');
  const body = `<h1>${text(v.title)}</h1>
<div class="alert" role="alert"><p>${text(v.message)}</p></div>
${links ? `<p class="actions">${links}</p>` : ''}`;
  return page({ tenant: v.tenant, csrf: v.csrf, title: v.title, body });
}

/** Stages in the order a booking moves through them; any other stage a newer workflow reports follows. */
const STAGE_ORDER = [
  'RECEIVED',
  'AWAITING_DETAILS',
  'CREATING_CALENDAR_ENTRY',
  'CREATING_CREW_EVENT',
  'AWAITING_CREW',
  'NEEDS_CREW',
  'PUBLISHING_PAGE',
  'EMAILING_OPS',
  'KEEPING_PAGE_CURRENT',
  'COMPLETED',
  'CANCELLED',
  'FAILED',
];

const utcText = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function listedItem(tenantId: string, b: ListedBooking): string {
  const start = b.charterStart
    ? `<time datetime="${attr(b.charterStart.toISOString())}">${text(utcText(b.charterStart))}</time>`
    : 'start unknown';
  return `<li><a href="${attr(opsPaths(tenantId).booking(b))}">${text(b.bookingId)}</a> <span class="muted">(${text(b.source)})</span><br>${start}</li>`;
}

export function listPage(v: {
  tenant: TenantView;
  csrf: string;
  list: BookingList;
  flash?: string;
  find?: { values: FormValues; errors: FieldError[] };
}): string {
  const paths = opsPaths(v.tenant.id);
  const byStage = new Map<string, ListedBooking[]>();
  for (const b of v.list.bookings) byStage.set(b.stage, [...(byStage.get(b.stage) ?? []), b]);
  const stages = [...byStage.keys()].sort((a, b) => {
    const [x, y] = [STAGE_ORDER.indexOf(a), STAGE_ORDER.indexOf(b)];
    return (x < 0 ? STAGE_ORDER.length : x) - (y < 0 ? STAGE_ORDER.length : y) || a.localeCompare(b);
  });
  const groups = stages.map((stage) => {
    const bookings = [...(byStage.get(stage) ?? [])].sort(
      (a, b) => (a.charterStart?.getTime() ?? Infinity) - (b.charterStart?.getTime() ?? Infinity),
    );
    return `<section aria-labelledby="${attr(`stage-${stage}`)}">
<h2 id="${attr(`stage-${stage}`)}">${text(stageLabel(stage))} (${bookings.length})</h2>
<ul class="bookings">${bookings.map((b) => listedItem(v.tenant.id, b)).join('\n')}</ul>
</section>`;
  });
  const find = v.find ?? { values: new Map([['source', 'boatsetter']]), errors: [] };
  const findErrors = errorsByField(find.errors);
  const sources = ['boatsetter', 'getmyboat', 'fareharbor', 'direct'].map((s) => ({ value: s, label: s }));
  const body = `<h1>Bookings</h1>
${v.flash ? `<p class="flash" role="status">${text(v.flash)}</p>` : ''}
<p><a href="${attr(paths.newBooking)}">Enter a new booking</a></p>
${
  v.list.bookings.length === 0
    ? '<p class="card">No booking is running.</p>'
    : `<p>Running bookings by stage, soonest charter first (start times in UTC; each booking's page shows its own zone).${
        v.list.truncated ? ` Only the first ${v.list.bookings.length} are listed.` : ''
      }</p>
${groups.join('\n')}`
}
<h2 id="find-heading">Find a booking</h2>
<form class="card" method="get" action="${attr(paths.find)}" aria-labelledby="find-heading" novalidate>
${errorSummary(find.errors, ['source', 'bookingId'], 'No such booking reference')}
<div class="fields">
${field({ name: 'source', label: 'Source', kind: 'select', options: sources }, find.values, findErrors)}
${field({ name: 'bookingId', label: 'Booking id', required: true }, find.values, findErrors)}
</div>
<div class="actions"><button type="submit">Open</button></div>
</form>`;
  return page({ tenant: v.tenant, csrf: v.csrf, title: 'Bookings', body });
}

/** Every IANA zone Intl knows, as suggestions for the time zone field. */
const ZONES = (Intl as unknown as { supportedValuesOf(key: string): string[] }).supportedValuesOf('timeZone');
const ZONE_LIST = `<datalist id="zones">${ZONES.map((z) => `<option value="${attr(z)}"></option>`).join('')}</datalist>`;

const PRICING_LABELS: Record<(typeof PRICING_LINES)[number], string> = {
  base: 'Base price',
  captain: 'Captain fee',
  fuel: 'Fuel',
  serviceFee: 'Service fee',
  tax: 'Tax',
  tip: 'Tip',
  payout: 'Payout to the operator',
};

/** The itinerary fields, shared by the new-booking, change and complete forms. */
function detailFields(values: FormValues, errors: Map<string, string[]>, opts: { timesOnly?: boolean } = {}): string {
  const f = (spec: FieldSpec) => field(spec, values, errors);
  const times = `<fieldset><legend>Charter</legend><div class="fields">
${f({ name: 'charter.start', label: 'Start', kind: 'datetime', required: true, hint: 'Local time in the zone below.' })}
${f({ name: 'charter.end', label: 'End', kind: 'datetime', required: true })}
${f({ name: 'charter.timeZone', label: 'Time zone', required: true, list: 'zones', hint: 'IANA zone, e.g. America/Los_Angeles.', wide: true })}
${opts.timesOnly ? '' : f({ name: 'boat', label: 'Boat', required: true, wide: true })}
</div></fieldset>`;
  const guest = `<fieldset><legend>Guest</legend><div class="fields">
${f({ name: 'guest.name', label: 'Name', required: true, autocomplete: 'off' })}
${f({ name: 'guest.partySize', label: 'Party size', kind: 'numeric', required: true })}
${f({ name: 'guest.email', label: 'Email', kind: 'email', autocomplete: 'off' })}
${f({ name: 'guest.phone', label: 'Phone', kind: 'tel', autocomplete: 'off' })}
</div></fieldset>`;
  const pricing = `<fieldset><legend>Pricing</legend><div class="fields">
${f({ name: 'pricing.currency', label: 'Currency', required: true, hint: 'ISO code, e.g. USD. Amounts in its main unit (dollars, not cents).', wide: true })}
${PRICING_LINES.map((line) =>
  f({ name: `pricing.${line}`, label: PRICING_LABELS[line], kind: 'decimal', required: line === 'base' }),
).join('\n')}
</div></fieldset>`;
  const notes = f({ name: 'notes', label: 'Notes', kind: 'textarea', wide: true });
  return `${guest}\n${times}\n${pricing}\n${notes}\n${ZONE_LIST}`;
}

export function newBookingPage(v: {
  tenant: TenantView;
  csrf: string;
  values: FormValues;
  errors: FieldError[];
}): string {
  const paths = opsPaths(v.tenant.id);
  const errors = errorsByField(v.errors);
  const sources = HAND_ENTERED_SOURCES.map((s) => ({ value: s, label: s }));
  const body = `<h1>New booking</h1>
<form method="post" action="${attr(paths.bookings)}" novalidate>
${csrfInput(v.csrf)}
${errorSummary(v.errors, [...NEW_BOOKING_FIELDS], 'The booking was not entered:')}
<fieldset><legend>Booking</legend><div class="fields">
${field({ name: 'source', label: 'Source', kind: 'select', options: sources }, v.values, errors)}
${field({ name: 'bookingId', label: 'Booking id', required: true, hint: "The source's own id (letters, digits, . _ -)." }, v.values, errors)}
</div></fieldset>
${detailFields(v.values, errors)}
<div class="actions"><button type="submit">Enter booking</button> <a href="${attr(paths.base)}">Back to bookings</a></div>
</form>`;
  return page({ tenant: v.tenant, csrf: v.csrf, title: 'New booking', body });
}

const when = (iso: string | undefined, zone: string) => {
  if (!iso) return '';
  const t = localTime(iso, zone);
  return `<time datetime="${attr(new Date(iso).toISOString())}">${text(`${t.date}, ${t.time} ${t.zoneAbbreviation}`)}</time>`;
};

function dl(rows: [string, string][]): string {
  return `<dl>${rows
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `<dt>${text(k)}</dt><dd>${v}</dd>`)
    .join('')}</dl>`;
}

function detailsSection(booking: Booking): string {
  const { guest, charter, pricing } = booking;
  const zone = charter.timeZone;
  const money = (amount: number | undefined) =>
    amount === undefined ? '' : text(formatMoney({ amount, currency: pricing.currency }));
  return `<section aria-labelledby="details-heading"><h2 id="details-heading">Details</h2>${dl([
    ['Guest', text(guest.name)],
    ['Email', text(guest.email ?? '')],
    ['Phone', text(guest.phone ?? '')],
    ['Party size', text(String(guest.partySize))],
    ['Start', when(charter.start, zone)],
    ['End', when(charter.end, zone)],
    ['Time zone', text(zone)],
    ['Boat', text(booking.boat)],
    ...PRICING_LINES.map((line): [string, string] => [PRICING_LABELS[line], money(pricing[line])]),
    ['Notes', text(booking.notes ?? '')],
  ])}</section>`;
}

function statusSection(status: BookingStatus, zone: string): string {
  const crew = status.crew.map(
    (m) =>
      `<li>${text(m.name ?? m.id)} <span class="muted">(${text(m.id)}, ${text(m.role)})</span>: ${text(m.status)}</li>`,
  );
  const pages = status.pages.map((p) => `<li><a href="${urlAttr(p.url)}">${text(p.site)}</a></li>`);
  const changes = (status.changes ?? []).map(
    (c) => `<li>${when(c.at, zone)}: revision ${c.revision} by ${text(c.channel)}: ${text(c.fields.join(', '))}</li>`,
  );
  const toDo = (status.toDoByHand ?? []).map((line) => `<li>${text(line)}</li>`);
  const list = (items: string[]) => (items.length === 0 ? '' : `<ul>${items.join('')}</ul>`);
  return `<section aria-labelledby="status-heading"><h2 id="status-heading">Status</h2>${dl([
    ['Stage', `<strong>${text(stageLabel(status.stage))}</strong>`],
    ['Failure', text(status.failure ?? '')],
    ['Revision', status.revision === undefined ? '' : text(String(status.revision))],
    ['Crew', list(crew) || 'none'],
    ['Crew deadline', when(status.crewDeadline, zone)],
    ['Guest page', list(pages)],
    [
      'Upload window',
      status.uploadWindow
        ? `${text(status.uploadWindow.state)}: ${when(status.uploadWindow.opensAt, zone)} to ${when(status.uploadWindow.closesAt, zone)}`
        : '',
    ],
    ['JADA entry', text(status.jadaEventId ?? '')],
    ['SCC event', text(status.sccEventId ?? '')],
    ['To do by hand', list(toDo)],
    ['Changes', list(changes)],
    ['Workflow', text(status.workflowId)],
  ])}</section>`;
}

export interface BookingPageView {
  tenant: TenantView;
  csrf: string;
  ref: BookingRef;
  status: BookingStatus;
  /** The workflow's execution status: only a running booking can change. */
  running: boolean;
  flash?: string;
  /** A refusal of the last action that no field shows (409). */
  refusal?: string;
  change?: { values: FormValues; errors: FieldError[] };
  crew?: { values: FormValues; errors: FieldError[] };
  complete?: { values: FormValues; errors: FieldError[] };
}

export function bookingPage(v: BookingPageView): string {
  const paths = opsPaths(v.tenant.id);
  const booking = v.status.booking;
  const zone = booking?.charter.timeZone ?? 'UTC';
  const held = v.running && booking !== undefined && v.status.held !== undefined;
  const canChange = v.running && booking !== undefined && !held;
  let forms = '';
  if (!v.running) {
    forms = `<p class="card">This booking has finished: it can no longer change.</p>`;
  } else if (!booking) {
    forms = `<p class="card">This booking started before bookings could change: change it in JADA and SCC by hand, or cancel it and enter it again.</p>`;
  }
  if (canChange) {
    const change = v.change ?? { values: new Map(), errors: [] };
    const crew = v.crew ?? { values: new Map(), errors: [] };
    const crewErrors = errorsByField(crew.errors);
    const active = v.status.crew.map((m) => ({ value: m.id, label: `${m.name ?? m.id} (${m.role})` }));
    forms = `<h2 id="change-heading">Change the booking</h2>
<form method="post" action="${attr(paths.change(v.ref))}" aria-labelledby="change-heading" novalidate>
${csrfInput(v.csrf)}
${errorSummary(change.errors, [...DETAIL_FIELDS], 'The change was not made:')}
${detailFields(change.values, errorsByField(change.errors))}
<div class="actions"><button type="submit">Save changes</button></div>
</form>
<h2 id="crew-heading">Replace a crew member</h2>
<form class="card" method="post" action="${attr(paths.crew(v.ref))}" aria-labelledby="crew-heading" novalidate>
${csrfInput(v.csrf)}
${errorSummary(crew.errors, [...CREW_FIELDS], 'The crew was not changed:')}
<div class="fields">
${field({ name: 'replace', label: 'Replace', kind: 'select', options: [{ value: '', label: 'nobody (add a member)' }, ...active], wide: true }, crew.values, crewErrors)}
${field({ name: 'member.id', label: 'New member id', required: true, hint: 'Their SCC id, e.g. crew-mate-cy.' }, crew.values, crewErrors)}
${field({ name: 'member.role', label: 'Role', required: true }, crew.values, crewErrors)}
${field({ name: 'member.name', label: 'Name', wide: true }, crew.values, crewErrors)}
</div>
<div class="actions"><button type="submit">Replace crew member</button></div>
</form>
<h2 id="cancel-heading">Cancel the booking</h2>
<p class="card"><a href="${attr(paths.cancel(v.ref))}">Cancel this booking…</a> (asks to confirm)</p>`;
  } else if (held) {
    const complete = v.complete ?? { values: new Map(), errors: [] };
    forms = `<h2 id="complete-heading">Complete the booking</h2>
<p class="card">Held since ${when(v.status.held?.since, zone)}: the ${text(v.status.held?.feed ?? '')} calendar feed knows only the slot, which JADA holds. Enter the guest and the pricing from the marketplace's email or website; then the crew are asked and everything else follows.</p>
<form method="post" action="${attr(paths.complete(v.ref))}" aria-labelledby="complete-heading" novalidate>
${csrfInput(v.csrf)}
${errorSummary(complete.errors, [...DETAIL_FIELDS], 'The booking was not completed:')}
${detailFields(complete.values, errorsByField(complete.errors))}
<div class="actions"><button type="submit">Complete booking</button></div>
</form>
<h2 id="cancel-heading">Cancel the booking</h2>
<p class="card"><a href="${attr(paths.cancel(v.ref))}">Cancel this booking…</a> (asks to confirm)</p>`;
  } else if (v.running) {
    forms += `<p><a href="${attr(paths.cancel(v.ref))}">Cancel this booking…</a></p>`;
  }
  const body = `<h1>Booking ${text(v.ref.bookingId)} <span class="muted">(${text(v.ref.source)})</span></h1>
${v.flash ? `<p class="flash" role="status">${text(v.flash)}</p>` : ''}
${v.refusal ? `<div class="alert" role="alert"><p>${text(v.refusal)}</p></div>` : ''}
${statusSection(v.status, zone)}
${booking ? detailsSection(booking) : ''}
${forms}
<p><a href="${attr(paths.base)}">Back to bookings</a></p>`;
  return page({ tenant: v.tenant, csrf: v.csrf, title: `Booking ${v.ref.bookingId}`, body });
}

export function cancelConfirmPage(v: {
  tenant: TenantView;
  csrf: string;
  ref: BookingRef;
  status: BookingStatus;
}): string {
  const paths = opsPaths(v.tenant.id);
  const booking = v.status.booking;
  const summary = booking
    ? `<p>${text(booking.guest.name)}, ${when(booking.charter.start, booking.charter.timeZone)}, ${text(booking.boat)}.</p>`
    : '';
  const body = `<h1>Cancel booking ${text(v.ref.bookingId)}?</h1>
<div class="card">${summary}
<p>The guest page becomes a cancellation notice, the SCC event is cancelled (SCC tells the crew), the JADA entry is deleted, and ops get an email of what was undone. This cannot be undone.</p>
<form method="post" action="${attr(paths.cancel(v.ref))}">
${csrfInput(v.csrf)}
<input type="hidden" name="confirm" value="yes">
<div class="actions"><button class="danger" type="submit">Yes, cancel the booking</button> <a href="${attr(paths.booking(v.ref))}">No, keep it</a></div>
</form></div>`;
  return page({ tenant: v.tenant, csrf: v.csrf, title: `Cancel booking ${v.ref.bookingId}`, body });
}
