import { MockActivityEnvironment } from '@temporalio/testing';
import { bookingWorkflowId } from '../../../src/domain/booking';
import { crewRoster } from '../../../src/domain/crew';
import { DEFAULT_UPLOAD_WINDOW, uploadWindow } from '../../../src/domain/time';
import { calendarLocation, expandSite } from '../../../src/publish/sites';
import { fulfillmentInput } from '../../../src/service/start-booking';
import { sampleBooking } from '../../../sim/samples';
import { readObject } from '../../support/aws';
import { startFulfillmentHarness, type FulfillmentHarness } from '../../support/fulfillment';

/** What the activities give a booking that changes: calendar files that say so, and emails that refuse to say nothing. */
describe('activities for a changing booking', () => {
  let h: FulfillmentHarness;
  const env = new MockActivityEnvironment();

  beforeAll(async () => {
    h = await startFulfillmentHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const ref = (booking = sampleBooking()) => ({
    tenant: h.tenant.id,
    workflowId: bookingWorkflowId(h.tenant.id, booking),
    booking,
  });

  async function publishedSequences(sequence: number | undefined): Promise<string[]> {
    const booking = sampleBooking();
    const { input } = fulfillmentInput(h.tenant, booking, h.settings);
    await env.run(() =>
      h.activities.publishGuestPage({
        ...ref(booking),
        slug: input.slug,
        crew: crewRoster(booking.crew!, {}, false),
        version: 1,
        uploadWindow: uploadWindow(booking.charter, DEFAULT_UPLOAD_WINDOW),
        uploadState: 'not-yet-open',
        ...(sequence === undefined ? {} : { sequence }),
      }),
    );
    return Promise.all(
      h.tenant.sites.map(async (site) => {
        const { objectKey } = calendarLocation(expandSite(site, input.slug));
        const ics = (await readObject(h.s3, site.bucket, objectKey)).body.toString('utf8');
        return /^SEQUENCE:(.*)\r$/m.exec(ics)?.[1] ?? 'none';
      }),
    );
  }

  test("publishGuestPage puts the booking's revision in every site's calendar file as SEQUENCE", async () => {
    expect(await publishedSequences(4)).toEqual(h.tenant.sites.map(() => '4'));
  });

  test('publishGuestPage as histories from before revisions call it: SEQUENCE 0', async () => {
    expect(await publishedSequences(undefined)).toEqual(h.tenant.sites.map(() => '0'));
  });

  test('publishGuestPage refuses a sequence that is not a whole number, for good', async () => {
    await expect(publishedSequences(1.5)).rejects.toMatchObject({ type: 'PublishInputError', nonRetryable: true });
  });

  test('an email with nothing to tell, or naming crew off its roster, fails for good and sends nothing', async () => {
    const sentBefore = h.smtp.messages.length;
    const booking = sampleBooking();
    const crew = crewRoster(booking.crew!, {}, true);
    const refused = { type: 'MailInputError', nonRetryable: true };
    await expect(
      env.run(() =>
        h.activities.sendBookingChange({
          ...ref(booking),
          changes: [],
          revision: 2,
          channel: 'ops',
          crewReasked: false,
        }),
      ),
    ).rejects.toMatchObject(refused);
    await expect(
      env.run(() => h.activities.sendCrewAlert({ ...ref(booking), crew, declined: [], round: 1 })),
    ).rejects.toMatchObject(refused);
    await expect(
      env.run(() => h.activities.sendCrewEscalation({ ...ref(booking), crew, missing: ['crew-nobody'], round: 1 })),
    ).rejects.toMatchObject({ ...refused, message: expect.stringContaining('crew-nobody') });
    expect(h.smtp.messages).toHaveLength(sentBefore);
  });
});
