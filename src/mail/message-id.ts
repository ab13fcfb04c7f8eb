import { createHash } from 'node:crypto';

/**
 * The same workflow always produces the same Message-ID, so a retried send (say, the server took the
 * message but the connection dropped before its 250) is recognisable as a duplicate by mail clients
 * and by the outbox. Hashing keeps tenant and booking ids out of a header that leaves our systems.
 */
export function opsSummaryMessageId(workflowId: string, domain = 'charter-fulfillment.local'): string {
  const digest = createHash('sha256').update(workflowId, 'utf8').digest('hex').slice(0, 32);
  return `<${digest}.ops-summary@${domain}>`;
}

/** The cancellation notice of the same booking: its own deterministic Message-ID. */
export function cancellationNoticeMessageId(workflowId: string, domain = 'charter-fulfillment.local'): string {
  return opsSummaryMessageId(workflowId, domain).replace('.ops-summary@', '.cancelled@');
}

/** The n-th crew update of a booking: deterministic, so a retried send is recognisably the same. */
export function crewUpdateMessageId(
  workflowId: string,
  sequence: number,
  domain = 'charter-fulfillment.local',
): string {
  return opsSummaryMessageId(`${workflowId}:crew-update:${sequence}`, domain).replace('.ops-summary@', '.crew-update@');
}
