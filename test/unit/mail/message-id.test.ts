import { createHash } from 'node:crypto';
import {
  bookingChangeMessageId,
  cancellationNoticeMessageId,
  crewAlertMessageId,
  crewEscalationMessageId,
  crewUpdateMessageId,
  opsSummaryMessageId,
} from '../../../src/mail/message-id';

describe('opsSummaryMessageId', () => {
  it('is the first 32 hex digits of sha256(workflowId), in angle brackets, at our domain', () => {
    const hex = createHash('sha256').update('booking-bay-boatsetter-bs-1001').digest('hex').slice(0, 32);
    expect(opsSummaryMessageId('booking-bay-boatsetter-bs-1001')).toBe(
      `<${hex}.ops-summary@charter-fulfillment.local>`,
    );
  });

  it('is stable per workflow, distinct across workflows, and takes a domain', () => {
    expect(opsSummaryMessageId('wf-a')).toBe(opsSummaryMessageId('wf-a'));
    expect(opsSummaryMessageId('wf-a')).not.toBe(opsSummaryMessageId('wf-b'));
    expect(opsSummaryMessageId('wf-a', 'mail.baycharters.example')).toMatch(
      /^<[0-9a-f]{32}\.ops-summary@mail\.baycharters\.example>$/,
    );
  });
});

describe('the Message-IDs of the other ops emails', () => {
  it('stay what they were before they shared one helper, so sent-mail ledgers still know them', () => {
    expect(cancellationNoticeMessageId('wf-a')).toBe(
      '<38cb2b94bc3df0d44bb3b2e93cb9be5c.cancelled@charter-fulfillment.local>',
    );
    expect(crewUpdateMessageId('wf-a', 2)).toBe(
      '<03865659b1980b94d67535ecfc1b9416.crew-update@charter-fulfillment.local>',
    );
  });

  it('a booking change: one per (workflow, revision)', () => {
    expect(bookingChangeMessageId('wf-a', 2)).toBe(bookingChangeMessageId('wf-a', 2));
    expect(bookingChangeMessageId('wf-a', 2)).not.toBe(bookingChangeMessageId('wf-a', 3));
    expect(bookingChangeMessageId('wf-a', 2)).not.toBe(bookingChangeMessageId('wf-b', 2));
    expect(bookingChangeMessageId('wf-a', 2)).toMatch(/^<[0-9a-f]{32}\.booking-change@charter-fulfillment\.local>$/);
  });

  it('a crew alert: one per (workflow, round, declined crew ids), whatever their order', () => {
    expect(crewAlertMessageId('wf-a', 1, ['mate'])).toBe(crewAlertMessageId('wf-a', 1, ['mate']));
    expect(crewAlertMessageId('wf-a', 1, ['mate', 'chef'])).toBe(
      crewAlertMessageId('wf-a', 1, ['chef', 'mate', 'chef']),
    );
    expect(crewAlertMessageId('wf-a', 1, ['mate'])).not.toBe(crewAlertMessageId('wf-a', 1, ['chef']));
    expect(crewAlertMessageId('wf-a', 1, ['mate'])).not.toBe(crewAlertMessageId('wf-a', 2, ['mate']));
    expect(crewAlertMessageId('wf-a', 1, ['mate'])).not.toBe(crewAlertMessageId('wf-b', 1, ['mate']));
    expect(crewAlertMessageId('wf-a', 1, ['mate'])).toMatch(/^<[0-9a-f]{32}\.crew-alert@charter-fulfillment\.local>$/);
  });

  it('a crew escalation: one per (workflow, round)', () => {
    expect(crewEscalationMessageId('wf-a', 1)).toBe(crewEscalationMessageId('wf-a', 1));
    expect(crewEscalationMessageId('wf-a', 1)).not.toBe(crewEscalationMessageId('wf-a', 2));
    expect(crewEscalationMessageId('wf-a', 1)).toMatch(/^<[0-9a-f]{32}\.crew-escalation@charter-fulfillment\.local>$/);
  });

  it('are all distinct for the same workflow', () => {
    const ids = [
      opsSummaryMessageId('wf-a'),
      cancellationNoticeMessageId('wf-a'),
      crewUpdateMessageId('wf-a', 1),
      bookingChangeMessageId('wf-a', 1),
      crewAlertMessageId('wf-a', 1, ['mate']),
      crewEscalationMessageId('wf-a', 1),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });
});
