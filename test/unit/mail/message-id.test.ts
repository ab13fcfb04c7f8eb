import { createHash } from 'node:crypto';
import * as messageIds from '../../../src/mail/message-id';

describe('opsSummaryMessageId', () => {
  it('is the first 32 hex digits of sha256(workflowId), in angle brackets, at our domain', () => {
    const hex = createHash('sha256').update('booking-bay-boatsetter-bs-1001').digest('hex').slice(0, 32);
    expect(messageIds.opsSummaryMessageId('booking-bay-boatsetter-bs-1001')).toBe(
      `<${hex}.ops-summary@charter-fulfillment.local>`,
    );
  });

  it('is stable per workflow, distinct across workflows, and takes a domain', () => {
    expect(messageIds.opsSummaryMessageId('wf-a')).toBe(messageIds.opsSummaryMessageId('wf-a'));
    expect(messageIds.opsSummaryMessageId('wf-a')).not.toBe(messageIds.opsSummaryMessageId('wf-b'));
    expect(messageIds.opsSummaryMessageId('wf-a', 'mail.baycharters.example')).toMatch(
      /^<[0-9a-f]{32}\.ops-summary@mail\.baycharters\.example>$/,
    );
  });
});

describe('the Message-IDs of the other ops emails', () => {
  it('stay what they were before they shared one helper, so sent-mail ledgers still know them', () => {
    expect(messageIds.cancellationNoticeMessageId('wf-a')).toBe(
      '<38cb2b94bc3df0d44bb3b2e93cb9be5c.cancelled@charter-fulfillment.local>',
    );
    expect(messageIds.crewUpdateMessageId('wf-a', 2)).toBe(
      '<03865659b1980b94d67535ecfc1b9416.crew-update@charter-fulfillment.local>',
    );
  });

  it('a booking change: one per (workflow, revision)', () => {
    expect(messageIds.bookingChangeMessageId('wf-a', 2)).toBe(messageIds.bookingChangeMessageId('wf-a', 2));
    expect(messageIds.bookingChangeMessageId('wf-a', 2)).not.toBe(messageIds.bookingChangeMessageId('wf-a', 3));
    expect(messageIds.bookingChangeMessageId('wf-a', 2)).not.toBe(messageIds.bookingChangeMessageId('wf-b', 2));
    expect(messageIds.bookingChangeMessageId('wf-a', 2)).toMatch(
      /^<[0-9a-f]{32}\.booking-change@charter-fulfillment\.local>$/,
    );
  });

  it('a crew alert: one per (workflow, round, declined crew ids), whatever their order', () => {
    expect(messageIds.crewAlertMessageId('wf-a', 1, ['mate'])).toBe(messageIds.crewAlertMessageId('wf-a', 1, ['mate']));
    expect(messageIds.crewAlertMessageId('wf-a', 1, ['mate', 'chef'])).toBe(
      messageIds.crewAlertMessageId('wf-a', 1, ['chef', 'mate', 'chef']),
    );
    expect(messageIds.crewAlertMessageId('wf-a', 1, ['mate'])).not.toBe(
      messageIds.crewAlertMessageId('wf-a', 1, ['chef']),
    );
    expect(messageIds.crewAlertMessageId('wf-a', 1, ['mate'])).not.toBe(
      messageIds.crewAlertMessageId('wf-a', 2, ['mate']),
    );
    expect(messageIds.crewAlertMessageId('wf-a', 1, ['mate'])).not.toBe(
      messageIds.crewAlertMessageId('wf-b', 1, ['mate']),
    );
    expect(messageIds.crewAlertMessageId('wf-a', 1, ['mate'])).toMatch(
      /^<[0-9a-f]{32}\.crew-alert@charter-fulfillment\.local>$/,
    );
  });

  it('a crew escalation: one per (workflow, round)', () => {
    expect(messageIds.crewEscalationMessageId('wf-a', 1)).toBe(messageIds.crewEscalationMessageId('wf-a', 1));
    expect(messageIds.crewEscalationMessageId('wf-a', 1)).not.toBe(messageIds.crewEscalationMessageId('wf-a', 2));
    expect(messageIds.crewEscalationMessageId('wf-a', 1)).toMatch(
      /^<[0-9a-f]{32}\.crew-escalation@charter-fulfillment\.local>$/,
    );
  });

  it('are all distinct for the same workflow', () => {
    const ids = [
      messageIds.opsSummaryMessageId('wf-a'),
      messageIds.cancellationNoticeMessageId('wf-a'),
      messageIds.crewUpdateMessageId('wf-a', 1),
      messageIds.bookingChangeMessageId('wf-a', 1),
      messageIds.crewAlertMessageId('wf-a', 1, ['mate']),
      messageIds.crewEscalationMessageId('wf-a', 1),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });
});
