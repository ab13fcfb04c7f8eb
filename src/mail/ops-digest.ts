import { formatMoney } from '../domain/money';
import type { DigestAction, DigestCharter, OpsDigest } from '../domain/ops-digest';
import { localTime } from '../domain/time';
import { escapeHtml } from '../html/escape';
import {
  AMOUNT,
  CELL,
  cell,
  crewSection,
  emailDocument,
  emailHeading,
  emailTitle,
  link,
  localDateTime,
  oneLine,
  table,
  textTable,
  type OpsEmail,
} from './email';
import { dateTimeFormat } from '../domain/intl';

export interface OpsDigestInput {
  tenantName: string;
  digest: OpsDigest;
  /** The Temporal UI's link to a workflow, `{workflowId}` replaced, when the worker knows the UI. */
  temporalUiUrl?: (workflowId: string) => string | undefined;
}

const ACTION_LABEL: Record<DigestAction['reason'], string> = {
  FAILED: 'Failed',
  NEEDS_CREW: 'Needs crew',
  AWAITING_DETAILS: 'Held, details wanted',
};

/** "Wed, Dec 2, 2026": a local date as ops read it (noon UTC of the date names the same date everywhere). */
function longDate(date: string): string {
  return dateTimeFormat('en-US', {
    timeZone: 'UTC',
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    year: 'numeric',
  }).format(new Date(`${date}T12:00:00Z`));
}

function charterLine(c: DigestCharter, zone: string): string {
  const start = localTime(c.start, c.timeZone ?? zone);
  const end = c.end ? localTime(c.end, c.timeZone ?? zone) : undefined;
  const when = `${start.time}${end ? `–${end.time}` : ''} ${start.zoneAbbreviation}`;
  const who = c.held
    ? 'held: details wanted'
    : c.guestName
      ? `${c.guestName}, ${c.partySize} ${c.partySize === 1 ? 'guest' : 'guests'}`
      : 'details unknown';
  return oneLine(`${when} · ${c.boat ?? 'boat unknown'} · ${who} · ${c.source} ${c.bookingId} · ${c.stage}`);
}

function chartersPart(title: string, charters: DigestCharter[], zone: string, ui: OpsDigestInput['temporalUiUrl']) {
  if (charters.length === 0)
    return { text: [title, 'No charters.'], html: [emailHeading(title), '<p>No charters.</p>'] };
  const text = [title];
  const html = [emailHeading(title)];
  for (const c of charters) {
    const crew = crewSection(c.crew);
    const line = charterLine(c, zone);
    const url = ui?.(c.workflowId);
    text.push('', `${line}`, `  Crew: ${crew.counts}${c.statusUnavailable ? ' (status did not answer)' : ''}`);
    if (c.crew.length) text.push(...crew.text.split('\n').map((l) => `  ${l}`));
    text.push(`  Workflow: ${c.workflowId}${url ? ` ${url}` : ''}`);
    html.push(
      `<h3 style="font-size:14px;margin:16px 0 4px">${escapeHtml(line)}${url ? ` · ${link(url, 'workflow')}` : ''}</h3>`,
      `<p>Crew: ${escapeHtml(crew.counts)}${c.statusUnavailable ? ' (status did not answer)' : ''}</p>`,
      ...(c.crew.length ? [crew.html] : []),
    );
  }
  return { text, html };
}

/**
 * The daily digest to ops: today's and tomorrow's charters with their crew, what needs ops (declined
 * or silent crew, failed bookings, held bookings waiting for details) and yesterday's revenue by
 * source. It carries what the ops summary email carries of a guest (name, party size) and no more.
 */
export function composeOpsDigest(input: OpsDigestInput): OpsEmail {
  const { digest } = input;
  const zone = digest.timeZone;
  const flagged = digest.needsAction.length;
  const subject = oneLine(
    `Ops digest ${longDate(digest.days.today)}: ${digest.today.length} today, ${digest.tomorrow.length} tomorrow` +
      (flagged ? `, ⚠ ${flagged} need${flagged === 1 ? 's' : ''} action` : ''),
  );
  const title = `${input.tenantName}: ops digest for ${longDate(digest.days.today)} (${zone})`;
  const today = chartersPart(`Today, ${longDate(digest.days.today)}`, digest.today, zone, input.temporalUiUrl);
  const tomorrow = chartersPart(
    `Tomorrow, ${longDate(digest.days.tomorrow)}`,
    digest.tomorrow,
    zone,
    input.temporalUiUrl,
  );

  const actionRows = digest.needsAction.map((a) => [
    ACTION_LABEL[a.reason],
    a.charterStart ? localDateTime(a.charterStart, zone) : '',
    `${a.source} ${a.bookingId}`,
    a.detail,
  ]);
  const revenueTitle = `Yesterday's revenue, ${longDate(digest.revenue.day)} (charters that sailed)`;
  const revenueRows = digest.revenue.bySource.map((r) => [
    r.source,
    `${r.charters} ${r.charters === 1 ? 'charter' : 'charters'}`,
    formatMoney({ amount: r.guestTotal, currency: r.currency }),
    r.payoutCharters
      ? `payout ${formatMoney({ amount: r.payout, currency: r.currency })}${
          r.payoutCharters < r.charters ? ` (${r.payoutCharters} of ${r.charters} reported)` : ''
        }`
      : '',
  ]);
  const withoutPricing = digest.revenue.withoutPricing
    ? [`${digest.revenue.withoutPricing} of yesterday's charters have no pricing (held or unreadable).`]
    : [];
  const truncated = digest.truncated
    ? ['More bookings matched than one digest reads: the lists are incomplete; see the ops page.']
    : [];

  const text = [
    title,
    ...truncated,
    '',
    ...today.text,
    '',
    ...tomorrow.text,
    '',
    `NEEDS ACTION (${flagged})`,
    flagged ? textTable(actionRows) : 'Nothing.',
    '',
    revenueTitle.toUpperCase(),
    revenueRows.length ? textTable(revenueRows) : 'No charters with pricing.',
    ...withoutPricing,
    '',
    `Period ${digest.period}, scheduled ${digest.at}.`,
    '',
  ].join('\n');

  const html = emailDocument(subject, [
    emailTitle(title),
    ...truncated.map((line) => `<p><strong>${escapeHtml(line)}</strong></p>`),
    ...today.html,
    ...tomorrow.html,
    emailHeading(`Needs action (${flagged})`),
    flagged
      ? table([
          ['What', 'Charter', 'Booking', 'Detail'].map((h) => cell(h, CELL, 'th')),
          ...actionRows.map((row) => row.map((v) => cell(escapeHtml(v)))),
        ])
      : '<p>Nothing.</p>',
    emailHeading(revenueTitle),
    revenueRows.length
      ? table(
          revenueRows.map((row) => [
            cell(escapeHtml(row[0]!)),
            cell(escapeHtml(row[1]!)),
            cell(escapeHtml(row[2]!), AMOUNT),
            cell(escapeHtml(row[3]!)),
          ]),
        )
      : '<p>No charters with pricing.</p>',
    ...withoutPricing.map((line) => `<p>${escapeHtml(line)}</p>`),
    `<p style="color:#666">Period ${escapeHtml(digest.period)}, scheduled ${escapeHtml(digest.at)}.</p>`,
  ]);
  return { subject, text, html };
}
