import type { Booking } from '../domain/booking';
import type { CrewMemberStatus } from '../domain/crew';
import { formatMoney } from '../domain/money';
import { revenueBreakdown } from '../domain/revenue';
import { formatDuration, localTime } from '../domain/time';
import { escapeHtml, telUrl } from '../html/escape';
import {
  AMOUNT,
  CELL,
  bookingSubject,
  cell,
  crewSection,
  emailDocument,
  emailHeading,
  link,
  oneLine,
  table,
  textTable,
  type BookingEmailContext,
  type OpsEmail,
} from './email';

export interface OpsSummaryInput extends BookingEmailContext {
  /** Everyone assigned, whatever they answered. */
  crew: CrewMemberStatus[];
  pages: { site: string; url: string }[];
  jadaEventId: string;
  sccEventId: string;
}

interface MoneyRow {
  label: string;
  amount: string;
  strong?: boolean;
}

function moneyRows(booking: Booking): MoneyRow[] {
  const breakdown = revenueBreakdown(booking.pricing);
  const rows: MoneyRow[] = breakdown.lines.map((line) => ({
    label: line.label,
    amount: formatMoney(line.amount),
  }));
  rows.push({ label: 'Guest total', amount: formatMoney(breakdown.guestTotal), strong: true });
  if (breakdown.payout) rows.push({ label: 'Payout to operator', amount: formatMoney(breakdown.payout), strong: true });
  if (breakdown.marketplaceShare) {
    rows.push({ label: 'Marketplace share', amount: formatMoney(breakdown.marketplaceShare) });
  }
  return rows;
}

function strongIf(strong: boolean | undefined, text: string): string {
  return strong ? `<strong>${escapeHtml(text)}</strong>` : escapeHtml(text);
}

/** One labelled value, as plain text and as (escaped) HTML. */
interface Fact {
  label: string;
  text: string;
  html: string;
}

function fact(label: string, text: string, html = escapeHtml(text)): Fact {
  return { label, text, html };
}

function charterWhen(booking: Booking): string {
  const zone = booking.charter.timeZone;
  const start = localTime(booking.charter.start, zone);
  const end = localTime(booking.charter.end, zone);
  const until = end.date === start.date ? end.time : `${end.date} ${end.time}`;
  const duration = formatDuration(Date.parse(booking.charter.end) - Date.parse(booking.charter.start));
  return `${start.date}, ${start.time} – ${until} ${end.zoneAbbreviation} (${zone}), ${duration}`;
}

export function composeOpsSummary(input: OpsSummaryInput): OpsEmail {
  const { booking, crew, pages } = input;
  const { guest } = booking;
  const money = moneyRows(booking);
  const roster = crewSection(crew);
  const counts = roster.counts;
  const subject = oneLine(`Booked: ${bookingSubject(booking)} (${counts})`);

  const facts: Fact[] = [
    fact('Guest', guest.name),
    fact('Party', `${guest.partySize} ${guest.partySize === 1 ? 'guest' : 'guests'}`),
    ...(guest.email ? [fact('Email', guest.email, link(`mailto:${guest.email}`, guest.email))] : []),
    ...(guest.phone ? [fact('Phone', guest.phone, link(telUrl(guest.phone), guest.phone))] : []),
    fact('When', charterWhen(booking)),
    fact('Boat', booking.boat),
    fact('Booking', `${booking.source} ${booking.bookingId}`),
  ];
  const code = (id: string) => `<code>${escapeHtml(id)}</code>`;
  const systems: Fact[] = [
    fact('JADA entry', input.jadaEventId, code(input.jadaEventId)),
    fact('SCC event', input.sccEventId, code(input.sccEventId)),
    fact('Workflow', input.workflowId, code(input.workflowId)),
    ...(input.temporalUiUrl
      ? [fact('Temporal UI', input.temporalUiUrl, link(input.temporalUiUrl, 'Open this workflow'))]
      : []),
  ];

  const text = [
    `New booking for ${input.tenantName}`,
    '',
    textTable(facts.map((f) => [`${f.label}:`, f.text])),
    '',
    'REVENUE',
    textTable(money.map((r) => [r.label, r.amount])),
    '',
    `CREW (${counts})`,
    roster.text,
    '',
    'GUEST PAGE',
    pages.length ? pages.map((p) => `${p.site}: ${p.url}`).join('\n') : 'Not published.',
    '',
    'SYSTEMS',
    textTable(systems.map((f) => [`${f.label}:`, f.text])),
    ...(booking.notes ? ['', 'NOTES', booking.notes] : []),
    '',
  ].join('\n');

  const factsTable = (list: Fact[]) => table(list.map((f) => [cell(escapeHtml(f.label), CELL, 'th'), cell(f.html)]));
  const pageList = pages.map((p) => `<li>${escapeHtml(p.site)}: ${link(p.url)}</li>`).join('\n');
  const sections = [
    `<h1 style="font-size:18px">New booking for ${escapeHtml(input.tenantName)}</h1>`,
    factsTable(facts),
    emailHeading('Revenue'),
    table(money.map((r) => [cell(strongIf(r.strong, r.label)), cell(strongIf(r.strong, r.amount), AMOUNT)])),
    emailHeading(`Crew (${counts})`),
    roster.html,
    emailHeading('Guest page'),
    pages.length ? `<ul>\n${pageList}\n</ul>` : '<p>Not published.</p>',
    emailHeading('Systems'),
    factsTable(systems),
    ...(booking.notes
      ? [emailHeading('Notes'), `<div style="white-space:pre-wrap">${escapeHtml(booking.notes)}</div>`]
      : []),
  ];
  return { subject, text, html: emailDocument(subject, sections) };
}
