import { MockActivityEnvironment } from '@temporalio/testing';
import { startFeedSim, type FeedSim } from '../../../sim/feeds';
import { sampleBooking, sampleFeed } from '../../../sim/samples';
import { bookingWorkflowId } from '../../../src/domain/booking';
import { startFulfillmentHarness, type FulfillmentHarness } from '../../support/fulfillment';

/** The calendar-feed activities, each executed twice with the same input, have one effect. */
describe('feed-sync activity idempotency (each activity run twice)', () => {
  let sim: FeedSim;
  let h: FulfillmentHarness;
  const ref = () => ({ tenant: h.tenant.id, feed: 'bs' });

  beforeAll(async () => {
    sim = await startFeedSim();
    h = await startFulfillmentHarness({
      tenant: (t) => ({ ...t, feeds: [sampleFeed({ url: sim.feedUrl('bs') })] }),
    });
    sim.setEvents('bs', [
      { uid: 'one@boatsetter', start: '2027-08-01T09:00:00-07:00', end: '2027-08-01T13:00:00-07:00' },
    ]);
  });
  afterAll(async () => {
    await h?.stop();
    await sim?.stop();
  });

  const twice = async <T>(run: () => Promise<T>): Promise<[T, T]> => {
    const env = new MockActivityEnvironment();
    return [await env.run(run), await env.run(run)];
  };

  test('fetchCalendarFeed: the same events both times; with the validators it returned, not modified', async () => {
    const [first, second] = await twice(() => h.activities.fetchCalendarFeed(ref()));
    expect(second).toEqual(first);
    if (first.notModified) throw new Error('expected the feed');
    expect(first.events).toHaveLength(1);
    const [again] = await twice(() =>
      h.activities.fetchCalendarFeed({ ...ref(), etag: first.etag, lastModified: first.lastModified }),
    );
    expect(again).toEqual({ notModified: true });
  });

  test('writeFeedSnapshot: one object, read back as written', async () => {
    const snapshot = { syncedAt: '2026-12-01T00:00:00.000Z', etag: '"e"', events: [] };
    await twice(() => h.activities.writeFeedSnapshot({ ...ref(), snapshot }));
    const [read, reread] = await twice(() => h.activities.readFeedSnapshot(ref()));
    expect(read).toEqual(snapshot);
    expect(reread).toEqual(snapshot);
  });

  test('deliverFeedEvent: one held booking; the second delivery changes nothing', async () => {
    const event = { key: 'bs.idem1', start: '2027-08-02T16:00:00Z', end: '2027-08-02T20:00:00Z' };
    const [first, second] = await twice(() => h.activities.deliverFeedEvent({ ...ref(), event }));
    expect(first.outcome).toBe('started');
    expect(second).toEqual({ workflowId: first.workflowId, outcome: 'unchanged' });
  });

  test('sendHeldBookingNotice: one email', async () => {
    const booking = sampleBooking({ source: 'boatsetter' });
    const workflowId = bookingWorkflowId(h.tenant.id, booking);
    const [first, second] = await twice(() =>
      h.activities.sendHeldBookingNotice({
        tenant: h.tenant.id,
        workflowId,
        booking,
        feed: 'bs',
        jadaEventId: 'cal_9',
      }),
    );
    expect(second).toEqual({ messageId: first.messageId, alreadySent: true });
    expect(h.smtp.messages.filter((m) => m.messageId === first.messageId)).toHaveLength(1);
  });

  test('sendFeedEventsMissing: one email per set of events', async () => {
    const events = [{ key: 'bs.gone1', start: '2027-08-03T16:00:00Z', end: '2027-08-03T20:00:00Z' }];
    const [first, second] = await twice(() =>
      h.activities.sendFeedEventsMissing({ ...ref(), workflowId: 'feed-x-1', events }),
    );
    expect(second).toEqual({ messageId: first.messageId, alreadySent: true });
    const sent = h.smtp.messages.filter((m) => m.messageId === first.messageId);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toContain(bookingWorkflowId(h.tenant.id, { source: 'boatsetter', bookingId: 'bs.gone1' }));
  });

  test('sendFeedOutage: one email per outage, another for the next outage', async () => {
    const outage = { ...ref(), workflowId: 'feed-x-2', reason: 'HTTP 500', lastGoodSync: '2026-12-01T00:00:00.000Z' };
    const [first, second] = await twice(() => h.activities.sendFeedOutage(outage));
    expect(second).toEqual({ messageId: first.messageId, alreadySent: true });
    const [next] = await twice(() =>
      h.activities.sendFeedOutage({ ...outage, lastGoodSync: '2026-12-02T00:00:00.000Z' }),
    );
    expect(next.messageId).not.toBe(first.messageId);
    expect(h.smtp.messages.filter((m) => m.subject?.includes('cannot be read'))).toHaveLength(2);
  });
});
