import type { IncomingMessage } from 'node:http';
import { MockActivityEnvironment } from '@temporalio/testing';
import { bookingWorkflowId } from '../../../src/domain/booking';
import { crewRoster } from '../../../src/domain/crew';
import { DEFAULT_UPLOAD_WINDOW, uploadWindow } from '../../../src/domain/time';
import { AWS_CALL } from '../../../src/domain/time-budgets';
import { SentMailLedger } from '../../../src/mail/ledger';
import { opsSummaryMessageId } from '../../../src/mail/message-id';
import { fulfillmentInput } from '../../../src/service/start-booking';
import { sampleBooking } from '../../../sim/samples';
import { invalidationsOf } from '../../support/aws';
import { startFulfillmentHarness, type FulfillmentHarness } from '../../support/fulfillment';

/**
 * SMTP timeout, lease and a slow server's delay, in the order production has them (a send ends well
 * within the lease), with room for a machine busy with a whole test run: 800 ms of delay against a 4 s
 * timeout still answers in time (1.5 s did not, once, under CI's load).
 */
const MAIL_TIMEOUT_MS = 4000;
const LEASE_MS = 8000;
const SLOW_SMTP_MS = 800;

/** One attempt, in an activity context of its own. */
const attempt = <T>(run: () => Promise<T>, env = new MockActivityEnvironment()): Promise<T> =>
  env.run(run) as Promise<T>;

/** What an attempt that failed reports to Temporal: its failure type and whether Temporal retries. */
async function outcome<T>(attempt: Promise<T>) {
  try {
    return { result: await attempt };
  } catch (err) {
    const failure = err as { type?: string; nonRetryable?: boolean; message?: string };
    return { failure: { type: failure.type, retried: !failure.nonRetryable, message: failure.message } };
  }
}

/**
 * Two attempts of one activity running at the same time, on purpose: what happens when Temporal
 * starts a retry while an attempt it gave up on still runs (a worker that stalled, a lost
 * completion). Each effect still happens once.
 */
describe('overlapping attempts of the same activity', () => {
  let h: FulfillmentHarness;
  const booking = sampleBooking();
  let ref: { tenant: string; workflowId: string; booking: typeof booking };

  beforeAll(async () => {
    h = await startFulfillmentHarness({ mailClaimLeaseMs: LEASE_MS, mailTimeoutMs: MAIL_TIMEOUT_MS });
    ref = { tenant: h.tenant.id, workflowId: bookingWorkflowId(h.tenant.id, booking), booking };
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('createCalendarEntry and createCrewEvent twice at once, both lookups finding nothing: one entry, one event', async () => {
    const booking3 = sampleBooking();
    const ref3 = { tenant: h.tenant.id, workflowId: bookingWorkflowId(h.tenant.id, booking3), booking: booking3 };
    // Each lookup is answered late, after both have read "nothing there": the race lookup-before-create
    // cannot close alone; the create's Idempotency-Key does.
    h.jada.faults.hangNext(2, 300);
    h.scc.faults.hangNext(2, 300);
    const before = { jada: h.jada.counters.created, scc: h.scc.counters.created };
    const [entryA, entryB] = await Promise.all([
      attempt(() => h.activities.createCalendarEntry(ref3)),
      attempt(() => h.activities.createCalendarEntry(ref3)),
    ]);
    const [eventA, eventB] = await Promise.all([
      attempt(() => h.activities.createCrewEvent({ ...ref3, crew: booking3.crew! })),
      attempt(() => h.activities.createCrewEvent({ ...ref3, crew: booking3.crew! })),
    ]);
    expect(entryB.jadaEventId).toBe(entryA.jadaEventId);
    expect(eventB.sccEventId).toBe(eventA.sccEventId);
    expect(h.jada.counters.created - before.jada).toBe(1);
    expect(h.scc.counters.created - before.scc).toBe(1);
    expect(h.jada.events.filter((e) => e.externalId === ref3.workflowId)).toHaveLength(1);
  });

  test('publishGuestPage twice at once, answers lost on the way: one invalidation per site', async () => {
    const { input } = fulfillmentInput(h.tenant, booking, h.settings);
    const isInvalidation = (req: IncomingMessage) => req.method === 'POST' && /\/invalidation$/.test(req.url ?? '');
    // Both attempts' first CreateInvalidation per site reach CloudFront, and their answers are lost.
    h.aws.hangNext(4, AWS_CALL.requestTimeoutMs + 1000, isInvalidation);
    const publish = () =>
      attempt(() =>
        h.activities.publishGuestPage({
          ...ref,
          slug: input.slug,
          crew: crewRoster(booking.crew!, {}, false),
          version: 1,
          uploadWindow: uploadWindow(booking.charter, DEFAULT_UPLOAD_WINDOW),
          uploadState: 'not-yet-open',
        }),
      );
    const [first, second] = await Promise.all([publish(), publish()]);
    expect(second.pages.map((p) => p.invalidationId)).toEqual(first.pages.map((p) => p.invalidationId));
    for (const site of h.tenant.sites) {
      const mine = (await invalidationsOf(h.cloudfront, site.distributionId)).filter((i) =>
        i.callerReference?.startsWith(`${ref.workflowId}:page:v1:`),
      );
      expect(mine).toHaveLength(1);
    }
  });

  test('sendOpsSummary twice at once against a slow SMTP server: one email; the other attempt retries and finds it sent', async () => {
    const summary = () =>
      attempt(() =>
        h.activities.sendOpsSummary({
          ...ref,
          crew: crewRoster(booking.crew!, {}, true),
          pages: [],
          jadaEventId: 'cal_1',
          sccEventId: 'evt_1',
        }),
      );
    h.smtp.delayNext(1, SLOW_SMTP_MS);
    const [a, b] = await Promise.all([outcome(summary()), outcome(summary())]);
    const sent = [a, b].filter((o) => o.result?.alreadySent === false);
    const held = [a, b].filter((o) => o.failure);
    expect(sent).toHaveLength(1);
    expect(held.map((o) => ({ type: o.failure?.type, retried: o.failure?.retried }))).toEqual([
      { type: 'MailInProgress', retried: true },
    ]);
    // Temporal's retry of the held attempt:
    const retry = await summary();
    expect(retry.alreadySent).toBe(true);
    expect(h.smtp.messages.filter((m) => m.messageId === retry.messageId)).toHaveLength(1);
  });

  test('an attempt cancelled while SMTP has the message still finishes that send and records it: the retry sends nothing', async () => {
    const env = new MockActivityEnvironment();
    const update = () =>
      h.activities.sendCrewUpdate({ ...ref, crew: crewRoster(booking.crew!, {}, true), changed: [], sequence: 1 });
    h.smtp.delayNext(1, SLOW_SMTP_MS);
    const cancelled = attempt(update, env);
    await new Promise((r) => setTimeout(r, SLOW_SMTP_MS / 2));
    env.cancel('TIMED_OUT');
    await outcome(cancelled);
    const retry = await attempt(update);
    expect(retry.alreadySent).toBe(true);
    expect(h.smtp.messages.filter((m) => m.messageId === retry.messageId)).toHaveLength(1);
  });

  test('a send whose answer never came is settled by its attempt: the retry sends at once, with the same Message-ID', async () => {
    const notice = () =>
      attempt(() => h.activities.sendCancellationNotice({ ...ref, reason: 'test', undone: [], toDoByHand: [] }));
    h.smtp.hangNext(1);
    const hung = await outcome(notice());
    expect(hung.failure).toMatchObject({ type: 'MailUnavailable', retried: true });
    const retry = await notice();
    expect(retry.alreadySent).toBe(false);
    expect(h.smtp.messages.filter((m) => m.messageId === retry.messageId)).toHaveLength(1);
  });

  test('a claim left by an attempt that died mid-send holds off retries until its lease ends, then one sends', async () => {
    const booking2 = sampleBooking();
    const ref2 = { tenant: h.tenant.id, workflowId: bookingWorkflowId(h.tenant.id, booking2), booking: booking2 };
    const summary = () =>
      attempt(() =>
        h.activities.sendOpsSummary({ ...ref2, crew: [], pages: [], jadaEventId: 'cal_2', sccEventId: 'evt_2' }),
      );
    // The dead attempt: it claimed the email and never settled the claim.
    const dead = new SentMailLedger(h.s3, h.stateBucket, { leaseMs: LEASE_MS });
    expect((await dead.claim(opsSummaryMessageId(ref2.workflowId), ref2.workflowId)).outcome).toBe('ours');
    const held = await outcome(summary());
    expect(held.failure).toMatchObject({ type: 'MailInProgress', retried: true });
    await new Promise((r) => setTimeout(r, LEASE_MS));
    const retry = await summary();
    expect(retry.alreadySent).toBe(false);
    expect(h.smtp.messages.filter((m) => m.messageId === retry.messageId)).toHaveLength(1);
  });
});
