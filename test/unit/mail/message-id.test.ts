import { createHash } from 'node:crypto';
import { opsSummaryMessageId } from '../../../src/mail/message-id';

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
