import { AWS_CALL } from '../../../src/domain/time-budgets';
import { WorkflowFailedError } from '@temporalio/client';
import { crewResponseSignal } from '../../../workflows/messages';
import { expandSite } from '../../../src/publish/sites';
import { sampleBooking } from '../../../sim/samples';
import { invalidationsOf, readObject } from '../../support/aws';
import { startFulfillmentHarness, type FulfillmentHarness } from '../../support/fulfillment';
import { saveHistory, stageUpserts } from '../../support/histories';
import { waitForStage } from '../../support/wait';

describe('BookingFulfillment on a real Temporal server', () => {
  let h: FulfillmentHarness;

  beforeAll(async () => {
    h = await startFulfillmentHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('happy path: two crew accept, page on both sites, invalidated, one email with the totals', async () => {
    const booking = sampleBooking();
    const handle = await h.start(booking);
    const waiting = await waitForStage(handle, 'AWAITING_CREW');
    expect(waiting.jadaEventId).toBeDefined();
    expect(waiting.crew.map((m) => m.status)).toEqual(['pending', 'pending']);

    for (const member of booking.crew!) {
      await handle.signal(crewResponseSignal, {
        crewId: member.id,
        response: 'accepted',
        respondedAt: new Date().toISOString(),
      });
    }
    // The charter is months away: after the email the workflow sleeps until the upload window opens.
    const result = await waitForStage(handle, 'KEEPING_PAGE_CURRENT');

    expect(result.uploadWindow?.state).toBe('not-yet-open');
    expect(result.crewOutcome).toBe('ALL_CONFIRMED');
    expect(h.jada.counters.created).toBe(1);
    expect(h.scc.counters.created).toBe(1);
    expect(h.jada.events[0]?.externalId).toBe(handle.workflowId);

    const slug = result.pages[0]!.url.split('/g/')[1]!.replace(/\.html$/, '');
    const [nested, flat] = h.tenant.sites.map((site) => expandSite(site, slug));
    const nestedObject = await readObject(h.s3, nested!.bucket, nested!.objectKey);
    const flatObject = await readObject(h.s3, flat!.bucket, flat!.objectKey);
    expect(nestedObject.body.equals(flatObject.body)).toBe(true);
    expect(nestedObject.contentType).toMatch(/^text\/html/);
    const html = nestedObject.body.toString('utf8');
    expect(html).toContain('Ana Reyes');
    expect(html).toContain('Ben Okafor');

    for (const site of [nested!, flat!]) {
      const invalidations = await invalidationsOf(h.cloudfront, site.distributionId);
      expect(invalidations).toHaveLength(1);
      // Every path the page can be cached under: the viewer path and the object path (one and the same on the flat site).
      expect(invalidations[0]!.paths).toEqual(expect.arrayContaining([site.publicPath, `/${site.objectKey}`]));
    }

    expect(h.smtp.messages).toHaveLength(1);
    const mail = h.smtp.messages[0]!;
    expect(mail.messageId).toBe(result.opsEmailMessageId);
    expect(mail.text).toContain('$1,981.00');
    expect(mail.text).toContain('Ana Reyes');
    expect(mail.text).toContain(result.jadaEventId!);
    expect(mail.text).toContain(result.sccEventId!);
    await saveHistory(h.temporal.client, handle.workflowId, 'happy-path');

    // FulfillmentStage is upserted for the stages it rests in; the status query saw every stage.
    const history = await handle.fetchHistory();
    expect(stageUpserts(history)).toEqual(['AWAITING_CREW', 'KEEPING_PAGE_CURRENT']);
    expect(Object.keys(result.timestamps)).toEqual([
      'RECEIVED',
      'CREATING_CALENDAR_ENTRY',
      'CREATING_CREW_EVENT',
      'AWAITING_CREW',
      'PUBLISHING_PAGE',
      'EMAILING_OPS',
      'KEEPING_PAGE_CURRENT',
    ]);
    const markers = (history.events ?? []).filter((e) => e.markerRecordedEventAttributes);
    expect(markers).toHaveLength(1);
    console.log(
      `[history] happy path: ${history.events?.length} events, ` +
        `${(history.events ?? []).filter((e) => e.upsertWorkflowSearchAttributesEventAttributes).length} upserts`,
    );
  });

  test('a duplicate start of the same booking keeps one workflow', async () => {
    const booking = sampleBooking();
    const first = await h.start(booking);
    const second = await h.start(booking);
    expect(second.workflowId).toBe(first.workflowId);
    const runs = [];
    for await (const execution of h.temporal.client.workflow.list({ query: `WorkflowId = '${first.workflowId}'` }))
      runs.push(execution);
    expect(runs).toHaveLength(1);
    await first.terminate('test done');
  });
});

describe('BookingFulfillment under injected failures', () => {
  let h: FulfillmentHarness;

  beforeAll(async () => {
    h = await startFulfillmentHarness({ crewTimeoutMs: 60_000, httpTimeoutMs: 800, mailTimeoutMs: 800 });
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('500s and hangs on JADA, SCC, S3, CloudFront and SMTP: completes with exactly one of each effect', async () => {
    h.jada.faults.failNext(2);
    h.jada.faults.hangNext(1, 2000);
    h.scc.faults.hangNext(1, 2000);
    h.scc.faults.failNext(1);
    const isPut = (req: { method?: string }) => req.method === 'PUT';
    const isInvalidation = (req: { method?: string; url?: string }) =>
      req.method === 'POST' && /\/invalidation/.test(req.url ?? '');
    h.aws.failNext(1, isPut);
    // Past the SDK's request timeout: the invalidation is made, its answer lost, and the SDK sends it again.
    h.aws.hangNext(1, AWS_CALL.requestTimeoutMs + 1000, isInvalidation);
    h.aws.failNext(1, isInvalidation);
    h.smtp.failNext(1);
    h.smtp.hangNext(1);

    const booking = sampleBooking({ crew: [{ id: 'crew-solo', role: 'Captain', name: 'Gus Halvorsen' }] });
    const handle = await h.start(booking);
    await waitForStage(handle, 'AWAITING_CREW', 60_000);
    await handle.signal(crewResponseSignal, {
      crewId: 'crew-solo',
      response: 'accepted',
      respondedAt: new Date().toISOString(),
    });
    const result = await waitForStage(handle, 'KEEPING_PAGE_CURRENT', 90_000);

    expect(h.jada.counters.created).toBe(1);
    expect(h.scc.counters.created).toBe(1);
    for (const site of h.tenant.sites) {
      expect(await invalidationsOf(h.cloudfront, site.distributionId)).toHaveLength(1);
    }
    expect(h.smtp.messages.filter((m) => m.messageId === result.opsEmailMessageId)).toHaveLength(1);

    // The faults really happened: each system saw more attempts than effects.
    expect(h.jada.counters.requests).toBeGreaterThan(3);
    expect(h.scc.counters.requests).toBeGreaterThan(2);
  });
});

describe('BookingFulfillment with wrong credentials or the CDN URL', () => {
  const WRONG_TOKEN = 'wrong-jada-token-0000';
  const WRONG_KEY = 'wrong-scc-key-1111';

  async function runUntilFailure(configure: Parameters<typeof startFulfillmentHarness>[0]) {
    const h = await startFulfillmentHarness(configure);
    try {
      const handle = await h.start(sampleBooking());
      const error = await handle.result().then(
        () => undefined,
        (err: unknown) => err,
      );
      const history = JSON.stringify(await handle.fetchHistory());
      return { h, error, history };
    } finally {
      await h.stop();
    }
  }

  function failureMessage(error: unknown): string {
    expect(error).toBeInstanceOf(WorkflowFailedError);
    return (error as WorkflowFailedError).cause?.message ?? '';
  }

  test('a wrong JADA token fails the booking with a message that names JADA and the fix', async () => {
    const { error, history } = await runUntilFailure({
      tenant: (t) => ({ ...t, jada: { ...t.jada, token: WRONG_TOKEN } }),
    });
    const message = failureMessage(error);
    expect(message).toMatch(/JADA/);
    expect(message).toMatch(/token/i);
    expect(message).toMatch(/CREATING_CALENDAR_ENTRY/);
    expect(message).not.toContain(WRONG_TOKEN);
    expect(history).not.toContain(WRONG_TOKEN);
  });

  test('a wrong SCC key fails the booking with a message that names SCC and the fix', async () => {
    const { error, history } = await runUntilFailure({
      tenant: (t) => ({ ...t, scc: { ...t.scc, serviceKey: WRONG_KEY } }),
    });
    const message = failureMessage(error);
    expect(message).toMatch(/SCC/);
    expect(message).toMatch(/key/i);
    expect(message).not.toContain(WRONG_KEY);
    expect(history).not.toContain(WRONG_KEY);
  });

  test('the SCC CDN URL fails the booking saying the key was stripped and to use the origin URL', async () => {
    const { error, history } = await runUntilFailure({
      tenant: (t, { scc }) => ({ ...t, scc: { ...t.scc, apiUrl: scc.cdnUrl } }),
    });
    const message = failureMessage(error);
    expect(message).toMatch(/the key was stripped: use the origin URL/);
    expect(history).not.toContain('scc-test-service-key');
  });
});
