import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ApplicationFailure } from '@temporalio/common';
import type { Booking } from '../../../src/domain/booking';
import type { ChangeBookingRequest } from '../../../src/domain/change-request';
import { expandSite, calendarLocation } from '../../../src/publish/sites';
import type { bookingLifecycle } from '../../../workflows/booking-lifecycle';
import { assignCrewUpdate, changeBookingUpdate, crewResponseSignal, statusQuery } from '../../../workflows/messages';
import type { BookingStatus } from '../../../workflows/types';
import { sampleBooking } from '../../../sim/samples';
import { opsSummaryMessageId } from '../../../src/mail/message-id';
import { invalidationsOf, readObject } from '../../support/aws';
import { startFulfillmentHarness, type FulfillmentHarness } from '../../support/fulfillment';
import { SUGGEST_CONTINUE_AS_NEW_AT } from '../../support/global-setup';
import { saveHistory } from '../../support/histories';
import { waitFor, waitForStage } from '../../support/wait';

type Handle = WorkflowHandle<typeof bookingLifecycle>;

const answer = (handle: Handle, crewId: string, response: 'accepted' | 'declined') =>
  handle.signal(crewResponseSignal, { crewId, response, respondedAt: new Date().toISOString() });

const moved = (booking: Booking, day: string): Booking => ({
  ...booking,
  charter: { ...booking.charter, start: `${day}T10:00:00-07:00`, end: `${day}T13:00:00-07:00` },
});

const mailsWith = (h: FulfillmentHarness, subject: RegExp) =>
  h.smtp.messages.filter((m) => subject.test(m.subject ?? ''));

/** Settled: nothing owed (page, summary, notices) and the page shows the booking's revision. */
const settled = (status: BookingStatus) =>
  status.stage !== 'AWAITING_CREW' && status.opsEmailMessageId !== undefined && status.pageVersion > 0;

describe('bookingLifecycle: a booking that changes, on a real Temporal server', () => {
  let h: FulfillmentHarness;

  beforeAll(async () => {
    h = await startFulfillmentHarness({ crewTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function published(booking = sampleBooking()) {
    const handle = await h.start(booking);
    await waitForStage(handle, 'AWAITING_CREW');
    for (const member of booking.crew!) await answer(handle, member.id, 'accepted');
    await waitForStage(handle, 'KEEPING_PAGE_CURRENT');
    return { booking, handle };
  }

  test('a changed date after publishing: JADA, SCC, both pages and .ics and one change email follow, once each, through faults', async () => {
    const { booking, handle } = await published();
    const before = { jada: h.jada.counters.updated, scc: h.scc.counters.updated, mails: h.smtp.messages.length };
    // Every system answers its next call with a 500 or hangs past the client's timeout.
    h.jada.faults.failNext(1);
    h.scc.faults.hangNext(1, 1500);
    h.aws.failNext(2);

    const result = await handle.executeUpdate(changeBookingUpdate, {
      args: [
        {
          channel: 'boatsetter',
          booking: { ...moved(booking, '2027-05-30'), guest: { ...booking.guest, partySize: 8 } },
        },
      ],
    });
    expect(result).toEqual({ changed: ['guest.partySize', 'charter.start', 'charter.end'], revision: 2 });

    const status = await waitFor(
      () => handle.query(statusQuery),
      (s) => s.pageVersion === 2 && mailsWith(h, /changed/i).length > 0,
      60_000,
    );
    expect(status.revision).toBe(2);
    // A move re-asks the crew: everyone is pending again, SCC sent them fresh links.
    expect(status.crew.map((m) => m.status)).toEqual(['pending', 'pending']);
    expect(
      h.scc.messages
        .filter((m) => m.kind === 're-ask')
        .map((m) => m.crewId)
        .sort(),
    ).toEqual(booking.crew!.map((c) => c.id).sort());

    const entry = h.jada.events.find((e) => e.externalId === handle.workflowId)!;
    expect(Date.parse(entry.start)).toBe(Date.parse('2027-05-30T10:00:00-07:00'));
    expect(entry.notes).toContain('Party of 8');
    const event = h.scc.events.find((e) => e.external_id === handle.workflowId)!;
    expect(Date.parse(event.start_time)).toBe(Date.parse('2027-05-30T10:00:00-07:00'));
    expect(h.jada.counters.updated - before.jada).toBe(1);
    expect(h.scc.counters.updated - before.scc).toBe(1);

    const slug = status.pages[0]!.url.split('/g/')[1]!.replace(/\.html$/, '');
    for (const site of h.tenant.sites) {
      const page = expandSite(site, slug);
      const html = (await readObject(h.s3, page.bucket, page.objectKey)).body.toString('utf8');
      expect(html).toContain('May 30');
      const ics = calendarLocation(page);
      const calendar = (await readObject(h.s3, page.bucket, ics.objectKey)).body.toString('utf8');
      expect(calendar).toContain('DTSTART:20270530T170000Z');
      expect(calendar).toContain('SEQUENCE:1');
      const mine = (await invalidationsOf(h.cloudfront, site.distributionId)).filter((i) =>
        i.callerReference?.startsWith(`${handle.workflowId}:`),
      );
      expect(mine).toHaveLength(2); // page v1 and v2, one each
    }
    const changeMails = mailsWith(h, /changed/i).filter((m) => (m.text ?? '').includes(booking.bookingId));
    expect(changeMails).toHaveLength(1);
    // Old -> new, in the charter's zone: the date it was, the date it is.
    expect(changeMails[0]!.text ?? '').toMatch(/May 29[\s\S]*May 30/);
    expect(changeMails[0]!.text ?? '').toContain('8');
    expect(h.smtp.messages.length - before.mails).toBe(1);
    await saveHistory(h.temporal.client, handle.workflowId, 'changed-after-publish');
    await handle.terminate('test done');
  });

  test('a change before the SCC event exists goes into its create; JADA is updated once', async () => {
    const booking = sampleBooking();
    h.scc.faults.failNext(3); // SCC is down for a few seconds while the change arrives
    const handle = await h.start(booking);
    await waitFor(
      () => handle.query(statusQuery),
      (s) => s.jadaEventId !== undefined,
      20_000,
    );
    await handle.executeUpdate(changeBookingUpdate, { args: [{ channel: 'ops', patch: { notes: 'Birthday cake' } }] });
    const status = await waitForStage(handle, 'AWAITING_CREW');
    expect(status.revision).toBe(2);
    const event = h.scc.events.find((e) => e.external_id === handle.workflowId)!;
    expect(event).toBeDefined();
    // JADA follows SCC in the fixed order: its update may still be on the way when SCC is done.
    const entry = await waitFor(
      () => Promise.resolve(h.jada.events.find((e) => e.externalId === handle.workflowId)!),
      (e) => (e.notes ?? '').includes('Birthday cake'),
      30_000,
    );
    expect(entry.notes).toContain('Birthday cake');
    await handle.terminate('test done');
  });

  test('invalid, stale and unchanged changes are refused by the validator: nothing applied, nothing in history', async () => {
    const booking = sampleBooking({ revision: 3 });
    const handle = await h.start(booking);
    await waitForStage(handle, 'AWAITING_CREW');
    const events = async () => (await handle.fetchHistory()).events?.length ?? 0;
    const before = await events();
    const refused = async (request: ChangeBookingRequest) => {
      const err = await handle.executeUpdate(changeBookingUpdate, { args: [request] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
      return { type: cause.type, message: cause.message, details: cause.details };
    };
    const invalid = await refused({ channel: 'ops', patch: { guest: { partySize: 0 }, boat: '' } });
    expect(invalid.type).toBe('InvalidBookingChange');
    expect((invalid.details?.[0] as { path: string }[]).map((e) => e.path).sort()).toEqual(['boat', 'guest.partySize']);
    expect((await refused({ channel: 'boatsetter', booking: { ...booking, revision: 2, notes: 'x' } })).type).toBe(
      'StaleBookingChange',
    );
    expect((await refused({ channel: 'boatsetter', booking })).type).toBe('BookingUnchanged');
    expect(await events()).toBe(before);
    expect((await handle.query(statusQuery)).revision).toBe(1);
    await handle.terminate('test done');
  });

  test('a decline alerts ops at once; replacing the member sends the new one a link; the page shows them once they accept', async () => {
    const { booking, handle } = await (async () => {
      const b = sampleBooking();
      const hd = await h.start(b);
      await waitForStage(hd, 'AWAITING_CREW');
      return { booking: b, handle: hd };
    })();
    await answer(handle, 'crew-captain-ana', 'accepted');
    await answer(handle, 'crew-mate-ben', 'declined');
    await waitFor(
      () => Promise.resolve(mailsWith(h, /^Crew declined/).filter((m) => (m.text ?? '').includes(booking.bookingId))),
      (m) => m.length === 1,
      30_000,
    );
    const needing = await waitForStage(handle, 'NEEDS_CREW');
    expect(needing.crew.find((m) => m.id === 'crew-mate-ben')?.status).toBe('declined');

    await handle.executeUpdate(assignCrewUpdate, {
      args: [{ replace: 'crew-mate-ben', member: { id: 'crew-mate-cy', role: 'Deckhand', name: 'Cy Tran' } }],
    });
    await waitFor(
      () => Promise.resolve(h.scc.messages.filter((m) => m.crewId === 'crew-mate-cy' && m.kind === 'invitation')),
      (m) => m.length === 1,
      30_000,
    );
    expect(h.scc.messages.some((m) => m.crewId === 'crew-mate-ben' && m.kind === 'removed')).toBe(true);
    await answer(handle, 'crew-mate-cy', 'accepted');
    const status = await waitFor(
      () => handle.query(statusQuery),
      (s) => s.stage === 'KEEPING_PAGE_CURRENT',
      30_000,
    );
    const slug = status.pages[0]!.url.split('/g/')[1]!.replace(/\.html$/, '');
    const page = expandSite(h.tenant.sites[0]!, slug);
    // The page follows the accept (published once more after it): the new member shows, the replaced one does not.
    const html = await waitFor(
      async () => (await readObject(h.s3, page.bucket, page.objectKey)).body.toString('utf8'),
      (body) => body.includes('Cy Tran'),
      30_000,
    );
    expect(html).not.toContain('Ben Okafor');
    // The alert went once, however often the loop ran after it.
    expect(mailsWith(h, /^Crew declined/).filter((m) => (m.text ?? '').includes(booking.bookingId))).toHaveLength(1);
    await saveHistory(h.temporal.client, handle.workflowId, 'decline-and-replace');
    await handle.terminate('test done');
  });

  test('cancellation deletes the JADA entry and cancels the SCC event; ops are told what was undone', async () => {
    const { booking, handle } = await published();
    const before = { deleted: h.jada.counters.deleted, cancelled: h.scc.counters.cancelled };
    await handle.cancel();
    await waitFor(
      () => handle.describe(),
      (d) => d.status.name === 'CANCELLED',
      60_000,
    );
    expect(h.jada.counters.deleted - before.deleted).toBe(1);
    expect(h.scc.counters.cancelled - before.cancelled).toBe(1);
    expect(h.jada.events.some((e) => e.externalId === handle.workflowId)).toBe(false);
    const notice = h.smtp.messages.find(
      (m) => /cancel/i.test(m.subject ?? '') && (m.text ?? '').includes(booking.bookingId),
    )!;
    expect(notice.text).toContain('JADA calendar entry');
    expect(notice.text).toMatch(/TO DO BY HAND\n- nothing/);
    await saveHistory(h.temporal.client, handle.workflowId, 'cancelled-lifecycle');
  });

  test('a change racing a cancellation: either it applies before, or it is refused; never half-done', async () => {
    const { handle } = await published();
    const [change] = await Promise.allSettled([
      handle.executeUpdate(changeBookingUpdate, { args: [{ channel: 'ops', patch: { notes: 'race' } }] }),
      handle.cancel(),
    ]);
    await waitFor(
      () => handle.describe(),
      (d) => d.status.name === 'CANCELLED',
      60_000,
    );
    if (change.status === 'rejected') expect(change.reason).toBeDefined();
    const late = await handle
      .executeUpdate(changeBookingUpdate, { args: [{ channel: 'ops', patch: { notes: 'later' } }] })
      .catch((e: unknown) => e);
    expect(late).toBeInstanceOf(Error);
  });

  test('a first run creates without looking first; a run reset to its first task looks, finds, and makes nothing twice', async () => {
    const booking = sampleBooking();
    const counts = () => ({
      lookups: { jada: h.jada.counters.lookups, scc: h.scc.counters.lookups },
      created: { jada: h.jada.counters.created, scc: h.scc.counters.created },
    });
    const before = counts();
    const { handle } = await published(booking);
    // The first run knows nothing can exist yet: each create without the GET before it.
    expect(counts()).toEqual({
      lookups: before.lookups,
      created: { jada: before.created.jada + 1, scc: before.created.scc + 1 },
    });
    const first = await handle.query(statusQuery);
    const firstRunId = (await handle.describe()).runId;
    const history = await handle.fetchHistory();
    const firstTaskDone = history.events!.find(
      (e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    )!.eventId!;

    // Ops reset it (Temporal UI: Reset to the first workflow task): the new run schedules the creates again.
    const { runId } = await h.temporal.client.workflowService.resetWorkflowExecution({
      namespace: h.temporal.client.options.namespace,
      workflowExecution: { workflowId: handle.workflowId, runId: firstRunId },
      workflowTaskFinishEventId: firstTaskDone,
      requestId: randomUUID(),
      reason: 'test: reset to the first workflow task',
    });
    expect(runId).not.toBe(firstRunId);
    const reset = h.temporal.client.workflow.getHandle<typeof bookingLifecycle>(handle.workflowId, runId!);
    const status = await waitFor(
      () => reset.query(statusQuery),
      (s) => s.stage === 'KEEPING_PAGE_CURRENT' && s.opsEmailMessageId !== undefined,
      60_000,
    );
    expect(status).toMatchObject({ jadaEventId: first.jadaEventId, sccEventId: first.sccEventId });
    // The reset run may follow an earlier one: it looked before each create, found, and created nothing.
    expect(counts()).toEqual({
      lookups: { jada: before.lookups.jada + 1, scc: before.lookups.scc + 1 },
      created: { jada: before.created.jada + 1, scc: before.created.scc + 1 },
    });
    expect(h.jada.events.filter((e) => e.externalId === handle.workflowId)).toHaveLength(1);
    expect(h.scc.events.filter((e) => e.external_id === handle.workflowId)).toHaveLength(1);
    expect(h.smtp.messages.filter((m) => m.messageId === opsSummaryMessageId(handle.workflowId))).toHaveLength(1);
    await reset.terminate('test done');
  });

  test('50 changes and 10 crew replacements: the entity continues as new, carrying its state; history measured', async () => {
    const booking = sampleBooking();
    const handle = await h.start(booking);
    await waitForStage(handle, 'AWAITING_CREW');
    const runs = new Set<string>();
    for (let i = 1; i <= 50; i++) {
      await handle.executeUpdate(changeBookingUpdate, {
        args: [{ channel: 'ops', patch: { guest: { partySize: (i % 20) + 1 }, notes: `change ${i}` } }],
      });
      if (i % 5 === 0) {
        const replace = i === 5 ? 'crew-mate-ben' : `crew-sub-${i - 5}`;
        await handle.executeUpdate(assignCrewUpdate, {
          args: [{ replace, member: { id: `crew-sub-${i}`, role: 'Deckhand' } }],
        });
      }
      runs.add((await handle.describe()).runId);
    }
    const status = await waitFor(
      () => handle.query(statusQuery),
      (s) => s.changes?.length === 60 && s.stage === 'AWAITING_CREW',
      120_000,
    );
    expect(status.revision).toBe(51);
    expect(status.booking?.notes).toBe('change 50');
    expect(status.crew.map((m) => m.id)).toEqual(['crew-captain-ana', 'crew-sub-50']);
    expect(status.crewHistory?.filter((s) => s.removedAt)).toHaveLength(10);
    // Let it settle: once nothing is owed, it hands its state to a new run (the server suggested it).
    const firstRun = (await handle.describe()).runId;
    await waitFor(
      () => Promise.resolve(mailsWith(h, /changed/i).filter((m) => (m.text ?? '').includes('change 50'))),
      (m) => m.length === 1,
      120_000,
    );
    await waitFor(
      () => handle.describe(),
      (d) => d.runId !== firstRun || runs.size > 1,
      60_000,
    );
    const carried = await handle.query(statusQuery);
    expect(carried).toMatchObject({ revision: 51, stage: 'AWAITING_CREW', jadaEventId: status.jadaEventId });
    expect(carried.changes).toHaveLength(60);
    // The new run carries on: a change to it still reaches every system.
    await handle.executeUpdate(changeBookingUpdate, {
      args: [{ channel: 'ops', patch: { notes: 'after the hand-over' } }],
    });
    await waitFor(
      () => Promise.resolve(h.jada.events.find((e) => e.externalId === handle.workflowId)?.notes ?? ''),
      (notes) => notes.includes('after the hand-over'),
      30_000,
    );
    let events = 0;
    let bytes = 0;
    const chain: string[] = [];
    for await (const run of h.temporal.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) {
      const history = await h.temporal.client.workflow.getHandle(handle.workflowId, run.runId).fetchHistory();
      events += history.events?.length ?? 0;
      bytes += JSON.stringify(history).length;
      chain.push(run.runId);
    }
    console.log(
      `[history] 50 changes + 10 replacements: ${chain.length} runs (continue-as-new suggested at ${SUGGEST_CONTINUE_AS_NEW_AT} events), ` +
        `${events} events, ${(bytes / 1024).toFixed(0)} KiB of history JSON in all`,
    );
    expect(chain.length).toBeGreaterThan(1);
    expect(h.jada.events.filter((e) => e.externalId === handle.workflowId)).toHaveLength(1);
    await handle.terminate('test done');
  });
});

describe('bookingLifecycle against JADA and SCC without the lifecycle endpoints', () => {
  let h: FulfillmentHarness;

  beforeAll(async () => {
    h = await startFulfillmentHarness({ crewTimeoutMs: 60_000, lifecycleEndpoints: false });
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('a change and a cancellation still complete; what could not be done is left to ops by hand, by name', async () => {
    const booking = sampleBooking();
    const handle = await h.start(booking);
    await waitForStage(handle, 'AWAITING_CREW');
    await handle.executeUpdate(changeBookingUpdate, { args: [{ channel: 'ops', patch: { notes: 'By hand' } }] });
    const status = await waitFor(
      () => handle.query(statusQuery),
      (s) => (s.toDoByHand?.length ?? 0) >= 2,
      30_000,
    );
    expect(status.toDoByHand).toEqual([
      expect.stringMatching(/^Update JADA calendar entry/),
      expect.stringMatching(/^Update SCC crew event/),
    ]);
    await handle.cancel();
    await waitFor(
      () => handle.describe(),
      (d) => d.status.name === 'CANCELLED',
      60_000,
    );
    const notice = h.smtp.messages.find(
      (m) => /cancel/i.test(m.subject ?? '') && (m.text ?? '').includes(booking.bookingId),
    )!;
    expect(notice.text).toContain(`Remove JADA calendar entry ${status.jadaEventId}`);
    expect(notice.text).toContain(`Cancel SCC crew event ${status.sccEventId}`);
  });
});

describe('bookingLifecycle: silent crew', () => {
  let h: FulfillmentHarness;

  beforeAll(async () => {
    // Asked at 0 s: reminders at 3 s (after asking) and 6 s (before the 9 s deadline), then the escalation.
    h = await startFulfillmentHarness({
      crewTimeoutMs: 9000,
      crewReminders: { afterAskMs: 3000, beforeDeadlineMs: 3000 },
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('two reminders through SCC, each once per member, then one escalation and the page with the confirmed crew', async () => {
    const booking = sampleBooking();
    const handle = await h.start(booking);
    await waitForStage(handle, 'AWAITING_CREW');
    await answer(handle, 'crew-captain-ana', 'accepted');
    const status = await waitFor(() => handle.query(statusQuery), settled, 40_000);
    const reminders = h.scc.messages.filter((m) => m.kind === 'reminder');
    expect(reminders.map((m) => m.crewId)).toEqual(['crew-mate-ben', 'crew-mate-ben']);
    expect(status.crewHistory?.find((s) => s.id === 'crew-mate-ben')?.reminded).toEqual({
      'after-ask': expect.any(String),
      'before-deadline': expect.any(String),
    });
    // The summary (sent first, its subject counting the silence) and then the escalation, its own email.
    const forBooking = (pattern: RegExp) =>
      mailsWith(h, pattern).filter((m) => (m.text ?? '').includes(booking.bookingId));
    const escalations = await waitFor(
      async () => forBooking(/^No crew answer/),
      (found) => found.length > 0,
      20_000,
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(forBooking(/^No crew answer/)).toHaveLength(1);
    expect(escalations[0]!.subject).toContain('Ben Okafor');
    expect(forBooking(/^Booked:/)).toHaveLength(1);
    expect(status.crew.map((m) => m.status)).toEqual(['accepted', 'no-answer']);
    expect(status.stage).toBe('NEEDS_CREW');
    await saveHistory(h.temporal.client, handle.workflowId, 'silent-crew');
    await handle.terminate('test done');
  });
});
