import type { Booking } from '../domain/booking';
import type { CrewMemberStatus, CrewStatus } from '../domain/crew';
import { formatMoney } from '../domain/money';
import { revenueBreakdown } from '../domain/revenue';
import { formatDuration, localTime } from '../domain/time';
import { escapeHtml, telUrl, urlAttr } from '../html/escape';

export interface OpsSummaryInput {
  tenantName: string;
  booking: Booking;
  workflowId: string;
  /** Everyone assigned, whatever they answered. */
  crew: CrewMemberStatus[];
  pages: { site: string; url: string }[];
  jadaEventId: string;
  sccEventId: string;
  temporalUiUrl?: string;
}

export interface OpsSummary {
  subject: string;
  text: string;
  html: string;
}

/** Declined and silent crew are what ops must act on, so they are flagged in words, not just colour. */
const CREW_STATUS_TEXT: Record<CrewStatus, { text: string; flagged: boolean }> = {
  accepted: { text: '✓ accepted', flagged: false },
  pending: { text: '… no answer yet', flagged: false },
  declined: { text: '⚠ declined — find a replacement', flagged: true },
  'no-answer': { text: '⚠ no answer — call them or find a replacement', flagged: true },
};

/** A header must stay one line whatever the guest typed into their name. */
function oneLine(text: string): string {
  return text.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
}

function shortDate(instant: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', month: 'short', day: 'numeric' }).format(
    new Date(instant),
  );
}

function crewCounts(crew: readonly CrewMemberStatus[]): string {
  const accepted = crew.filter((m) => m.status === 'accepted').length;
  const declined = crew.filter((m) => m.status === 'declined').length;
  const silent = crew.filter((m) => m.status === 'no-answer').length;
  if (crew.length === 0) return 'no crew assigned';
  const flags = [declined ? `${declined} declined` : '', silent ? `${silent} no answer` : ''].filter(Boolean);
  return `${accepted}/${crew.length} crew confirmed${flags.length ? `, ⚠ ${flags.join(', ')}` : ''}`;
}

function crewLabel(member: CrewMemberStatus): string {
  return member.name ? `${member.name} (${member.id})` : member.id;
}

/** Left-aligned columns for the text part; ops read it in monospace clients and in logs. */
function textTable(cells: string[][]): string {
  // A line break typed into a guest name must not start a fake line of its own.
  const rows = cells.map((row) => row.map(oneLine));
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - [...cell].length)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
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

const CELL = 'padding:4px 12px 4px 0;border-bottom:1px solid #ddd;text-align:left;vertical-align:top';
const AMOUNT = 'padding:4px 0 4px 12px;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap';
const FLAG = `${CELL};color:#b00020;font-weight:bold`;

/** Mail clients drop <style>, so every cell carries its own. `html` is markup already escaped by the caller. */
function cell(html: string, style = CELL, tag: 'td' | 'th' = 'td'): string {
  return `<${tag} style="${style}">${html}</${tag}>`;
}

function table(rows: string[][]): string {
  return `<table style="border-collapse:collapse">\n${rows.map((r) => `<tr>${r.join('')}</tr>`).join('\n')}\n</table>`;
}

function heading(title: string): string {
  return `<h2 style="font-size:16px;margin:24px 0 8px">${escapeHtml(title)}</h2>`;
}

function link(url: string, text = url): string {
  return `<a href="${urlAttr(url)}">${escapeHtml(text)}</a>`;
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

/** "Carole Martin · Sat, May 29 10:00 AM PDT · Sea Breeze": how ops recognise a booking in a subject. */
export function bookingSubject(booking: Booking): string {
  const zone = booking.charter.timeZone;
  const start = localTime(booking.charter.start, zone);
  const when = `${shortDate(booking.charter.start, zone)} ${start.time} ${start.zoneAbbreviation}`;
  return oneLine(`${booking.guest.name} · ${when} · ${booking.boat}`);
}

/** The crew roster with each member's answer, flagged where ops must act, as text and HTML. */
export function crewSection(crew: readonly CrewMemberStatus[]): { counts: string; text: string; html: string } {
  const counts = crewCounts(crew);
  if (crew.length === 0) return { counts, text: 'No crew assigned.', html: '<p>No crew assigned.</p>' };
  const text = textTable(crew.map((m) => [m.role, crewLabel(m), CREW_STATUS_TEXT[m.status].text]));
  const html = table([
    ['Role', 'Crew member', 'Status'].map((h) => cell(h, CELL, 'th')),
    ...crew.map((m) => {
      const status = CREW_STATUS_TEXT[m.status];
      return [
        cell(escapeHtml(m.role)),
        cell(escapeHtml(crewLabel(m))),
        cell(escapeHtml(status.text), status.flagged ? FLAG : CELL),
      ];
    }),
  ]);
  return { counts, text, html };
}

/** An email body as HTML, styled inline (mail clients drop <style>). */
export function emailDocument(subject: string, sections: string[]): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:14px;line-height:1.4;color:#222">
${sections.join('\n')}
</body>
</html>
`;
}

export { heading as emailHeading };

export function composeOpsSummary(input: OpsSummaryInput): OpsSummary {
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
    heading('Revenue'),
    table(money.map((r) => [cell(strongIf(r.strong, r.label)), cell(strongIf(r.strong, r.amount), AMOUNT)])),
    heading(`Crew (${counts})`),
    roster.html,
    heading('Guest page'),
    pages.length ? `<ul>\n${pageList}\n</ul>` : '<p>Not published.</p>',
    heading('Systems'),
    factsTable(systems),
    ...(booking.notes
      ? [heading('Notes'), `<div style="white-space:pre-wrap">${escapeHtml(booking.notes)}</div>`]
      : []),
  ];
  return { subject, text, html: emailDocument(subject, sections) };
}
