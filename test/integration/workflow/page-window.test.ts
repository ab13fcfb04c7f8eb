import { crewResponseSignal } from '../../../workflows/messages';
import { expandSite } from '../../../src/publish/sites';
import { sampleBooking } from '../../../sim/samples';
import { invalidationsOf, readObject } from '../../support/aws';
import { startFulfillmentHarness, type FulfillmentHarness } from '../../support/fulfillment';
import { saveHistory } from '../../support/histories';
import { waitFor, waitForStage } from '../../support/wait';
import { statusQuery } from '../../../workflows/messages';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The page kept true by durable timers, with the upload window in seconds on the wall clock: published
 * without the form, re-published with it when the window opens, and without it when the window closes.
 * The real durations (7 days, 6-day refreshes, 3 days; the crew deadline; late crew answers) are tested
 * on the time-skipping test server in day-scale-timers.test.ts. What only this run shows: the dev
 * server's own timers (the Java test server emulates them) drive the page, with the activities on their
 * own clock, Date.now, agreeing with workflow time; its history is the recorded page-window one.
 */
describe('guest page kept current over the upload window (wall clock, dev server)', () => {
  let h: FulfillmentHarness;

  beforeAll(async () => {
    h = await startFulfillmentHarness({
      // The crew answer comes at once; a deadline that a busy machine could pass first would end the
      // crew wait before the test sees it.
      crewTimeoutMs: 60_000,
      uploadWindow: { openBeforeStartMs: 3000, closeAfterEndMs: 3000, refreshEveryMs: 60_000 },
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function pageHtml(slug: string, siteIndex = 0): Promise<string> {
    const site = expandSite(h.tenant.sites[siteIndex]!, slug);
    return (await readObject(h.s3, site.bucket, site.objectKey)).body.toString('utf8');
  }

  test('without form -> with form -> without form, each version on both sites and invalidated once', async () => {
    const now = Date.now();
    // Window: opens at now+8s (3 s before the start), closes at now+15s (3 s after the end): room for
    // the first publish to land before it opens, even on a busy machine.
    const booking = sampleBooking({
      charter: { start: iso(now + 11_000), end: iso(now + 12_000), timeZone: 'America/Los_Angeles' },
      crew: [{ id: 'crew-solo', role: 'Captain', name: 'Ivy Tan' }],
    });
    const handle = await h.start(booking);
    await waitForStage(handle, 'AWAITING_CREW');
    await handle.signal(crewResponseSignal, {
      crewId: 'crew-solo',
      response: 'accepted',
      respondedAt: iso(Date.now()),
    });

    const first = await waitForStage(handle, 'KEEPING_PAGE_CURRENT');
    expect(first.pageVersion).toBe(1);
    expect(first.uploadWindow?.state).toBe('not-yet-open');
    const slug = first.pages[0]!.url.split('/g/')[1]!;
    expect(await pageHtml(slug)).not.toContain('<form');

    const open = await waitFor(
      () => handle.query(statusQuery),
      (s) => s.pageVersion === 2,
      20_000,
    );
    expect(open.uploadWindow?.state).toBe('open');
    const openHtml = await pageHtml(slug);
    expect(openHtml).toContain('<form');
    expect(await pageHtml(slug, 1)).toBe(openHtml);

    const done = await handle.result();
    expect(done.stage).toBe('COMPLETED');
    expect(done.pageVersion).toBe(3);
    expect(done.uploadWindow?.state).toBe('closed');
    expect(await pageHtml(slug)).not.toContain('<form');
    expect(await pageHtml(slug, 1)).toBe(await pageHtml(slug));

    for (const site of h.tenant.sites) {
      const refs = (await invalidationsOf(h.cloudfront, site.distributionId)).map((i) => i.callerReference ?? '');
      expect(refs.filter((r) => r.includes(handle.workflowId))).toHaveLength(3);
      for (const version of [1, 2, 3]) expect(refs.filter((r) => r.includes(`:v${version}:`))).toHaveLength(1);
    }
    expect(h.smtp.messages.filter((m) => m.messageId === done.opsEmailMessageId)).toHaveLength(1);
    await saveHistory(h.temporal.client, handle.workflowId, 'page-window');
  });
});
