import { WorkflowFailedError, type Client } from '@temporalio/client';
import { startFeedSim, type FeedSim, type FeedSimEvent } from '../../../sim/feeds';
import { sampleFeed } from '../../../sim/samples';
import { feedEventKey } from '../../../src/channels/ical-feed';
import { tenantDirectory } from '../../../src/config/tenant';
import { bookingWorkflowId } from '../../../src/domain/booking';
import { ensureFeedSchedules, feedScheduleId } from '../../../worker/schedules';
import { statusQuery } from '../../../workflows/messages';
import type { FeedSyncResult } from '../../../workflows/feed-sync';
import { startFulfillmentHarness, type FulfillmentHarness } from '../../support/fulfillment';
import { saveHistory } from '../../support/histories';
import { waitFor } from '../../support/wait';

/**
 * Calendar feeds on their Temporal Schedules, on the dev server: the schedules are made from the
 * tenants file, each run is triggered by hand, and the feed is the stand-in marketplace over HTTP.
 * Two snapshots of a feed (one event new, one moved, one gone) give held bookings, a change and an
 * ops alert, and cancel nothing; a feed answering 500 or garbage changes nothing and alerts once.
 */
describe('calendar feeds synced on Temporal Schedules', () => {
  let sim: FeedSim;
  let h: FulfillmentHarness;
  let client: Client;

  beforeAll(async () => {
    sim = await startFeedSim();
    h = await startFulfillmentHarness({
      crewTimeoutMs: 60_000,
      tenant: (t) => ({
        ...t,
        feeds: [sampleFeed({ url: sim.feedUrl('bs') }), sampleFeed({ name: 'down', url: sim.feedUrl('down') })],
      }),
    });
    client = h.temporal.client;
    const changes = await ensureFeedSchedules(client, tenantDirectory([h.tenant]), {
      taskQueue: h.taskQueue,
      everyMinutes: 24 * 60,
      fetchRetry: { maximumAttempts: 2, initialIntervalMs: 100 },
    });
    expect(changes.created.sort()).toEqual([feedScheduleId(h.tenant.id, 'bs'), feedScheduleId(h.tenant.id, 'down')]);
  });
  afterAll(async () => {
    for (const name of ['bs', 'down'])
      await client?.schedule
        .getHandle(feedScheduleId(h.tenant.id, name))
        .delete()
        .catch(() => undefined);
    await h?.stop();
    await sim?.stop();
  });

  let lastRun: { workflowId: string; runId: string } | undefined;
  /** Triggers the schedule once and waits for that run's end: its result, or its failure. */
  async function runOnce(name: string): Promise<FeedSyncResult | WorkflowFailedError> {
    const schedule = client.schedule.getHandle(feedScheduleId(h.tenant.id, name));
    const before = (await schedule.describe()).info.numActionsTaken;
    await schedule.trigger();
    const described = await waitFor(
      () => schedule.describe(),
      (d) => d.info.numActionsTaken > before,
      20_000,
    );
    const latest = described.info.recentActions[described.info.recentActions.length - 1]!;
    lastRun = { workflowId: latest.action.workflow.workflowId, runId: latest.action.workflow.firstExecutionRunId };
    const run = client.workflow.getHandle(
      latest.action.workflow.workflowId,
      latest.action.workflow.firstExecutionRunId,
    );
    return (run.result() as Promise<FeedSyncResult>).catch((err: unknown) => {
      if (err instanceof WorkflowFailedError) return err;
      throw err;
    });
  }
  const workflowIdOf = (uid: string) =>
    bookingWorkflowId(h.tenant.id, { source: 'boatsetter', bookingId: feedEventKey('bs', uid) });
  const statusOf = (uid: string) => client.workflow.getHandle(workflowIdOf(uid)).query(statusQuery);
  const mails = (subject: string) => h.smtp.messages.filter((m) => m.subject?.includes(subject));
  const ev = (uid: string, day: number, hour = 9): FeedSimEvent => ({
    uid,
    start: `2027-07-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00-07:00`,
    end: `2027-07-${String(day).padStart(2, '0')}T${String(hour + 4).padStart(2, '0')}:00:00-07:00`,
    summary: `Boatsetter booking: Guest ${uid}`,
    tzid: 'America/Los_Angeles',
  });

  test('new, moved and gone: held bookings, a change, an alert, and nothing cancelled', async () => {
    sim.setEvents('bs', [ev('a@boatsetter', 10), ev('b@boatsetter', 11), ev('c@boatsetter', 12)]);
    const first = (await runOnce('bs')) as FeedSyncResult;
    expect(first).toMatchObject({ outcome: 'synced', added: 3, moved: 0, vanished: 0 });
    expect(first.deliveries.map((d) => d.outcome)).toEqual(['started', 'started', 'started']);
    for (const uid of ['a@boatsetter', 'b@boatsetter', 'c@boatsetter']) {
      await waitFor(
        () => statusOf(uid),
        (s) => s.stage === 'AWAITING_DETAILS',
        20_000,
      );
    }
    expect(h.jada.events.filter((e) => e.externalId.includes('-bs.'))).toHaveLength(3);
    // Nothing about the guest's name reaches the sync's history.
    const history = JSON.stringify(await client.workflow.getHandle(lastRun!.workflowId, lastRun!.runId).fetchHistory());
    expect(history).toContain('fetchCalendarFeed');
    expect(history).not.toContain('Guest a@');
    expect(history).not.toContain(sim.feedUrl('bs'));

    // Unchanged export: a 304, nothing delivered.
    const notModified = sim.countersFor('bs').notModified;
    expect(await runOnce('bs')).toMatchObject({ outcome: 'not-modified' });
    expect(sim.countersFor('bs').notModified).toBe(notModified + 1);

    // The second snapshot: b moves an hour later, c is gone, d is new.
    sim.setEvents('bs', [ev('a@boatsetter', 10), ev('b@boatsetter', 11, 10), ev('d@boatsetter', 14)]);
    const second = (await runOnce('bs')) as FeedSyncResult;
    expect(second).toMatchObject({ outcome: 'synced', added: 1, moved: 1, vanished: 1 });
    await saveHistory(client, lastRun!.workflowId, 'feed-sync-new-moved-gone');
    await waitFor(
      () => statusOf('d@boatsetter'),
      (s) => s.stage === 'AWAITING_DETAILS',
      20_000,
    );
    const moved = await waitFor(
      () => statusOf('b@boatsetter'),
      (s) => s.revision === 2,
      20_000,
    );
    expect(Date.parse(moved.booking!.charter.start)).toBe(Date.parse('2027-07-11T10:00:00-07:00'));
    const gone = await waitFor(
      async () => mails('gone from the boatsetter calendar'),
      (m) => m.length === 1,
      20_000,
    );
    expect(gone[0]!.text).toContain(workflowIdOf('c@boatsetter'));
    // c is still a running, held booking: only ops cancel.
    expect((await statusOf('c@boatsetter')).stage).toBe('AWAITING_DETAILS');
    expect(await client.workflow.getHandle(workflowIdOf('c@boatsetter')).describe()).toMatchObject({
      status: { name: 'RUNNING' },
    });

    // The same export again reports nothing new.
    sim.upsertEvent('bs', ev('a@boatsetter', 10));
    await runOnce('bs');
    expect(mails('gone from the boatsetter calendar')).toHaveLength(1);
  });

  test('a feed answering 500, then garbage: runs fail, no booking changes, ops are alerted once', async () => {
    sim.setEvents('down', [ev('x@boatsetter', 20)]);
    sim.setFault('down', 'status-500');
    const failed = await runOnce('down');
    expect(failed).toBeInstanceOf(WorkflowFailedError);
    await saveHistory(client, lastRun!.workflowId, 'feed-sync-outage');
    expect(String((failed as WorkflowFailedError).cause?.message)).toContain('could not be synced');
    sim.setFault('down', 'garbage');
    expect(await runOnce('down')).toBeInstanceOf(WorkflowFailedError);
    await waitFor(
      async () => mails('cannot be read'),
      (m) => m.length >= 1,
      20_000,
    );
    expect(mails('cannot be read')).toHaveLength(1);
    const x = bookingWorkflowId(h.tenant.id, { source: 'boatsetter', bookingId: feedEventKey('down', 'x@boatsetter') });
    await expect(client.workflow.getHandle(x).describe()).rejects.toThrow();

    // Back up: the event becomes a held booking; a later outage is a new one, told once more.
    sim.setFault('down', undefined);
    expect(await runOnce('down')).toMatchObject({ outcome: 'synced', added: 1 });
    const jadaBefore = h.jada.counters.updated + h.jada.counters.deleted;
    sim.setFault('down', 'garbage');
    expect(await runOnce('down')).toBeInstanceOf(WorkflowFailedError);
    await waitFor(
      async () => mails('cannot be read'),
      (m) => m.length === 2,
      20_000,
    );
    expect(h.jada.counters.updated + h.jada.counters.deleted).toBe(jadaBefore);
  });

  test('the schedules again from the file: updated in place, and a feed taken out loses its schedule', async () => {
    const every = async (name: string) => {
      const d = await client.schedule.getHandle(feedScheduleId(h.tenant.id, name)).describe();
      return d.spec.intervals?.[0]?.every;
    };
    const bs = h.tenant.feeds!.find((f) => f.name === 'bs')!;
    const changes = await ensureFeedSchedules(
      client,
      tenantDirectory([{ ...h.tenant, feeds: [{ ...bs, everyMinutes: 30 }] }]),
      { taskQueue: h.taskQueue, everyMinutes: 24 * 60 },
    );
    expect(changes).toEqual({
      created: [],
      updated: [feedScheduleId(h.tenant.id, 'bs')],
      removed: [feedScheduleId(h.tenant.id, 'down')],
    });
    expect(await every('bs')).toBe(30 * 60_000);
    await expect(client.schedule.getHandle(feedScheduleId(h.tenant.id, 'down')).describe()).rejects.toThrow();
  });
});
