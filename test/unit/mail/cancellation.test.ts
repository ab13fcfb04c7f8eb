import { composeCancellationNotice } from '../../../src/mail/cancellation';
import { cancellationNoticeMessageId, opsSummaryMessageId } from '../../../src/mail/message-id';
import { renderCancelledPage } from '../../../src/page/cancelled';
import { sampleBooking } from '../../../sim/samples';

describe('cancellation', () => {
  test('the notice lists what was undone and what is left, escaped in HTML', () => {
    const notice = composeCancellationNotice({
      tenantName: 'JADA <Charters>',
      booking: sampleBooking({ guest: { name: 'Eve <script>', partySize: 2 } }),
      workflowId: 'booking-jada-boatsetter-x',
      undone: ['Guest page withdrawn'],
      toDoByHand: ['Remove JADA calendar entry cal_1'],
    });
    expect(notice.subject).toMatch(/^Cancelled: Eve <script> · Sat, May 29, 2027 10:00 AM PDT · Sea Breeze$/);
    expect(notice.text).toContain('UNDONE BY THE WORKFLOW\n- Guest page withdrawn');
    expect(notice.text).toContain('TO DO BY HAND\n- Remove JADA calendar entry cal_1');
    expect(notice.html).not.toContain('<Charters>');
    expect(notice.html).not.toContain('<script>');
  });

  test('its Message-ID is deterministic and differs from the summary', () => {
    expect(cancellationNoticeMessageId('wf-1')).toBe(cancellationNoticeMessageId('wf-1'));
    expect(cancellationNoticeMessageId('wf-1')).not.toBe(opsSummaryMessageId('wf-1'));
  });

  test('the cancelled page shows the operator only, escaped, noindex', () => {
    const html = renderCancelledPage({
      operator: { name: 'A & B <Boats>', phone: '+1 (415) 555-0100', email: 'hi@example.com' },
    });
    expect(html).toContain('This charter has been cancelled');
    expect(html).toContain('A &amp; B &lt;Boats&gt;');
    expect(html).toContain('href="tel:+14155550100"');
    expect(html).toContain('noindex');
  });
});
