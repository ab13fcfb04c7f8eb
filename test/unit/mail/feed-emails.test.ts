import { sampleFeed } from '../../../sim/samples';
import { heldBooking } from '../../../src/channels/feed-booking';
import { composeFeedEventsMissing, composeFeedOutage } from '../../../src/mail/feed-alerts';
import { composeHeldBooking } from '../../../src/mail/held-booking';
import { feedEventsMissingMessageId, feedOutageMessageId, heldBookingMessageId } from '../../../src/mail/message-id';

const feed = sampleFeed({ url: 'https://www.boatsetter.example/ical/abc?token=s3cret', boat: 'Sea <b>Breeze</b>' });
const event = { key: 'bs.0123456789abcdef0123', start: '2027-06-12T17:00:00Z', end: '2027-06-12T21:00:00Z' };
const context = {
  tenantName: 'JADA Charters',
  workflowId: 'feed-jada-bs-2026',
  opsPageUrl: 'https://ops.example/ops/jada/',
};

describe('calendar feed emails', () => {
  test('a held booking: its slot in the charter zone, how to complete it, and never the feed URL', () => {
    const email = composeHeldBooking({
      ...context,
      tenantId: 'jada',
      booking: heldBooking(feed, event),
      workflowId: 'booking-jada-boatsetter-bs.0123456789abcdef0123',
      feed: 'bs',
      jadaEventId: 'cal_7',
      opsPageUrl: 'https://ops.example/ops/jada/',
    });
    expect(email.subject).toContain('details wanted');
    expect(email.text).toContain('Sat, Jun 12, 2027 10:00 AM PDT');
    expect(email.text).toContain('cal_7');
    expect(email.text).toContain('https://ops.example/ops/jada/');
    expect(email.text).toContain('/tenants/jada/bookings/bs.0123456789abcdef0123/details?source=boatsetter');
    expect(email.html).not.toContain('<b>Breeze');
    for (const part of [email.subject, email.text, email.html]) expect(part).not.toContain('s3cret');
  });

  test('gone from the feed: each event with its booking, and that nothing was cancelled', () => {
    const email = composeFeedEventsMissing({
      ...context,
      feed,
      events: [{ ...event, workflowId: 'booking-jada-boatsetter-bs.0123456789abcdef0123' }],
    });
    expect(email.subject).toMatch(/^A reservation gone from the boatsetter calendar/);
    expect(email.text).toContain('booking-jada-boatsetter-bs.0123456789abcdef0123');
    expect(email.text).toContain('Nothing was cancelled here');
    expect(email.text).not.toContain('s3cret');
  });

  test('an outage: the reason and the last good sync; once per outage by Message-ID', () => {
    const email = composeFeedOutage({ ...context, feed, reason: 'HTTP 500', lastGoodSync: '2026-12-01T10:00:00Z' });
    expect(email.text).toContain('HTTP 500');
    expect(email.text).toContain('2026-12-01T10:00:00Z');
    expect(email.text).not.toContain('s3cret');
    expect(feedOutageMessageId('jada', 'bs', '2026-12-01T10:00:00Z')).toBe(
      feedOutageMessageId('jada', 'bs', '2026-12-01T10:00:00Z'),
    );
    expect(feedOutageMessageId('jada', 'bs', '2026-12-01T10:00:00Z')).not.toBe(
      feedOutageMessageId('jada', 'bs', undefined),
    );
    expect(feedEventsMissingMessageId('jada', 'bs', ['b', 'a'])).toBe(
      feedEventsMissingMessageId('jada', 'bs', ['a', 'b']),
    );
    expect(heldBookingMessageId('w1')).not.toBe(heldBookingMessageId('w2'));
  });
});
