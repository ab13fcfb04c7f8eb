import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { tsToMs } from '@temporalio/common/lib/time';
import { ServiceEnvSchema } from '../../../src/config/env';
import { DEFAULT_UPLOAD_WINDOW } from '../../../src/domain/time';
import { expandSite } from '../../../src/publish/sites';
import type { bookingFulfillment } from '../../../workflows/booking-fulfillment';
import { crewResponseSignal, statusQuery } from '../../../workflows/messages';
import {
  BookingIdKey,
  CharterStartKey,
  FulfillmentStageKey,
  SccEventIdKey,
} from '../../../workflows/search-attributes';
import type { BookingStatus } from '../../../workflows/types';
import { sampleBooking } from '../../../sim/samples';
import { invalidationsOf, readObject } from '../../support/aws';
import { startFulfillmentHarness, type FulfillmentHarness } from '../../support/fulfillment';
import { saveHistory } from '../../support/histories';
import {
  startTimeSkippingTemporal,
  workflowTimeInActivity,
  type TimeSkippingTemporal,
} from '../../support/time-skipping';
import { waitFor, waitForStage } from '../../support/wait';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

/** What the service runs with when nothing is configured: 48 h for crew answers, ending at the latest 24 h before the charter. */
const { CREW_CONFIRMATION_TIMEOUT_HOURS, CREW_CONFIRMATION_LEAD_HOURS } = ServiceEnvSchema.shape;
const CREW_TIMEOUT_MS = CREW_CONFIRMATION_TIMEOUT_HOURS.parse(undefined) * HOUR;
const CREW_LEAD_MS = CREW_CONFIRMATION_LEAD_HOURS.parse(undefined) * HOUR;
const { openBeforeStartMs, closeAfterEndMs, refreshEveryMs } = DEFAULT_UPLOAD_WINDOW;

type Handle = WorkflowHandle<typeof bookingFulfillment>;

/** Every publishGuestPage the workflow scheduled, read back from its history: version, upload state and workflow time. */
async function publications(handle: Handle) {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name !== 'publishGuestPage') return [];
    const input = defaultPayloadConverter.fromPayload<{ version: number; uploadState: string }>(
      scheduled.input!.payloads![0]!,
    );
    return [{ version: input.version, uploadState: input.uploadState, at: tsToMs(event.eventTime) }];
  });
}

/** `at` is workflow time: after `earliest` (the timer's due time or the signal) and within a minute of it. */
function expectSoonAfter(at: number | string | undefined, earliest: number) {
  const ms = typeof at === 'string' ? Date.parse(at) : at;
  expect(ms).toBeGreaterThanOrEqual(earliest);
  expect(ms).toBeLessThan(earliest + MINUTE);
}

/** The presigned POST on a page: its signature and how long S3 will accept it (expiration minus signing time). */
function uploadPolicyOf(html: string) {
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1];
  const policy = field('Policy');
  const signedAt = field('X-Amz-Date');
  if (!policy || !signedAt) return undefined;
  const { expiration } = JSON.parse(Buffer.from(policy, 'base64').toString('utf8')) as { expiration: string };
  const signed = Date.parse(signedAt.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  return { policy, lifetimeMs: Date.parse(expiration) - signed };
}

/**
 * The workflow's day-scale durable timers at their real durations, on Temporal's time-skipping test
 * server: the crew deadline (48 h after the booking arrives, never later than 24 h before the charter)
 * and the guest page's upload window (opens 7 days before the charter, a fresh presigned POST every 6
 * days, closes 3 days after it). The activities are the real ones against the tenant world (JADA/SCC
 * stand-ins over HTTP, SMTP, moto), on a clock that follows workflow time as it does in production.
 * Each step skips to just before a due time (nothing may have happened yet) and then to it.
 * page-window.test.ts keeps one run on the dev server's wall clock.
 */
describe('day-scale timers at their real durations (time-skipping test server)', () => {
  let t: TimeSkippingTemporal;
  let h: FulfillmentHarness;

  beforeAll(async () => {
    t = await startTimeSkippingTemporal();
    process.stderr.write(`[day-scale-timers] time-skipping test server up in ${t.startupMs} ms at ${t.env.address}\n`);
    h = await startFulfillmentHarness({
      temporal: t,
      crewTimeoutMs: CREW_TIMEOUT_MS,
      crewLeadMs: CREW_LEAD_MS,
      uploadWindow: DEFAULT_UPLOAD_WINDOW,
      now: workflowTimeInActivity,
    });
  });
  afterAll(async () => {
    await h?.stop();
    await t?.close();
  });

  async function pageHtml(slug: string, siteIndex = 0): Promise<string> {
    const site = expandSite(h.tenant.sites[siteIndex]!, slug);
    return (await readObject(h.s3, site.bucket, site.objectKey)).body.toString('utf8');
  }
  const slugOf = (status: BookingStatus) => status.pages[0]!.url.split('/g/')[1]!;
  const status = (handle: Handle) => handle.query(statusQuery);
  const pageVersion = (handle: Handle, version: number) =>
    waitFor(
      () => status(handle),
      (s) => s.pageVersion === version,
      30_000,
    );
  const mailsOf = (workflowId: string) => h.smtp.messages.filter((m) => m.text?.includes(workflowId));

  test('crew deadline: 48 h after the booking arrives; a silent member becomes "no answer", a decline stays declined', async () => {
    const t0 = await t.now();
    const booking = sampleBooking({
      charter: { start: iso(t0 + 20 * DAY), end: iso(t0 + 20 * DAY + 3 * HOUR), timeZone: 'America/Los_Angeles' },
      crew: [
        { id: 'crew-cap-dora', role: 'Captain', name: 'Dora Lindqvist' },
        { id: 'crew-mate-eli', role: 'Deckhand', name: 'Eli Brandt' },
        { id: 'crew-chef-fay', role: 'Chef', name: 'Fay Moreau' },
      ],
    });
    const handle = await h.start(booking);
    const waiting = await waitForStage(handle, 'AWAITING_CREW');
    const { startTime } = await handle.describe();
    const deadline = startTime.getTime() + 48 * HOUR;
    expect(waiting.crewDeadline).toBe(iso(deadline));

    const respondedAt = iso(await t.now());
    await handle.signal(crewResponseSignal, { crewId: 'crew-cap-dora', response: 'accepted', respondedAt });
    await handle.signal(crewResponseSignal, { crewId: 'crew-mate-eli', response: 'declined', respondedAt });
    // A repeated callback must not change the first answer.
    await handle.signal(crewResponseSignal, { crewId: 'crew-mate-eli', response: 'accepted', respondedAt });

    await t.skipTo(deadline - HOUR);
    const before = await status(handle);
    // A decline needs ops at once: the stage says so and a crew alert went out.
    expect(before.stage).toBe('NEEDS_CREW');
    expect(before.crew.map((m) => m.status)).toEqual(['accepted', 'declined', 'pending']);
    expect(mailsOf(handle.workflowId).map((m) => m.subject)).toEqual([
      expect.stringMatching(/^Crew declined: Eli Brandt/),
    ]);
    // Silent for 24 h and again 12 h before the deadline: SCC reminded Fay twice.
    expect(h.scc.messages.filter((m) => m.kind === 'reminder').map((m) => m.crewId)).toEqual([
      'crew-chef-fay',
      'crew-chef-fay',
    ]);

    await t.skipTo(deadline + SECOND);
    const result = await waitFor(
      () => status(handle),
      (s) => s.stage === 'NEEDS_CREW' && s.pageVersion === 1 && mailsOf(handle.workflowId).length === 3,
      30_000,
    );
    expect(result.crewOutcome).toBe('TIMED_OUT');
    expect(Object.fromEntries(result.crew.map((m) => [m.id, m.status]))).toEqual({
      'crew-cap-dora': 'accepted',
      'crew-mate-eli': 'declined',
      'crew-chef-fay': 'no-answer',
    });
    expectSoonAfter(result.timestamps.PUBLISHING_PAGE, deadline);
    expect(result.pageVersion).toBe(1);
    expect(result.uploadWindow?.state).toBe('not-yet-open');

    const html = await pageHtml(slugOf(result));
    expect(html).toContain('Dora Lindqvist');
    expect(html).not.toContain('Eli Brandt');
    expect(html).not.toContain('Fay Moreau');

    const mails = h.smtp.messages.filter((m) => m.messageId === result.opsEmailMessageId);
    expect(mails).toHaveLength(1);
    const text = mails[0]!.text ?? '';
    expect(text).toMatch(/Eli Brandt.*declined/i);
    expect(text).toMatch(/Fay Moreau.*no answer/i);

    const done = await handle.result();
    expect(done.stage).toBe('COMPLETED');
    expect(done.crew.find((m) => m.id === 'crew-chef-fay')?.status).toBe('no-answer');
    // The alert, the summary, and the escalation for Fay: each once.
    expect(mailsOf(handle.workflowId).map((m) => m.subject?.split(':')[0])).toEqual([
      'Crew declined',
      expect.any(String),
      'No crew answer',
    ]);
    // Intake's search attributes and the workflow's upserts, as registered in beforeAll.
    const attributes = (await handle.describe()).typedSearchAttributes;
    expect(attributes.get(BookingIdKey)).toBe(booking.bookingId);
    expect(attributes.get(CharterStartKey)).toEqual(new Date(booking.charter.start));
    expect(attributes.get(FulfillmentStageKey)).toBe('COMPLETED');
    expect(attributes.get(SccEventIdKey)).toBe(done.sccEventId);
    await saveHistory(h.temporal.client, handle.workflowId, 'decline-and-timeout');
  });

  test('crew deadline: never later than 24 h before the charter, even when that is sooner than 48 h', async () => {
    const t0 = await t.now();
    const start = t0 + 36 * HOUR;
    const end = start + 3 * HOUR;
    const booking = sampleBooking({
      charter: { start: iso(start), end: iso(end), timeZone: 'Pacific/Auckland' },
      crew: [{ id: 'crew-solo-gus', role: 'Captain', name: 'Gus Halvorsen' }],
    });
    const handle = await h.start(booking);
    const waiting = await waitForStage(handle, 'AWAITING_CREW');
    const deadline = start - 24 * HOUR;
    expect(waiting.crewDeadline).toBe(iso(deadline));

    await t.skipTo(deadline - MINUTE);
    expect((await status(handle)).stage).toBe('AWAITING_CREW');

    await t.skipTo(deadline + SECOND);
    const published = await waitForStage(handle, 'NEEDS_CREW');
    expect(published.crewOutcome).toBe('TIMED_OUT');
    expect(published.crew[0]?.status).toBe('no-answer');
    expectSoonAfter(published.timestamps.PUBLISHING_PAGE, deadline);
    // 12 h before the charter the upload window (open from 7 days before) is already open.
    expect(published.uploadWindow?.state).toBe('open');
    expect(await pageHtml(slugOf(published))).toContain('<form');

    // The next change is the window closing 3 days after the end, sooner than a 6-day refresh.
    const done = await handle.result();
    expect(done.stage).toBe('COMPLETED');
    expect(done.pageVersion).toBe(2);
    expect(done.uploadWindow?.state).toBe('closed');
    expectSoonAfter(done.timestamps.COMPLETED, end + closeAfterEndMs);
    expect(await pageHtml(slugOf(done))).not.toContain('<form');
  });

  test('upload window: "not yet open", opens 7 days before, fresh policy 6 days later, "closed" 3 days after the end, then completes', async () => {
    const t0 = await t.now();
    const start = t0 + 30 * DAY;
    const end = start + 3 * HOUR;
    const opensAt = start - openBeforeStartMs;
    const refreshAt = opensAt + refreshEveryMs;
    const closesAt = end + closeAfterEndMs;
    const booking = sampleBooking({
      charter: { start: iso(start), end: iso(end), timeZone: 'America/Los_Angeles' },
      crew: [{ id: 'crew-solo-ivy', role: 'Captain', name: 'Ivy Tan' }],
    });
    const handle = await h.start(booking);
    await waitForStage(handle, 'AWAITING_CREW');
    await handle.signal(crewResponseSignal, {
      crewId: 'crew-solo-ivy',
      response: 'accepted',
      respondedAt: iso(await t.now()),
    });

    const first = await waitForStage(handle, 'KEEPING_PAGE_CURRENT');
    expect(first.crewOutcome).toBe('ALL_CONFIRMED');
    expect(first.pageVersion).toBe(1);
    expect(first.uploadWindow).toEqual({ opensAt: iso(opensAt), closesAt: iso(closesAt), state: 'not-yet-open' });
    const slug = slugOf(first);
    const v1 = await pageHtml(slug);
    expect(v1).toContain('Photo uploads open on');
    expect(v1).not.toContain('<form');
    expect(v1).toContain('your charter is booked!');

    await t.skipTo(opensAt - MINUTE);
    expect((await status(handle)).pageVersion).toBe(1);

    await t.skipTo(opensAt + SECOND);
    const open = await pageVersion(handle, 2);
    expect(open.uploadWindow?.state).toBe('open');
    const v2 = await pageHtml(slug);
    expect(v2).toContain('<form');
    expect(await pageHtml(slug, 1)).toBe(v2);
    const policy2 = uploadPolicyOf(v2);
    // Ten days of window left: the policy gets S3's longest life, 7 days.
    expect(policy2?.lifetimeMs).toBeGreaterThanOrEqual(7 * DAY);
    expect(policy2?.lifetimeMs).toBeLessThan(7 * DAY + SECOND);

    await t.skipTo(refreshAt - MINUTE);
    expect((await status(handle)).pageVersion).toBe(2);

    await t.skipTo(refreshAt + SECOND);
    const refreshed = await pageVersion(handle, 3);
    expect(refreshed.uploadWindow?.state).toBe('open');
    const v3 = await pageHtml(slug);
    expect(await pageHtml(slug, 1)).toBe(v3);
    const policy3 = uploadPolicyOf(v3);
    expect(policy3?.policy).toBeDefined();
    expect(policy3?.policy).not.toBe(policy2?.policy);
    // The refresh lives until the window closes (4 days 3 hours on), not a full 7 days.
    const refreshedAt = (await publications(handle)).find((p) => p.version === 3)!.at;
    expect(Math.abs(policy3!.lifetimeMs - (closesAt - refreshedAt))).toBeLessThan(2 * SECOND);

    await t.skipTo(closesAt - MINUTE);
    expect((await status(handle)).pageVersion).toBe(3);

    const done = await handle.result();
    expect(done.stage).toBe('COMPLETED');
    expect(done.pageVersion).toBe(4);
    expect(done.uploadWindow?.state).toBe('closed');
    expectSoonAfter(done.timestamps.COMPLETED, closesAt);
    const v4 = await pageHtml(slug);
    expect(v4).not.toContain('<form');
    expect(v4).toContain('Photo uploads closed on');
    expect(v4).toContain('thanks for sailing with us!');
    expect(await pageHtml(slug, 1)).toBe(v4);

    const published = await publications(handle);
    expect(published.map((p) => [p.version, p.uploadState])).toEqual([
      [1, 'not-yet-open'],
      [2, 'open'],
      [3, 'open'],
      [4, 'closed'],
    ]);
    expect(published[0]!.at).toBeLessThan(t0 + MINUTE);
    expectSoonAfter(published[1]!.at, opensAt);
    expectSoonAfter(published[2]!.at, refreshAt);
    expectSoonAfter(published[3]!.at, closesAt);

    for (const site of h.tenant.sites) {
      const mine = (await invalidationsOf(h.cloudfront, site.distributionId)).filter((i) =>
        i.callerReference?.includes(handle.workflowId),
      );
      expect(mine).toHaveLength(4);
      for (const version of [1, 2, 3, 4]) {
        expect(mine.filter((i) => i.callerReference?.includes(`:v${version}:`))).toHaveLength(1);
      }
      const page = expandSite(site, slug);
      for (const invalidation of mine) {
        expect(invalidation.paths).toEqual(expect.arrayContaining([page.publicPath, `/${page.objectKey}`]));
      }
    }
    const mails = mailsOf(handle.workflowId);
    expect(mails.map((m) => m.messageId)).toEqual([done.opsEmailMessageId]);
  });

  test('a crew answer days after the deadline re-publishes the page at once and emails ops, then the window runs its course', async () => {
    const t0 = await t.now();
    const start = t0 + 20 * DAY;
    const end = start + 2 * HOUR;
    const booking = sampleBooking({
      charter: { start: iso(start), end: iso(end), timeZone: 'Pacific/Auckland' },
      crew: [
        { id: 'crew-cap-jo', role: 'Captain', name: 'Jo Park' },
        { id: 'crew-mate-kai', role: 'Deckhand', name: 'Kai Nakoa' },
      ],
    });
    const handle = await h.start(booking);
    const waiting = await waitForStage(handle, 'AWAITING_CREW');
    await handle.signal(crewResponseSignal, {
      crewId: 'crew-cap-jo',
      response: 'accepted',
      respondedAt: iso(await t.now()),
    });
    const deadline = Date.parse(waiting.crewDeadline!);
    await t.skipTo(deadline + SECOND);
    const first = await waitFor(
      () => status(handle),
      (s) => s.stage === 'NEEDS_CREW' && s.opsEmailMessageId !== undefined,
      30_000,
    );
    expect(first.crewOutcome).toBe('TIMED_OUT');
    expect(first.uploadWindow?.state).toBe('not-yet-open');
    const slug = slugOf(first);
    expect(await pageHtml(slug)).not.toContain('Kai Nakoa');
    const summary = h.smtp.messages.filter((m) => m.messageId === first.opsEmailMessageId);
    expect(summary[0]?.text).toMatch(/Kai Nakoa.*no answer/i);

    // Five days in, a week before the window opens: nothing is due, yet the answer shows at once.
    const answeredAt = t0 + 5 * DAY;
    await t.skipTo(answeredAt);
    expect((await status(handle)).pageVersion).toBe(1);
    await handle.signal(crewResponseSignal, {
      crewId: 'crew-mate-kai',
      response: 'accepted',
      respondedAt: iso(answeredAt),
    });
    const second = await pageVersion(handle, 2);
    expect(second.crew.find((m) => m.id === 'crew-mate-kai')?.status).toBe('accepted');
    expect(second.uploadWindow?.state).toBe('not-yet-open');
    expect(await pageHtml(slug)).toContain('Kai Nakoa');
    expectSoonAfter((await publications(handle)).find((p) => p.version === 2)?.at, answeredAt);

    // Ops heard about Kai in the summary as "no answer"; the late accept gets an email of its own.
    const update = await waitFor(
      async () => mailsOf(handle.workflowId).filter((m) => m.subject?.startsWith('Crew update:')),
      (found) => found.length > 0,
      30_000,
    );
    expect(update).toHaveLength(1);
    expect(update[0]!.subject).toMatch(/^Crew update: Kai Nakoa \(Deckhand\) accepted · Carole Martin/);
    expect(update[0]!.text).toContain('2/2 crew confirmed');

    // The late answer moved nothing else: the window still opens, refreshes and closes on time.
    const done = await handle.result();
    expect(done.stage).toBe('COMPLETED');
    const opensAt = start - openBeforeStartMs;
    const closesAt = end + closeAfterEndMs;
    const published = await publications(handle);
    expect(published.map((p) => [p.version, p.uploadState])).toEqual([
      [1, 'not-yet-open'],
      [2, 'not-yet-open'],
      [3, 'open'],
      [4, 'open'],
      [5, 'closed'],
    ]);
    expectSoonAfter(published[2]!.at, opensAt);
    expectSoonAfter(published[3]!.at, opensAt + refreshEveryMs);
    expectSoonAfter(published[4]!.at, closesAt);
    expect(await pageHtml(slug)).toContain('Kai Nakoa');
    expect(mailsOf(handle.workflowId).filter((m) => m.subject?.startsWith('Crew update:'))).toHaveLength(1);
    await saveHistory(h.temporal.client, handle.workflowId, 'late-crew-answer');
  });
});
