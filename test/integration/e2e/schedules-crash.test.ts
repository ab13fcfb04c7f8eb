import { createHash } from 'node:crypto';
import type { LocalStack } from '../../../scripts/local-stack/stack';
import { sampleBooking } from '../../../sim/samples';
import { tenantDirectory } from '../../../src/config/tenant';
import { crewRosterMessageId } from '../../../src/mail/message-id';
import { digestScheduleId, ensureTenantSchedules, feedScheduleId, rosterScheduleId } from '../../../worker/schedules';
import { startTestStack } from '../../support/local-stack';
import { connectTemporal, type TemporalForTest } from '../../support/temporal';
import { waitFor } from '../../support/wait';

/**
 * The digest and roster schedules across a worker SIGKILLed in the middle of sending a roster: the
 * worker and the service run as child processes (the local stack), the kill lands when the roster's
 * claim reaches the sent-mail ledger (caught at the proxy in front of S3, so before any SMTP), and the
 * restarted worker finishes the run. Every email in the outbox, rosters and digests included, has a
 * Message-ID of its own.
 */
describe('digest and rosters across a worker SIGKILL', () => {
  let stack: LocalStack;
  let temporal: TemporalForTest;

  beforeAll(async () => {
    // The test makes the schedules with periods of seconds; a restarted worker must not put them back.
    stack = await startTestStack({ faultyAws: true, env: { worker: { FEED_SCHEDULES_AT_START: 'false' } } });
    temporal = await connectTemporal();
  });
  afterAll(async () => {
    for (const id of [
      digestScheduleId(stack.tenantId),
      rosterScheduleId(stack.tenantId),
      feedScheduleId(stack.tenantId, 'boatsetter'),
    ]) {
      await temporal?.client.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    }
    await temporal?.close();
    await stack?.stop();
  });

  test('the roster and the digests are each sent once', async () => {
    const start = new Date(Date.now() + 3 * 3600_000);
    start.setUTCSeconds(0, 0);
    const booking = sampleBooking({
      charter: {
        start: start.toISOString(),
        end: new Date(start.getTime() + 3 * 3600_000).toISOString(),
        timeZone: 'America/Los_Angeles',
      },
    });
    const res = await fetch(`${stack.info.urls.service}/tenants/${stack.tenantId}/bookings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-service-key': stack.keys.intakeKey },
      body: JSON.stringify(booking),
    });
    expect(res.status).toBe(202);
    const { workflowId } = (await res.json()) as { workflowId: string };
    const { client } = temporal;
    await waitFor(
      () => client.workflow.count(`Tenant = "${stack.tenantId}" AND BookingId = "${booking.bookingId}"`),
      (c) => c.count === 1,
      30_000,
    );

    // The roster's claim in the ledger: forwarded to S3 (it lands), its answer held back, the worker killed.
    const rosterKey = createHash('sha256').update(crewRosterMessageId(workflowId, booking.charter.start)).digest('hex');
    let claimSeen: () => void = () => undefined;
    const claimed = new Promise<void>((resolve) => (claimSeen = resolve));
    stack.awsFaults!.hangNext(1, 60_000, (req) => {
      const hit = req.method === 'PUT' && (req.url ?? '').includes(rosterKey);
      if (hit) claimSeen();
      return hit;
    });

    const changes = await ensureTenantSchedules(client, tenantDirectory([stack.tenant]), {
      taskQueue: stack.envs.worker.TEMPORAL_TASK_QUEUE!,
      everyMinutes: 24 * 60,
      digestEverySeconds: 10,
      rosterEverySeconds: 10,
    });
    expect(changes.created).toEqual(
      expect.arrayContaining([digestScheduleId(stack.tenantId), rosterScheduleId(stack.tenantId)]),
    );

    await claimed;
    await stack.crashApp();
    expect(stack.worker?.exit?.signal).toBe('SIGKILL');
    const messages = () => stack.outbox.messages();
    expect((await messages()).filter((m) => m.subject.startsWith('Crew roster'))).toHaveLength(0);
    await stack.startApp();

    // The killed attempt's claim holds until its lease ends (90 s); then one attempt takes it over.
    const rosters = await waitFor(
      async () => (await messages()).filter((m) => m.subject.startsWith('Crew roster')),
      (list) => list.length >= 1,
      240_000,
    );
    const digests = await waitFor(
      async () => (await messages()).filter((m) => m.subject.startsWith('Ops digest')),
      (list) => list.length >= 2,
      60_000,
    );
    // A few more periods: later runs see the same roster and send nothing.
    const roster = client.schedule.getHandle(rosterScheduleId(stack.tenantId));
    const taken = (await roster.describe()).info.numActionsTaken;
    await waitFor(
      () => roster.describe(),
      (d) => d.info.numActionsTaken >= taken + 2,
      60_000,
    );
    await new Promise((r) => setTimeout(r, 3000));

    const all = await messages();
    expect(all.filter((m) => m.subject.startsWith('Crew roster'))).toHaveLength(1);
    expect(rosters[0]!.messageId).toBe(crewRosterMessageId(workflowId, booking.charter.start));
    const ids = all.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(digests.map((m) => m.messageId)).size).toBe(digests.length);
  }, 420_000);
});
