import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { LocalStack } from '../../../scripts/local-stack/stack';
import { freePort } from '../../../scripts/local-stack/processes';
import { sampleBooking } from '../../../sim/samples';
import { bookingChangeMessageId } from '../../../src/mail/message-id';
import { invalidationsOf } from '../../support/aws';
import { acceptInCrewInbox, postBooking, waitForBookingStage } from '../../support/e2e';
import { startTestStack } from '../../support/local-stack';
import { testServers } from '../../support/temporal';
import { waitFor } from '../../support/wait';

const exec = promisify(execFile);

/**
 * The whole pipeline over real HTTP and real processes, as `npm start` runs it: the booking webhook,
 * the worker and the service as started in production (entry points + environment), the SCC
 * stand-in's crew inbox calling our callback, the edge server running the CloudFront Function in
 * front of moto, and the SMTP outbox.
 */
describe('the pipeline end to end', () => {
  let stack: LocalStack;
  let metricsPort: number;

  beforeAll(async () => {
    metricsPort = await freePort();
    // Spans to the stack's spans file as npm start writes them, each batch within 200 ms.
    stack = await startTestStack({
      faultyAws: true,
      traces: true,
      env: {
        worker: { METRICS_PROMETHEUS_ADDRESS: `127.0.0.1:${metricsPort}`, OTEL_BSP_SCHEDULE_DELAY: '200' },
        service: {
          CREW_CONFIRMATION_TIMEOUT_HOURS: '1',
          CREW_CONFIRMATION_LEAD_HOURS: '0',
          OTEL_BSP_SCHEDULE_DELAY: '200',
        },
      },
    });
  });
  afterAll(() => stack?.stop());

  const opsEmails = async (messageId: string | undefined) =>
    (await stack.outbox.messages()).filter((m) => m.messageId === messageId);

  test('booking -> crew accept in the inbox -> page at the edge -> email; the CLI shows the search attributes', async () => {
    const booking = sampleBooking();
    const created = await postBooking(stack, booking);
    expect(created.status).toBe(202);
    expect((await postBooking(stack, booking)).status).toBe(200);

    await waitForBookingStage(stack, booking.bookingId, 'AWAITING_CREW');
    await acceptInCrewInbox(stack, created.body.workflowId, { checkPage: true });
    const done = await waitForBookingStage(stack, booking.bookingId, 'KEEPING_PAGE_CURRENT');
    expect(done.crewOutcome).toBe('ALL_CONFIRMED');

    const slug = done.pages.find((p) => p.site === 'nested')!.url.split('/g/')[1]!;
    const page = await fetch(`${stack.edge.origins.nested}/g/${slug}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('Ana Reyes');
    expect(html).toContain('Ben Okafor');
    expect((await fetch(`${stack.edge.origins.flat}/g/${slug}.html`)).status).toBe(200);
    expect((await fetch(`${stack.edge.origins.nested}/g/..%2f${slug}`)).status).toBe(404);

    const mails = await opsEmails(done.opsEmailMessageId);
    expect(mails).toHaveLength(1);

    // One trace across the two processes: the service's intake request and the worker's activities,
    // the ops summary email included; no guest detail in the file.
    type Line = { traceId: string; name: string; service: string; attributes: Record<string, unknown> };
    const spansFile = stack.info.files.spans!;
    const lines = await waitFor(
      async () =>
        existsSync(spansFile)
          ? readFileSync(spansFile, 'utf8')
              .trim()
              .split('\n')
              .map((l) => JSON.parse(l) as Line)
          : [],
      (all) =>
        all.some(
          (l) => l.name === 'RunActivity:sendOpsSummary' && l.attributes.temporalWorkflowId === created.body.workflowId,
        ),
      10_000,
    );
    const intake = lines.find(
      (l) => l.name === 'POST /tenants/:tenant/bookings' && l.attributes['http.response.status_code'] === 202,
    );
    expect(intake?.service).toBe('charter-fulfillment-service');
    const ofBooking = lines.filter(
      (l) => l.name.startsWith('RunActivity:') && l.attributes.temporalWorkflowId === created.body.workflowId,
    );
    expect(new Set(ofBooking.map((l) => l.traceId))).toEqual(new Set([intake!.traceId]));
    expect(new Set(ofBooking.map((l) => l.service))).toEqual(new Set(['charter-fulfillment-worker']));
    expect(ofBooking.map((l) => l.name)).toEqual(
      expect.arrayContaining([
        'RunActivity:createCalendarEntry',
        'RunActivity:createCrewEvent',
        'RunActivity:publishGuestPage',
        'RunActivity:sendOpsSummary',
      ]),
    );
    const text = readFileSync(spansFile, 'utf8');
    for (const detail of [booking.guest.name, booking.guest.email!, booking.guest.phone!, booking.notes!])
      expect(text).not.toContain(detail);

    // The worker's SDK metrics, for Prometheus: activity executions of this task queue are counted.
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(`activity_execution_latency\\w*\\{[^}]*task_queue="${stack.envs.worker.TEMPORAL_TASK_QUEUE}"`),
    );

    const { stdout } = await exec(process.env.TEST_TEMPORAL_CLI ?? 'temporal', [
      'workflow',
      'describe',
      '--address',
      testServers().address,
      '--workflow-id',
      created.body.workflowId,
      '--output',
      'json',
    ]);
    const fields: Record<string, { data: string }> =
      JSON.parse(stdout).workflowExecutionInfo.searchAttributes.indexedFields;
    const decoded = Object.fromEntries(
      Object.entries(fields).map(([k, v]) => [k, JSON.parse(Buffer.from(v.data, 'base64').toString())]),
    );
    expect(decoded).toMatchObject({
      BookingId: booking.bookingId,
      Tenant: stack.tenantId,
      CharterStart: new Date(booking.charter.start).toISOString(),
      FulfillmentStage: 'KEEPING_PAGE_CURRENT',
    });

    // Each activity carries a one-line summary that the Temporal UI shows in the timeline, encrypted like
    // any payload: the CLI reads it through the stack's codec server.
    const { stdout: shown } = await exec(process.env.TEST_TEMPORAL_CLI ?? 'temporal', [
      'workflow',
      'show',
      '--address',
      testServers().address,
      '--workflow-id',
      created.body.workflowId,
      '--codec-endpoint',
      stack.info.urls.codec,
      '--output',
      'json',
    ]);
    const summaries = (JSON.parse(shown).events as { userMetadata?: { summary?: { data: string } } }[]).flatMap((e) =>
      e.userMetadata?.summary ? [JSON.parse(Buffer.from(e.userMetadata.summary.data, 'base64').toString())] : [],
    );
    expect(summaries).toEqual(
      expect.arrayContaining([
        'JADA calendar entry',
        'SCC crew event for Captain, Deckhand',
        'Guest page v1 to every site (revision 1, uploads not-yet-open)',
      ]),
    );
  });

  test('durability: worker and service SIGKILLed while the booking waits for crew; restarted, it completes once', async () => {
    const before = { jada: stack.jada.counters.created, scc: stack.scc.counters.created };
    const booking = sampleBooking();
    const created = await postBooking(stack, booking);
    expect(created.status).toBe(202);
    await waitForBookingStage(stack, booking.bookingId, 'AWAITING_CREW');

    await stack.crashApp();
    expect(stack.worker?.exit?.signal).toBe('SIGKILL');
    await stack.startApp();

    expect((await postBooking(stack, booking)).status).toBe(200);
    await acceptInCrewInbox(stack, created.body.workflowId, { checkPage: true });
    const done = await waitForBookingStage(stack, booking.bookingId, 'KEEPING_PAGE_CURRENT');
    expect(done.crewOutcome).toBe('ALL_CONFIRMED');

    expect(stack.jada.counters.created - before.jada).toBe(1);
    expect(stack.scc.counters.created - before.scc).toBe(1);
    expect(await opsEmails(done.opsEmailMessageId)).toHaveLength(1);
    for (const site of stack.tenant.sites) {
      const refs = (await invalidationsOf(stack.aws.cloudfront, site.distributionId)).map(
        (i) => i.callerReference ?? '',
      );
      expect(refs.filter((r) => r.includes(created.body.workflowId))).toHaveLength(1);
    }
  });

  test('a changed re-delivery of a published booking, through faults everywhere and a SIGKILLed worker: every system shows the new date, each changed once', async () => {
    const booking = sampleBooking();
    const created = await postBooking(stack, booking);
    const { workflowId } = created.body;
    await waitForBookingStage(stack, booking.bookingId, 'AWAITING_CREW');
    await acceptInCrewInbox(stack, workflowId, { checkPage: true });
    const live = await waitForBookingStage(stack, booking.bookingId, 'KEEPING_PAGE_CURRENT');
    const before = { jada: stack.jada.counters.updated, scc: stack.scc.counters.updated };

    // JADA answers 500, SCC's first answer is lost (it performs the update), S3/CloudFront fail twice.
    stack.jada.faults.failNext(2);
    stack.scc.faults.hangNext(1, 15_000);
    stack.awsFaults!.failNext(2);
    const moved = {
      ...booking,
      charter: { ...booking.charter, start: '2027-05-30T10:00:00-07:00', end: '2027-05-30T13:00:00-07:00' },
    };
    const changed = await postBooking(stack, moved);
    expect(changed).toMatchObject({ status: 200, body: { workflowId, changed: ['charter.start', 'charter.end'] } });
    await stack.crashApp();
    await stack.startApp();

    const slug = live.pages.find((p) => p.site === 'nested')!.url.split('/g/')[1]!;
    // Both edges (each site is put in turn), each through its own path convention.
    await waitFor(
      async () =>
        Promise.all([
          fetch(`${stack.edge.origins.nested}/g/${slug}`).then((r) => r.text()),
          fetch(`${stack.edge.origins.flat}/g/${slug}.html`).then((r) => r.text()),
        ]),
      (pages) => pages.every((html) => html.includes('May 30')),
      120_000,
    );
    const changeMails = await waitFor(
      async () => (await stack.outbox.messages()).filter((m) => m.messageId === bookingChangeMessageId(workflowId, 2)),
      (found) => found.length > 0,
      60_000,
    );
    expect(changeMails).toHaveLength(1);
    expect(changeMails[0]!.subject).toMatch(/^Changed by boatsetter/);
    expect(Date.parse(stack.jada.events.find((e) => e.externalId === workflowId)!.start)).toBe(
      Date.parse(moved.charter.start),
    );
    expect(Date.parse(stack.scc.events.find((e) => e.external_id === workflowId)!.start_time)).toBe(
      Date.parse(moved.charter.start),
    );
    expect(stack.jada.counters.updated - before.jada).toBe(1);
    expect(stack.scc.counters.updated - before.scc).toBe(1);
    for (const site of stack.tenant.sites) {
      const refs = (await invalidationsOf(stack.aws.cloudfront, site.distributionId)).map(
        (i) => i.callerReference ?? '',
      );
      // Page v1 and v2 of this booking: one invalidation each, whatever was retried.
      expect(refs.filter((r) => r.startsWith(`${workflowId}:`))).toHaveLength(2);
    }
  });

  test('SIGTERM stops the worker and the service gracefully (exit code 0)', async () => {
    await stack.stop();
    expect({ worker: stack.worker?.exit?.code, service: stack.service?.exit?.code }).toEqual({ worker: 0, service: 0 });
  });
});
