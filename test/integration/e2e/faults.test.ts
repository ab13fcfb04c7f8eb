import type { LocalStack } from '../../../scripts/local-stack/stack';
import { poll } from '../../../scripts/local-stack/processes';
import type { RandomFaults } from '../../../sim/faults';
import { sampleBooking } from '../../../sim/samples';
import type { Booking } from '../../../src/domain/booking';
import { AWS_CALL, HTTP_CALL, SMTP_CALL } from '../../../src/domain/time-budgets';
import { opsSummaryMessageId } from '../../../src/mail/message-id';
import type { BookingStatus } from '../../../workflows/types';
import { invalidationsOf } from '../../support/aws';
import { startTestStack } from '../../support/local-stack';
import { connectTemporal } from '../../support/temporal';
import { waitFor } from '../../support/wait';

const BOOKINGS = Number(process.env.FAULT_TEST_BOOKINGS ?? 50);
const CONCURRENCY = 10;
/** Of all requests to each system: this share fails at once, as many again do their work and lose the answer. */
const FAIL_RATE = 0.15;
const HANG_RATE = 0.15;

jest.setTimeout(15 * 60_000);

/**
 * 50 bookings through the local stack while every external system misbehaves at random (30% of
 * requests to JADA, SCC, S3/CloudFront and SMTP fail or hang past the client's timeout, the effect
 * done and the answer lost), with the worker's production client settings. Every effect happens
 * exactly once; the one exception SMTP allows (a 250 lost in transit) is counted, and its copy carries
 * the same Message-ID.
 */
describe('the pipeline under random faults on every external system', () => {
  let stack: LocalStack;
  const injected: Record<string, RandomFaults> = {};

  beforeAll(async () => {
    stack = await startTestStack({
      faultyAws: true,
      env: { service: { CREW_CONFIRMATION_TIMEOUT_HOURS: '1', CREW_CONFIRMATION_LEAD_HOURS: '0' } },
    });
    const random = (hangMs: number, seed: number) => ({ failRate: FAIL_RATE, hangRate: HANG_RATE, hangMs, seed });
    injected.jada = stack.jada.faults.atRandom(random(HTTP_CALL.timeoutMs + 1000, 1));
    injected.scc = stack.scc.faults.atRandom(random(HTTP_CALL.timeoutMs + 1000, 2));
    injected.aws = stack.awsFaults!.atRandom(random(AWS_CALL.requestTimeoutMs + 1000, 3));
    injected.smtp = stack.outbox.faults.atRandom(random(SMTP_CALL.timeoutMs + 1000, 4));
  });
  afterAll(() => stack?.stop());

  const post = (path: string, key: string, body: unknown) =>
    fetch(`${stack.info.urls.service}/tenants/${stack.tenantId}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-service-key': key },
      body: JSON.stringify(body),
    });
  const status = async (booking: Booking): Promise<BookingStatus | undefined> => {
    const res = await fetch(`${stack.info.urls.service}/tenants/${stack.tenantId}/bookings/${booking.bookingId}`, {
      headers: { 'x-service-key': stack.keys.intakeKey },
    });
    return res.status === 200 ? ((await res.json()) as BookingStatus) : undefined;
  };

  /** Where a booking is stuck: its stage and every pending activity's attempt and last failure. */
  async function whereIs(workflowId: string): Promise<string> {
    const temporal = await connectTemporal();
    try {
      const { raw } = await temporal.client.workflow.getHandle(workflowId).describe();
      const pending = (raw.pendingActivities ?? []).map(
        (a) => `${a.activityType?.name} attempt ${a.attempt}: ${a.lastFailure?.message ?? 'no failure yet'}`,
      );
      return `stage ${JSON.stringify(raw.workflowExecutionInfo?.status)}; pending: ${pending.join(' | ') || 'none'}`;
    } finally {
      await temporal.close();
    }
  }

  /** Posts the booking, answers for its crew as SCC would once the event exists, waits for the ops email. */
  async function fulfil(booking: Booking): Promise<{ workflowId: string; ms: number }> {
    const postedAt = Date.now();
    const res = await post('/bookings', stack.keys.intakeKey, booking);
    expect(res.status).toBe(202);
    const { workflowId } = (await res.json()) as { workflowId: string };
    await poll(async () => stack.scc.events.find((e) => e.external_id === workflowId), {
      what: `the SCC event of ${workflowId}`,
      timeoutMs: 10 * 60_000,
    });
    for (const member of booking.crew!) {
      const answer = await post('/crew-responses', stack.keys.crewCallbackKey, {
        workflowId,
        crewId: member.id,
        response: 'accepted',
        respondedAt: new Date().toISOString(),
      });
      expect(answer.status).toBe(202);
    }
    const messageId = opsSummaryMessageId(workflowId);
    const arrived = await poll(
      async () => (await stack.outbox.messages()).filter((m) => m.messageId === messageId).at(-1),
      { what: `the ops email of ${workflowId}`, timeoutMs: 10 * 60_000, intervalMs: 1000 },
    ).catch(async (err: unknown) => {
      throw new Error(`${(err as Error).message}\n${await whereIs(workflowId)}`);
    });
    return { workflowId, ms: Number(arrived.id.split('-')[0]) - postedAt };
  }

  test('50 bookings complete, each effect once, no attempt overlapping another', async () => {
    const bookings = Array.from({ length: BOOKINGS }, () => sampleBooking());
    const done: { workflowId: string; ms: number }[] = [];
    const queue = [...bookings];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let booking = queue.shift(); booking; booking = queue.shift()) done.push(await fulfil(booking));
      }),
    );

    const workflowIds = done.map((d) => d.workflowId);
    for (const workflowId of workflowIds) {
      expect(stack.jada.events.filter((e) => e.externalId === workflowId)).toHaveLength(1);
      expect(stack.scc.events.filter((e) => e.external_id === workflowId)).toHaveLength(1);
    }
    expect(stack.jada.counters.created).toBe(BOOKINGS);
    expect(stack.scc.counters.created).toBe(BOOKINGS);
    for (const site of stack.tenant.sites) {
      const references = (await invalidationsOf(stack.aws.cloudfront, site.distributionId)).map(
        (i) => i.callerReference ?? '',
      );
      expect(references).toHaveLength(new Set(references).size);
      for (const workflowId of workflowIds) {
        expect(references.filter((r) => r === `${workflowId}:page:v1:${site.name}`)).toHaveLength(1);
      }
    }
    for (const workflowId of workflowIds) {
      // The email can be in the outbox before its activity completed (its answer lost, the retry
      // waiting out the claim's lease): the booking gets there within a lease or two.
      const finished = await waitFor(
        () => status(bookings[workflowIds.indexOf(workflowId)]!),
        (s) => s?.stage === 'KEEPING_PAGE_CURRENT',
        240_000,
      );
      expect(finished?.stage).toBe('KEEPING_PAGE_CURRENT');
      expect(finished?.pageVersion).toBe(1);
    }

    // A 250 lost in transit is the one duplicate SMTP allows: the copy has the same Message-ID.
    const copies = new Map<string, number>();
    for (const m of await stack.outbox.messages())
      copies.set(m.messageId ?? '', (copies.get(m.messageId ?? '') ?? 0) + 1);
    const extra = workflowIds.reduce((sum, id) => sum + (copies.get(opsSummaryMessageId(id)) ?? 0) - 1, 0);
    expect(workflowIds.every((id) => (copies.get(opsSummaryMessageId(id)) ?? 0) >= 1)).toBe(true);
    expect(extra).toBeLessThanOrEqual(injected.smtp!.injected.hang);

    expect(stack.worker!.output()).not.toMatch(/Activity not found on completion/i);
    const slowest = Math.max(...done.map((d) => d.ms));
    const sorted = done.map((d) => d.ms).sort((a, b) => a - b);
    process.stderr.write(
      `[faults] ${BOOKINGS} bookings at ${(FAIL_RATE + HANG_RATE) * 100}% faults: ` +
        `p50 ${(sorted[Math.floor(BOOKINGS / 2)]! / 1000).toFixed(1)} s, slowest ${(slowest / 1000).toFixed(1)} s; ` +
        `injected ${JSON.stringify(Object.fromEntries(Object.entries(injected).map(([k, v]) => [k, v.injected])))}; ` +
        `ops email copies beyond the first (lost 250s): ${extra}\n`,
    );
  });
});
