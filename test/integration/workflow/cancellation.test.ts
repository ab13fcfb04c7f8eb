import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { crewResponseSignal, statusQuery } from '../../../workflows/messages';
import { calendarLocation, expandSite } from '../../../src/publish/sites';
import { sampleBooking } from '../../../sim/samples';
import { invalidationsOf, readObject } from '../../support/aws';
import { startFulfillmentHarness, type FulfillmentHarness } from '../../support/fulfillment';
import { saveHistory } from '../../support/histories';
import { waitForStage } from '../../support/wait';

/** Ops cancel a booking in the Temporal UI (or CLI): the workflow undoes what it can and tells ops the rest. */
describe('cancelling a booking', () => {
  let h: FulfillmentHarness;

  beforeAll(async () => {
    h = await startFulfillmentHarness({ crewTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function cancelAndWait(handle: Awaited<ReturnType<FulfillmentHarness['start']>>) {
    await handle.cancel();
    const error = await handle.result().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    return handle.query(statusQuery);
  }

  const notices = (workflowId: string) =>
    h.smtp.messages.filter((m) => m.subject?.startsWith('Cancelled:') && m.text?.includes(workflowId));

  test('while waiting for crew: nothing published; the JADA entry deleted and the SCC event cancelled, and ops told so', async () => {
    const booking = sampleBooking();
    const handle = await h.start(booking);
    const waiting = await waitForStage(handle, 'AWAITING_CREW');

    const status = await cancelAndWait(handle);
    expect(status.stage).toBe('CANCELLED');
    expect(status.pageVersion).toBe(0);
    const [notice, ...more] = notices(handle.workflowId);
    expect(more).toHaveLength(0);
    expect(notice?.text).toContain(`JADA calendar entry ${waiting.jadaEventId} deleted`);
    expect(notice?.text).toContain(`SCC crew event ${waiting.sccEventId} cancelled`);
    expect(notice?.text).toMatch(/TO DO BY HAND\n- nothing/);
    expect(h.jada.events.some((e) => e.externalId === handle.workflowId)).toBe(false);
    expect(h.scc.messages.filter((m) => m.kind === 'cancelled').map((m) => m.crewId)).toEqual(
      expect.arrayContaining(booking.crew!.map((c) => c.id)),
    );
  });

  test('after the page is up: it becomes a "cancelled" notice without guest details, the .ics is gone, all invalidated', async () => {
    const booking = sampleBooking({ crew: [{ id: 'crew-solo', role: 'Captain', name: 'Mo Adeyemi' }] });
    const handle = await h.start(booking);
    await waitForStage(handle, 'AWAITING_CREW');
    await handle.signal(crewResponseSignal, {
      crewId: 'crew-solo',
      response: 'accepted',
      respondedAt: new Date().toISOString(),
    });
    const live = await waitForStage(handle, 'KEEPING_PAGE_CURRENT');
    const slug = live.pages[0]!.url.split('/g/')[1]!;

    const status = await cancelAndWait(handle);
    expect(status.stage).toBe('CANCELLED');

    for (const template of h.tenant.sites) {
      const site = expandSite(template, slug);
      const html = (await readObject(h.s3, site.bucket, site.objectKey)).body.toString('utf8');
      expect(html).toContain('This charter has been cancelled');
      expect(html).not.toContain('Carole');
      expect(html).not.toContain('Mo Adeyemi');
      const ics = calendarLocation(site);
      await expect(h.s3.send(new HeadObjectCommand({ Bucket: site.bucket, Key: ics.objectKey }))).rejects.toMatchObject(
        {
          $metadata: { httpStatusCode: 404 },
        },
      );
      const invalidations = (await invalidationsOf(h.cloudfront, site.distributionId)).filter((i) =>
        i.callerReference?.includes(handle.workflowId),
      );
      expect(invalidations).toHaveLength(2);
      expect(invalidations.find((i) => i.callerReference?.includes(':v2:'))?.paths).toEqual(
        expect.arrayContaining([site.publicPath, ics.publicPath]),
      );
    }
    const [notice, ...more] = notices(handle.workflowId);
    expect(more).toHaveLength(0);
    expect(notice?.text).toContain('Guest page replaced by a "cancelled" notice');
    await saveHistory(h.temporal.client, handle.workflowId, 'cancelled-after-publish');
  });
});
