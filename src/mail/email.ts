import type { Booking } from '../domain/booking';
import type { CrewMemberStatus, CrewStatus } from '../domain/crew';
import { localTime } from '../domain/time';
import { escapeHtml, urlAttr } from '../html/escape';
import { dateTimeFormat } from '../domain/intl';

/**
 * The parts every email to ops is made of: a subject that names the booking, the crew roster, tables
 * and headings styled inline (mail clients drop <style>), and the HTML document around them.
 */

/** What every email to ops is about: the operator, the booking and where its workflow is. */
export interface BookingEmailContext {
  tenantName: string;
  booking: Booking;
  workflowId: string;
  /** Link to the workflow in the Temporal UI, when the worker knows the UI's address. */
  temporalUiUrl?: string;
}

/** One email, as every composer returns it and the transport sends it. */
export interface OpsEmail {
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
export function oneLine(text: string): string {
  return text.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
}

function shortDate(instant: string, timeZone: string): string {
  return dateTimeFormat('en-US', { timeZone, weekday: 'short', month: 'short', day: 'numeric' }).format(
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
export function textTable(cells: string[][]): string {
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

export const CELL = 'padding:4px 12px 4px 0;border-bottom:1px solid #ddd;text-align:left;vertical-align:top';
export const AMOUNT = 'padding:4px 0 4px 12px;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap';
const FLAG = `${CELL};color:#b00020;font-weight:bold`;

/** Mail clients drop <style>, so every cell carries its own. `html` is markup already escaped by the caller. */
export function cell(html: string, style = CELL, tag: 'td' | 'th' = 'td'): string {
  return `<${tag} style="${style}">${html}</${tag}>`;
}

export function table(rows: string[][]): string {
  return `<table style="border-collapse:collapse">\n${rows.map((r) => `<tr>${r.join('')}</tr>`).join('\n')}\n</table>`;
}

/** A section heading. */
export function emailHeading(title: string): string {
  return `<h2 style="font-size:16px;margin:24px 0 8px">${escapeHtml(title)}</h2>`;
}

export function link(url: string, text = url): string {
  return `<a href="${urlAttr(url)}">${escapeHtml(text)}</a>`;
}

/** "Sat, May 29, 2027 10:00 AM PDT": an instant as ops read it, in the charter's zone. */
export function localDateTime(instant: string | number, timeZone: string): string {
  const { date, time, zoneAbbreviation } = localTime(instant, timeZone);
  return `${date} ${time} ${zoneAbbreviation}`;
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

/** The email's title line. */
export function emailTitle(title: string): string {
  return `<h1 style="font-size:18px">${escapeHtml(title)}</h1>`;
}

/** Something ops copy as it is (a request, a command): monospace, wrapped rather than cut off. */
export function codeBlock(text: string): string {
  return `<pre style="background:#f4f4f4;padding:8px;white-space:pre-wrap;word-break:break-all">${escapeHtml(text)}</pre>`;
}

export function bulletList(lines: readonly string[]): string {
  return `<ul>${lines.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`;
}

/** Where ops find the booking in Temporal, as the closing lines of the text part and a paragraph of the HTML. */
export function workflowLinks(workflowId: string, temporalUiUrl?: string): { text: string[]; html: string } {
  return {
    text: [`Workflow: ${workflowId}`, ...(temporalUiUrl ? [`Temporal UI: ${temporalUiUrl}`] : [])],
    html: `<p>Workflow: <code>${escapeHtml(workflowId)}</code>${
      temporalUiUrl ? ` · ${link(temporalUiUrl, 'Open this workflow')}` : ''
    }</p>`,
  };
}

/**
 * A part of a notice: an optional heading (with a detail in brackets, kept as written where the text
 * part capitalises the heading) over a bulleted list, or over a block given as text and as HTML.
 */
export type NoticePart = { heading?: string; detail?: string } & (
  { bullets: readonly string[] } | { text: string; html: string }
);

/**
 * A short email that tells ops one thing (a late crew answer, a cancellation): a title, a lead
 * paragraph, its parts, and where the workflow is. Text and HTML say the same, part by part.
 */
export function composeNotice(
  context: Pick<BookingEmailContext, 'workflowId' | 'temporalUiUrl'>,
  notice: { subject: string; title: string; lead: readonly string[]; parts: readonly NoticePart[] },
): OpsEmail {
  const subject = oneLine(notice.subject);
  const footer = workflowLinks(context.workflowId, context.temporalUiUrl);
  const partText = (part: NoticePart) => [
    '',
    ...(part.heading ? [withDetail(part.heading.toUpperCase(), part.detail)] : []),
    ...('bullets' in part ? part.bullets.map((line) => `- ${line}`) : [part.text]),
  ];
  const partHtml = (part: NoticePart) => [
    ...(part.heading ? [emailHeading(withDetail(part.heading, part.detail))] : []),
    'bullets' in part ? bulletList(part.bullets) : part.html,
  ];
  return {
    subject,
    text: [...notice.lead, ...notice.parts.flatMap(partText), '', ...footer.text, ''].join('\n'),
    html: emailDocument(subject, [
      emailTitle(notice.title),
      ...notice.lead.map((line) => `<p>${escapeHtml(line)}</p>`),
      ...notice.parts.flatMap(partHtml),
      footer.html,
    ]),
  };
}

function withDetail(heading: string, detail: string | undefined): string {
  return detail === undefined ? heading : `${heading} (${detail})`;
}
