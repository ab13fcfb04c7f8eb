import { createHash } from 'node:crypto';

/**
 * The same workflow always produces the same Message-ID, so a retried send (say, the server took the
 * message but the connection dropped before its 250) is recognisable as a duplicate by mail clients
 * (the outbox stand-in lists both copies, as a mailbox would receive them). Hashing keeps tenant and booking ids out of a header that leaves our systems.
 * Each Message-ID is also the key of the email in the sent-mail ledger: what it is derived from is
 * what makes the email exactly-once.
 */
const DOMAIN = 'charter-fulfillment.local';

function hashedMessageId(key: string, kind: string, domain: string): string {
  const digest = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 32);
  return `<${digest}.${kind}@${domain}>`;
}

export function opsSummaryMessageId(workflowId: string, domain = DOMAIN): string {
  return hashedMessageId(workflowId, 'ops-summary', domain);
}

/** The cancellation notice of the same booking: its own deterministic Message-ID. */
export function cancellationNoticeMessageId(workflowId: string, domain = DOMAIN): string {
  return hashedMessageId(workflowId, 'cancelled', domain);
}

/** The n-th crew update of a booking: deterministic, so a retried send is recognisably the same. */
export function crewUpdateMessageId(workflowId: string, sequence: number, domain = DOMAIN): string {
  return hashedMessageId(`${workflowId}:crew-update:${sequence}`, 'crew-update', domain);
}

/** One email per revision of a booking: a change re-delivered (same revision) is not told twice. */
export function bookingChangeMessageId(workflowId: string, revision: number, domain = DOMAIN): string {
  return hashedMessageId(`${workflowId}:booking-change:${revision}`, 'booking-change', domain);
}

/**
 * A crew alert is keyed by the declines it tells of: (workflowId, round, crew ids), so with one
 * decline it is per (workflowId, crewId, round). A crew member declines at most once per round (the
 * first answer wins), so each decline is told once as long as the workflow passes it in one alert;
 * two declines that arrive apart in one round get one alert each, where a key per (workflowId, round)
 * would have swallowed the second. Order and repeats of the ids do not matter.
 */
export function crewAlertMessageId(
  workflowId: string,
  round: number,
  declined: readonly string[],
  domain = DOMAIN,
): string {
  const crewIds = [...new Set(declined)].sort().join(',');
  return hashedMessageId(`${workflowId}:crew-alert:${round}:${crewIds}`, 'crew-alert', domain);
}

/** One escalation per round of asking crew: it is sent when that round's deadline passes. */
export function crewEscalationMessageId(workflowId: string, round: number, domain = DOMAIN): string {
  return hashedMessageId(`${workflowId}:crew-escalation:${round}`, 'crew-escalation', domain);
}

/** One email per held booking: the feed seeing it again (or a retried send) tells ops nothing new. */
export function heldBookingMessageId(workflowId: string, domain = DOMAIN): string {
  return hashedMessageId(`${workflowId}:held`, 'held-booking', domain);
}

/** A feed's events gone missing, told once per (feed, set of events). */
export function feedEventsMissingMessageId(
  tenant: string,
  feed: string,
  keys: readonly string[],
  domain = DOMAIN,
): string {
  return hashedMessageId(`${tenant}:${feed}:missing:${[...new Set(keys)].sort().join(',')}`, 'feed-missing', domain);
}

/** One email per outage of a feed: an outage is named by the last good sync before it. */
export function feedOutageMessageId(
  tenant: string,
  feed: string,
  lastGoodSync: string | undefined,
  domain = DOMAIN,
): string {
  return hashedMessageId(`${tenant}:${feed}:outage:${lastGoodSync ?? 'never'}`, 'feed-outage', domain);
}

/**
 * One daily digest per tenant and period: the period is the tenant-local date of the run's scheduled
 * time (src/domain/ops-digest.ts), so a retried run, or a trigger by hand on a day that had its digest,
 * sends nothing more.
 */
export function opsDigestMessageId(tenant: string, period: string, domain = DOMAIN): string {
  return hashedMessageId(`digest-${tenant}:${period}`, 'ops-digest', domain);
}

/**
 * One roster per booking and charter start: overlapping roster windows and retried runs send it once;
 * a charter moved to another time is a new charter and gets its own. The start is normalised to UTC,
 * so the same instant written with another offset is the same roster.
 */
export function crewRosterMessageId(workflowId: string, charterStart: string, domain = DOMAIN): string {
  const start = new Date(charterStart).toISOString();
  return hashedMessageId(`${workflowId}:roster:${start}`, 'crew-roster', domain);
}
