import { MockActivityEnvironment } from '@temporalio/testing';
import { crewRoster } from '../../../src/domain/crew';
import { DEFAULT_UPLOAD_WINDOW, uploadWindow } from '../../../src/domain/time';
import { bookingWorkflowId } from '../../../src/domain/booking';
import { fulfillmentInput } from '../../../src/service/start-booking';
import { sampleBooking } from '../../../sim/samples';
import { invalidationsOf, readObject } from '../../support/aws';
import { startFulfillmentHarness, type FulfillmentHarness } from '../../support/fulfillment';
import { expandSite } from '../../../src/publish/sites';
import { diffBookings } from '../../../src/domain/booking-changes';
import { bookingChangeMessageId, crewAlertMessageId, crewEscalationMessageId } from '../../../src/mail/message-id';

/** Every activity, executed twice for the same booking, has one effect. */
describe('activity idempotency (each activity run twice)', () => {
  let h: FulfillmentHarness;
  const booking = sampleBooking();
  let workflowId: string;
  let ref: { tenant: string; workflowId: string; booking: typeof booking };

  beforeAll(async () => {
    h = await startFulfillmentHarness();
    workflowId = bookingWorkflowId(h.tenant.id, booking);
    ref = { tenant: h.tenant.id, workflowId, booking };
  });
  afterAll(async () => {
    await h?.stop();
  });

  const twice = async <T>(run: () => Promise<T>): Promise<[T, T]> => {
    const env = new MockActivityEnvironment();
    return [await env.run(run), await env.run(run)];
  };

  test('createCalendarEntry: one JADA entry', async () => {
    const [first, second] = await twice(() => h.activities.createCalendarEntry(ref));
    expect(first.created).toBe(true);
    expect(second).toEqual({ jadaEventId: first.jadaEventId, created: false });
    expect(h.jada.counters.created).toBe(1);
  });

  test('createCrewEvent: one SCC event, no magic links in the result', async () => {
    const [first, second] = await twice(() => h.activities.createCrewEvent({ ...ref, crew: booking.crew! }));
    expect(first.created).toBe(true);
    expect(second.sccEventId).toBe(first.sccEventId);
    expect(second.created).toBe(false);
    expect(h.scc.counters.created).toBe(1);
    expect(JSON.stringify(first)).not.toMatch(/https?:\/\//);
  });

  test("a booking's first create skips the lookup on its first attempt only; the retry looks and finds it", async () => {
    const fresh = sampleBooking();
    const freshRef = { tenant: h.tenant.id, workflowId: bookingWorkflowId(h.tenant.id, fresh), booking: fresh };
    const first = new MockActivityEnvironment({ attempt: 1 });
    const retry = new MockActivityEnvironment({ attempt: 2 });
    const lookups = () => ({ jada: h.jada.counters.lookups, scc: h.scc.counters.lookups });
    const created = () => ({ jada: h.jada.counters.created, scc: h.scc.counters.created });
    const before = { lookups: lookups(), created: created() };
    const inAttempt = <T>(env: MockActivityEnvironment, activity: () => Promise<T>): Promise<T> => env.run(activity);
    const run = async (env: MockActivityEnvironment) =>
      [
        await inAttempt(env, () => h.activities.createCalendarEntry({ ...freshRef, noEarlierCreate: true })),
        await inAttempt(env, () =>
          h.activities.createCrewEvent({ ...freshRef, crew: fresh.crew!, noEarlierCreate: true }),
        ),
      ] as const;

    const [entry, event] = await run(first);
    expect([entry.created, event.created]).toEqual([true, true]);
    // The create alone, without the GET before it.
    expect(lookups()).toEqual(before.lookups);
    expect(created()).toEqual({ jada: before.created.jada + 1, scc: before.created.scc + 1 });

    // As if the first attempt's answer was lost: the retry looks first and finds what it made.
    const [entryAgain, eventAgain] = await run(retry);
    expect(entryAgain).toEqual({ jadaEventId: entry.jadaEventId, created: false });
    expect(eventAgain).toMatchObject({ sccEventId: event.sccEventId, created: false });
    expect(lookups()).toEqual({ jada: before.lookups.jada + 1, scc: before.lookups.scc + 1 });
    expect(created()).toEqual({ jada: before.created.jada + 1, scc: before.created.scc + 1 });
  });

  test('publishGuestPage: same objects, one invalidation per site', async () => {
    const { input } = fulfillmentInput(h.tenant, booking, h.settings);
    const crew = crewRoster(booking.crew!, {}, false);
    const [first, second] = await twice(() =>
      h.activities.publishGuestPage({
        ...ref,
        slug: input.slug,
        crew,
        version: 1,
        uploadWindow: uploadWindow(booking.charter, DEFAULT_UPLOAD_WINDOW),
        uploadState: 'not-yet-open',
      }),
    );
    expect(second.pages.map((p) => p.invalidationId)).toEqual(first.pages.map((p) => p.invalidationId));
    for (const site of h.tenant.sites) {
      const expanded = expandSite(site, input.slug);
      expect((await readObject(h.s3, expanded.bucket, expanded.objectKey)).body.length).toBe(second.bytes);
      expect(await invalidationsOf(h.cloudfront, site.distributionId)).toHaveLength(1);
    }
  });

  test('sendOpsSummary: one email', async () => {
    const crew = crewRoster(booking.crew!, {}, true);
    const [first, second] = await twice(() =>
      h.activities.sendOpsSummary({ ...ref, crew, pages: [], jadaEventId: 'evt-1', sccEventId: 'evt_1' }),
    );
    expect(first.alreadySent).toBe(false);
    expect(second).toEqual({ messageId: first.messageId, alreadySent: true });
    expect(h.smtp.messages.filter((m) => m.messageId === first.messageId)).toHaveLength(1);
  });

  test('withdrawGuestPage: the same notice on every site, one invalidation per site for its version', async () => {
    const { input } = fulfillmentInput(h.tenant, booking, h.settings);
    const [first, second] = await twice(() =>
      h.activities.withdrawGuestPage({ tenant: h.tenant.id, workflowId, slug: input.slug, version: 2 }),
    );
    expect(second.pages.map((p) => p.invalidationId)).toEqual(first.pages.map((p) => p.invalidationId));
    for (const site of h.tenant.sites) {
      const expanded = expandSite(site, input.slug);
      expect((await readObject(h.s3, expanded.bucket, expanded.objectKey)).body.toString()).toContain(
        'This charter has been cancelled',
      );
      expect(await invalidationsOf(h.cloudfront, site.distributionId)).toHaveLength(2);
    }
  });

  test('sendCrewUpdate: one email per update', async () => {
    const crew = crewRoster(
      booking.crew!,
      { 'crew-mate-ben': { crewId: 'crew-mate-ben', response: 'accepted', respondedAt: '2027-05-20T10:00:00Z' } },
      true,
    );
    const [first, second] = await twice(() =>
      h.activities.sendCrewUpdate({ ...ref, crew, changed: ['crew-mate-ben'], sequence: 1 }),
    );
    expect(first.alreadySent).toBe(false);
    expect(second).toEqual({ messageId: first.messageId, alreadySent: true });
    expect(h.smtp.messages.filter((m) => m.messageId === first.messageId)).toHaveLength(1);
  });

  test('sendCancellationNotice: one email', async () => {
    const [first, second] = await twice(() =>
      h.activities.sendCancellationNotice({
        ...ref,
        reason: 'test',
        undone: [],
        toDoByHand: ['Remove JADA calendar entry cal_1'],
      }),
    );
    expect(first.alreadySent).toBe(false);
    expect(second).toEqual({ messageId: first.messageId, alreadySent: true });
    expect(h.smtp.messages.filter((m) => m.messageId === first.messageId)).toHaveLength(1);
  });

  test('sendBookingChange: one email per revision', async () => {
    const moved = { ...booking, charter: { ...booking.charter, start: '2027-05-29T11:00:00-07:00' } };
    const changes = diffBookings(booking, moved);
    const [first, second] = await twice(() =>
      h.activities.sendBookingChange({
        ...ref,
        booking: moved,
        changes,
        revision: 2,
        channel: 'fareharbor',
        crewReasked: true,
      }),
    );
    expect(first).toEqual({ messageId: bookingChangeMessageId(workflowId, 2), alreadySent: false });
    expect(second).toEqual({ messageId: first.messageId, alreadySent: true });
    const sent = h.smtp.messages.filter((m) => m.messageId === first.messageId);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.subject).toMatch(/^Changed by fareharbor: Start · Carole Martin · .* \(crew asked again\)$/);
    expect(sent[0]?.text).toMatch(/Start: +Sat, May 29, 2027 10:00 AM PDT +→ +Sat, May 29, 2027 11:00 AM PDT/);
  });

  test('sendCrewAlert: one email per decline', async () => {
    const crew = crewRoster(
      booking.crew!,
      { 'crew-mate-ben': { crewId: 'crew-mate-ben', response: 'declined', respondedAt: '2027-05-20T10:00:00Z' } },
      false,
    );
    const [first, second] = await twice(() =>
      h.activities.sendCrewAlert({ ...ref, crew, declined: ['crew-mate-ben'], round: 1 }),
    );
    expect(first).toEqual({ messageId: crewAlertMessageId(workflowId, 1, ['crew-mate-ben']), alreadySent: false });
    expect(second).toEqual({ messageId: first.messageId, alreadySent: true });
    const sent = h.smtp.messages.filter((m) => m.messageId === first.messageId);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.subject).toMatch(/^Crew declined: Ben Okafor \(Deckhand\) · /);
    expect(sent[0]?.text).toContain(
      `POST /tenants/${h.tenant.id}/bookings/${booking.bookingId}/crew?source=${booking.source}`,
    );
  });

  test('sendCrewEscalation: one email per round', async () => {
    const crew = crewRoster(
      booking.crew!,
      { 'crew-mate-ben': { crewId: 'crew-mate-ben', response: 'accepted', respondedAt: '2027-05-20T10:00:00Z' } },
      true,
    );
    const [first, second] = await twice(() =>
      h.activities.sendCrewEscalation({ ...ref, crew, missing: ['crew-captain-ana'], round: 1 }),
    );
    expect(first).toEqual({ messageId: crewEscalationMessageId(workflowId, 1), alreadySent: false });
    expect(second).toEqual({ messageId: first.messageId, alreadySent: true });
    const sent = h.smtp.messages.filter((m) => m.messageId === first.messageId);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.subject).toMatch(/^No crew answer: Ana Reyes \(Captain\) · /);
    expect(sent[0]?.text).toContain(`--workflow-id '${workflowId}'`);
  });
});
