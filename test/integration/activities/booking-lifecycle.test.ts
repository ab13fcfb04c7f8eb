import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities, type Activities } from '../../../activities';
import type { Tenant } from '../../../src/config/tenant';
import { tenantDirectory } from '../../../src/config/tenant';
import { bookingWorkflowId, type Booking } from '../../../src/domain/booking';
import { createMailTransport } from '../../../src/mail/transport';
import type { MissingEndpointStatus } from '../../../sim/faults';
import { sampleBooking } from '../../../sim/samples';
import { startTenantWorld, uniqueTenantId, type TenantWorld } from '../../support/fulfillment';

/** The activities' per-request timeout here; a stand-in that holds its answer longer loses it. */
const HTTP_TIMEOUT_MS = 1000;
const LOST_ANSWER_HOLD_MS = HTTP_TIMEOUT_MS + 1500;

/** Every log line the activities wrote, to prove no magic link is among them. */
class CapturingLogger implements Logger {
  readonly lines: string[] = [];
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.lines.push(`${level} ${message} ${JSON.stringify(meta ?? {})}`);
  }
  trace = (message: string, meta?: LogMetadata) => this.log('TRACE', message, meta);
  debug = (message: string, meta?: LogMetadata) => this.log('DEBUG', message, meta);
  info = (message: string, meta?: LogMetadata) => this.log('INFO', message, meta);
  warn = (message: string, meta?: LogMetadata) => this.log('WARN', message, meta);
  error = (message: string, meta?: LogMetadata) => this.log('ERROR', message, meta);
}

const logger = new CapturingLogger();

/** One activity attempt, in an activity context of its own, as a worker runs it. */
const attempt = <T>(run: () => Promise<T>): Promise<T> =>
  new MockActivityEnvironment({}, { logger }).run(run) as Promise<T>;

const twice = async <T>(run: () => Promise<T>): Promise<[T, T]> => [await attempt(run), await attempt(run)];

/** What an attempt that failed reports to Temporal: its failure type and whether Temporal retries it. */
async function failureOf(promise: Promise<unknown>): Promise<{ type?: string; retried: boolean; message?: string }> {
  try {
    await promise;
  } catch (err) {
    const failure = err as { type?: string; nonRetryable?: boolean; message?: string };
    return { type: failure.type, retried: !failure.nonRetryable, message: failure.message };
  }
  throw new Error('expected the attempt to fail');
}

interface Lifecycle {
  world: TenantWorld;
  activities: Activities;
  /** The same systems, with a wrong JADA token and a wrong SCC key. */
  intruder: Tenant;
  /** SCC through its CDN, which strips the key. */
  viaCdn: Tenant;
  stop(): Promise<void>;
}

async function startLifecycle(missing?: MissingEndpointStatus): Promise<Lifecycle> {
  const lacking = missing === undefined ? {} : { lifecycleEndpoints: false, missingEndpointStatus: missing };
  const world = await startTenantWorld({ jada: lacking, scc: lacking });
  const intruder: Tenant = {
    ...world.tenant,
    id: uniqueTenantId(),
    jada: { ...world.tenant.jada, token: 'not-the-jada-token-1a2b' },
    scc: { ...world.tenant.scc, serviceKey: 'not-the-scc-key-3c4d' },
  };
  const viaCdn: Tenant = {
    ...world.tenant,
    id: uniqueTenantId(),
    scc: { ...world.tenant.scc, apiUrl: world.scc.cdnUrl },
  };
  const mail = createMailTransport(world.smtp.url, { timeoutMs: 1500 });
  const activities = createActivities({
    tenants: tenantDirectory([world.tenant, intruder, viaCdn]),
    s3: world.s3,
    cloudfront: world.cloudfront,
    mail,
    stateBucket: world.stateBucket,
    httpTimeoutMs: HTTP_TIMEOUT_MS,
  });
  return {
    world,
    activities,
    intruder,
    viaCdn,
    async stop() {
      mail.close();
      await world.stop();
    },
  };
}

/** A booking with its JADA entry and SCC event made by the create activities, as the workflow makes them. */
async function bookedCharter(l: Lifecycle, overrides: Partial<Booking> = {}) {
  const booking = sampleBooking(overrides);
  const ref = { tenant: l.world.tenant.id, workflowId: bookingWorkflowId(l.world.tenant.id, booking), booking };
  const { jadaEventId } = await attempt(() => l.activities.createCalendarEntry(ref));
  const { sccEventId } = await attempt(() => l.activities.createCrewEvent({ ...ref, crew: booking.crew! }));
  return { booking, ref, jadaEventId, sccEventId };
}

const moved = (booking: Booking): Booking => ({
  ...booking,
  charter: { ...booking.charter, start: '2027-05-30T10:00:00-07:00', end: '2027-05-30T13:00:00-07:00' },
  notes: 'Moved a day later.',
});

describe('booking lifecycle activities: each run twice, or retried after a lost answer, has one effect', () => {
  let l: Lifecycle;

  beforeAll(async () => {
    l = await startLifecycle();
  });
  afterAll(async () => {
    await l?.stop();
  });

  test('updateCalendarEntry: one update per revision, writing what createCalendarEntry would write now', async () => {
    const { booking, ref, jadaEventId } = await bookedCharter(l);
    const changed = moved(booking);
    const before = l.world.jada.counters.updated;
    const update = () => l.activities.updateCalendarEntry({ ...ref, booking: changed, jadaEventId, revision: 2 });
    expect(await twice(update)).toEqual([{ outcome: 'updated' }, { outcome: 'updated' }]);
    expect(l.world.jada.counters.updated - before).toBe(1);

    const entry = l.world.jada.events.find((e) => e.id === jadaEventId);
    expect(entry).toMatchObject({
      title: 'Carole Martin · Sea Breeze (boatsetter)',
      start: changed.charter.start,
      end: changed.charter.end,
      externalId: ref.workflowId,
    });
    expect(entry?.notes).toContain('Moved a day later.');
    expect(entry?.notes).not.toContain('Birthday');

    // The next revision is a change of its own.
    await attempt(() => l.activities.updateCalendarEntry({ ...ref, booking, jadaEventId, revision: 3 }));
    expect(l.world.jada.counters.updated - before).toBe(2);
    expect(l.world.jada.events.find((e) => e.id === jadaEventId)?.start).toBe(booking.charter.start);
  });

  test('updateCalendarEntry retried after a lost answer: the update happened once', async () => {
    const { booking, ref, jadaEventId } = await bookedCharter(l);
    const before = l.world.jada.counters.updated;
    const update = () =>
      l.activities.updateCalendarEntry({ ...ref, booking: moved(booking), jadaEventId, revision: 2 });
    l.world.jada.faults.hangNext(1, LOST_ANSWER_HOLD_MS);
    expect(await failureOf(attempt(update))).toMatchObject({ type: 'ExternalUnavailableError', retried: true });
    expect(l.world.jada.counters.updated - before).toBe(1);
    expect(await attempt(update)).toEqual({ outcome: 'updated' });
    expect(l.world.jada.counters.updated - before).toBe(1);
  });

  test('deleteCalendarEntry: one deletion; a retry after a lost answer is "deleted", not "not supported"', async () => {
    const first = await bookedCharter(l);
    const before = l.world.jada.counters.deleted;
    const remove = (c: typeof first) => () =>
      l.activities.deleteCalendarEntry({
        tenant: c.ref.tenant,
        workflowId: c.ref.workflowId,
        jadaEventId: c.jadaEventId,
      });
    expect(await twice(remove(first))).toEqual([{ outcome: 'deleted' }, { outcome: 'deleted' }]);
    expect(l.world.jada.events.some((e) => e.id === first.jadaEventId)).toBe(false);

    const second = await bookedCharter(l);
    l.world.jada.faults.hangNext(1, LOST_ANSWER_HOLD_MS);
    expect(await failureOf(attempt(remove(second)))).toMatchObject({ type: 'ExternalUnavailableError', retried: true });
    expect(await attempt(remove(second))).toEqual({ outcome: 'deleted' });
    expect(l.world.jada.counters.deleted - before).toBe(2);
  });

  test('updateCrewEvent: one update; moved times re-ask everyone (answers reset), the new member is invited, the one left out told', async () => {
    const { booking, ref, sccEventId } = await bookedCharter(l);
    const { scc } = l.world;
    const anaLink = scc.events
      .find((e) => e.id === sccEventId)
      ?.magic_links.find((m) => m.crew_id === 'crew-captain-ana');
    await fetch(anaLink!.url, { method: 'POST', body: new URLSearchParams({ response: 'accepted' }) });
    expect([...scc.answers.values()].filter((a) => a.eventId === sccEventId)).toHaveLength(1);

    const crew = [booking.crew![0]!, { id: 'crew-mate-cy', role: 'Deckhand' }];
    const before = scc.counters.updated;
    const update = () =>
      l.activities.updateCrewEvent({ ...ref, booking: moved(booking), sccEventId, crew, revision: 2, reask: true });
    const [first, second] = await twice(update);
    expect(first).toEqual({ outcome: 'updated', notifiedCrewIds: ['crew-captain-ana', 'crew-mate-cy'] });
    expect(second).toEqual(first);
    expect(JSON.stringify(first)).not.toMatch(/https?:\/\//);
    expect(scc.counters.updated - before).toBe(1);

    const sent = scc.messages.filter((m) => m.eventId === sccEventId && m.kind !== 'invitation');
    expect(sent.map((m) => [m.crewId, m.kind])).toEqual([
      ['crew-mate-ben', 'removed'],
      ['crew-captain-ana', 're-ask'],
    ]);
    expect(scc.messages.filter((m) => m.eventId === sccEventId && m.crewId === 'crew-mate-cy')).toHaveLength(1);
    expect([...scc.answers.values()].filter((a) => a.eventId === sccEventId)).toHaveLength(0);
    const event = scc.events.find((e) => e.id === sccEventId);
    expect(event).toMatchObject({
      start_time: '2027-05-30T10:00:00-07:00',
      notes: 'Moved a day later.',
      crew: [
        { id: 'crew-captain-ana', role: 'Captain' },
        { id: 'crew-mate-cy', role: 'Deckhand' },
      ],
    });

    // A later change that does not move the times asks nobody; notes the booking dropped are cleared.
    const quiet = await attempt(() =>
      l.activities.updateCrewEvent({
        ...ref,
        booking: { ...moved(booking), notes: undefined },
        sccEventId,
        crew,
        revision: 3,
        reask: false,
      }),
    );
    expect(quiet).toEqual({ outcome: 'updated', notifiedCrewIds: [] });
    expect(scc.events.find((e) => e.id === sccEventId)?.notes).toBe('');
  });

  test('updateCrewEvent retried after a lost answer: one update, the same crew notified, each link sent once', async () => {
    const { booking, ref, sccEventId } = await bookedCharter(l);
    const { scc } = l.world;
    const before = scc.counters.updated;
    const update = () =>
      l.activities.updateCrewEvent({
        ...ref,
        booking: moved(booking),
        sccEventId,
        crew: booking.crew!,
        revision: 2,
        reask: true,
      });
    scc.faults.hangNext(1, LOST_ANSWER_HOLD_MS);
    expect(await failureOf(attempt(update))).toMatchObject({ type: 'ExternalUnavailableError', retried: true });
    expect(await attempt(update)).toEqual({
      outcome: 'updated',
      notifiedCrewIds: ['crew-captain-ana', 'crew-mate-ben'],
    });
    expect(scc.counters.updated - before).toBe(1);
    expect(scc.messages.filter((m) => m.eventId === sccEventId && m.kind === 're-ask')).toHaveLength(2);
  });

  test('cancelCrewEvent: one cancellation, the crew told once; a retry after a lost answer is "cancelled"', async () => {
    const { scc } = l.world;
    const before = scc.counters.cancelled;
    const cancel = (c: Awaited<ReturnType<typeof bookedCharter>>) => () =>
      l.activities.cancelCrewEvent({ tenant: c.ref.tenant, workflowId: c.ref.workflowId, sccEventId: c.sccEventId });
    const first = await bookedCharter(l);
    expect(await twice(cancel(first))).toEqual([{ outcome: 'cancelled' }, { outcome: 'cancelled' }]);
    expect(scc.messages.filter((m) => m.eventId === first.sccEventId && m.kind === 'cancelled')).toHaveLength(2);

    const second = await bookedCharter(l);
    scc.faults.hangNext(1, LOST_ANSWER_HOLD_MS);
    expect(await failureOf(attempt(cancel(second)))).toMatchObject({ type: 'ExternalUnavailableError', retried: true });
    expect(await attempt(cancel(second))).toEqual({ outcome: 'cancelled' });
    expect(scc.counters.cancelled - before).toBe(2);
    expect(scc.messages.filter((m) => m.eventId === second.sccEventId && m.kind === 'cancelled')).toHaveLength(2);
  });

  test('remindCrew: each member reminded once per reminder, however often it runs or whose answer is lost', async () => {
    const { ref, sccEventId } = await bookedCharter(l);
    const { scc } = l.world;
    const remind = (reminder: string) => () =>
      l.activities.remindCrew({
        tenant: ref.tenant,
        workflowId: ref.workflowId,
        sccEventId,
        crewIds: ['crew-captain-ana', 'crew-mate-ben'],
        reminder,
      });
    const reminded = { outcome: 'reminded', crewIds: ['crew-captain-ana', 'crew-mate-ben'] };
    expect(await twice(remind('r1-after-ask'))).toEqual([reminded, reminded]);

    scc.faults.hangNext(1, LOST_ANSWER_HOLD_MS);
    expect(await failureOf(attempt(remind('r2-before-deadline')))).toMatchObject({
      type: 'ExternalUnavailableError',
      retried: true,
    });
    expect(await attempt(remind('r2-before-deadline'))).toEqual(reminded);

    const reminders = scc.messages.filter((m) => m.eventId === sccEventId && m.kind === 'reminder');
    expect(reminders.map((m) => m.crewId).sort()).toEqual([
      'crew-captain-ana',
      'crew-captain-ana',
      'crew-mate-ben',
      'crew-mate-ben',
    ]);
  });

  test('remindCrew naming someone not on the event fails for good, and reminds nobody', async () => {
    const { ref, sccEventId } = await bookedCharter(l);
    const before = l.world.scc.counters.remindersSent;
    const failure = await failureOf(
      attempt(() =>
        l.activities.remindCrew({
          tenant: ref.tenant,
          workflowId: ref.workflowId,
          sccEventId,
          crewIds: ['crew-captain-ana', 'crew-nobody'],
          reminder: 'r1-after-ask',
        }),
      ),
    );
    expect(failure).toMatchObject({ type: 'ExternalRejectedError', retried: false });
    expect(failure.message).toContain('Reminding the crew through SCC failed');
    expect(failure.message).toContain('crew-nobody');
    expect(l.world.scc.counters.remindersSent).toBe(before);
  });

  test('updateCrewEvent with a crew member listed twice fails for good (SCC answers 400) and changes nothing', async () => {
    const { booking, ref, sccEventId } = await bookedCharter(l);
    const before = l.world.scc.counters.updated;
    const ana = booking.crew![0]!;
    const failure = await failureOf(
      attempt(() => l.activities.updateCrewEvent({ ...ref, sccEventId, crew: [ana, ana], revision: 2, reask: false })),
    );
    expect(failure).toMatchObject({ type: 'ExternalRejectedError', retried: false });
    expect(failure.message).toContain('crew.1.id');
    expect(l.world.scc.counters.updated).toBe(before);
  });

  test('a wrong token or key fails every call for good with the auth error; through the CDN, "stripped"', async () => {
    const { booking, ref, jadaEventId, sccEventId } = await bookedCharter(l);
    const calls = (tenant: string): Record<string, () => Promise<unknown>> => ({
      updateCalendarEntry: () =>
        l.activities.updateCalendarEntry({ ...ref, tenant, booking: moved(booking), jadaEventId, revision: 2 }),
      deleteCalendarEntry: () => l.activities.deleteCalendarEntry({ tenant, workflowId: ref.workflowId, jadaEventId }),
      updateCrewEvent: () =>
        l.activities.updateCrewEvent({ ...ref, tenant, sccEventId, crew: booking.crew!, revision: 2, reask: false }),
      cancelCrewEvent: () => l.activities.cancelCrewEvent({ tenant, workflowId: ref.workflowId, sccEventId }),
      remindCrew: () =>
        l.activities.remindCrew({
          tenant,
          workflowId: ref.workflowId,
          sccEventId,
          crewIds: ['crew-mate-ben'],
          reminder: 'r1-after-ask',
        }),
    });
    for (const [name, run] of Object.entries(calls(l.intruder.id))) {
      const failure = await failureOf(attempt(run));
      expect({ name, ...failure, message: undefined }).toEqual({
        name,
        type: 'ExternalAuthError',
        retried: false,
        message: undefined,
      });
      expect(failure.message).not.toMatch(/not-the-(jada-token|scc-key)/);
    }
    const cdn = calls(l.viaCdn.id);
    for (const name of ['updateCrewEvent', 'cancelCrewEvent', 'remindCrew']) {
      expect(await failureOf(attempt(cdn[name]!))).toMatchObject({ type: 'SccKeyStrippedError', retried: false });
    }
    const { jada, scc } = l.world;
    expect(jada.events.find((e) => e.id === jadaEventId)?.start).toBe(booking.charter.start);
    expect(scc.messages.filter((m) => m.eventId === sccEventId).map((m) => m.kind)).toEqual([
      'invitation',
      'invitation',
    ]);
  });

  test('no magic link reaches a log line', () => {
    const links = l.world.scc.messages.flatMap((m) => (m.url ? [m.url] : []));
    expect(links.length).toBeGreaterThan(0);
    expect(logger.lines.length).toBeGreaterThan(0);
    for (const line of logger.lines) {
      expect(line).not.toContain('/m/');
      for (const link of links) expect(line).not.toContain(link);
    }
  });
});

describe.each([404, 405, 501] as const)('a deployment without the lifecycle endpoints (answering %i)', (status) => {
  let l: Lifecycle;

  beforeAll(async () => {
    l = await startLifecycle(status);
  });
  afterAll(async () => {
    await l?.stop();
  });

  test('every call answers "not supported" at the first attempt, changes nothing and tells who to warn', async () => {
    const { booking, ref, jadaEventId, sccEventId } = await bookedCharter(l);
    const { tenant, workflowId } = ref;
    const warnings = logger.lines.length;
    expect(
      await attempt(() =>
        l.activities.updateCalendarEntry({ ...ref, booking: moved(booking), jadaEventId, revision: 2 }),
      ),
    ).toEqual({ outcome: 'not-supported' });
    expect(await attempt(() => l.activities.deleteCalendarEntry({ tenant, workflowId, jadaEventId }))).toEqual({
      outcome: 'not-supported',
    });
    expect(
      await attempt(() =>
        l.activities.updateCrewEvent({
          ...ref,
          booking: moved(booking),
          sccEventId,
          crew: booking.crew!,
          revision: 2,
          reask: true,
        }),
      ),
    ).toEqual({ outcome: 'not-supported', notifiedCrewIds: [] });
    expect(await attempt(() => l.activities.cancelCrewEvent({ tenant, workflowId, sccEventId }))).toEqual({
      outcome: 'not-supported',
    });
    expect(
      await attempt(() =>
        l.activities.remindCrew({
          tenant,
          workflowId,
          sccEventId,
          crewIds: ['crew-mate-ben'],
          reminder: 'r1-after-ask',
        }),
      ),
    ).toEqual({ outcome: 'not-supported', crewIds: [] });

    const { jada, scc } = l.world;
    expect(jada.counters).toMatchObject({ updated: 0, deleted: 0 });
    expect(scc.counters).toMatchObject({ updated: 0, cancelled: 0, remindersSent: 0 });
    expect(jada.events.find((e) => e.id === jadaEventId)?.start).toBe(booking.charter.start);
    const warned = logger.lines.slice(warnings).filter((line) => line.startsWith('WARN'));
    expect(warned).toHaveLength(5);
    for (const line of warned) expect(line).toContain(`"status":${status}`);
  });

  test('a wrong token or key is still the auth error, not "not supported"', async () => {
    const { ref, jadaEventId, sccEventId } = await bookedCharter(l);
    const tenant = l.intruder.id;
    expect(
      await failureOf(
        attempt(() => l.activities.deleteCalendarEntry({ tenant, workflowId: ref.workflowId, jadaEventId })),
      ),
    ).toMatchObject({ type: 'ExternalAuthError', retried: false });
    expect(
      await failureOf(attempt(() => l.activities.cancelCrewEvent({ tenant, workflowId: ref.workflowId, sccEventId }))),
    ).toMatchObject({ type: 'ExternalAuthError', retried: false });
  });
});
