import type { Client } from '@temporalio/client';
import type { ParsedMail } from 'mailparser';
import { sampleBooking, sampleFeed } from '../../../sim/samples';
import { tenantDirectory } from '../../../src/config/tenant';
import { addDays, digestPeriod, localDateAt } from '../../../src/domain/ops-digest';
import { wallClockToInstant } from '../../../src/domain/wall-clock';
import { deliverFeedEvent } from '../../../src/service/feed-delivery';
import { digestScheduleId, ensureTenantSchedules, feedScheduleId, rosterScheduleId } from '../../../worker/schedules';
import { crewResponseSignal } from '../../../workflows/messages';
import type { CrewRostersResult, OpsDigestResult } from '../../../workflows/ops-digest';
import { startFulfillmentHarness, type FulfillmentHarness } from '../../support/fulfillment';
import { saveHistory } from '../../support/histories';
import { waitFor, waitForStage } from '../../support/wait';

/**
 * The daily digest and the crew rosters on their Temporal Schedules, on the dev server, with periods of
 * seconds instead of a day and an hour. The tenant's zone is chosen so that it is about 08:00 there
 * now: today's charters are still ahead, tomorrow's 07:00 falls within the 24 h roster lead and
 * tomorrow's 12:00 does not.
 */
describe('ops digest and crew rosters on Temporal Schedules', () => {
  const utcHour = new Date().getUTCHours();
  const offset = ((8 - utcHour + 36) % 24) - 12;
  const zone = `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
  const today = localDateAt(Date.now(), zone);
  const at = (date: string, time: string) => {
    const parsed = wallClockToInstant(`${date}T${time}`, zone);
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.instant;
  };
  const charter = (date: string, time: string) => ({
    start: at(date, time),
    end: new Date(Date.parse(at(date, time)) + 3 * 3600_000).toISOString(),
    timeZone: zone,
  });
  const PERIOD_S = 12;

  let h: FulfillmentHarness;
  let client: Client;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    h = await startFulfillmentHarness({
      crewTimeoutMs: 3600_000,
      tenant: (t) => ({ ...t, timeZone: zone, feeds: [sampleFeed({ timeZone: zone })] }),
    });
    client = h.temporal.client;
    const start = async (name: string, overrides: Parameters<typeof sampleBooking>[0]) => {
      const handle = await h.start(sampleBooking({ bookingId: `${name}-${Date.now().toString(36)}`, ...overrides }));
      ids[name] = handle.workflowId;
      return handle;
    };
    const confirmed = await start('today1', { charter: charter(today, '14:00') });
    await start('today2', { charter: charter(today, '16:00') });
    const short = await start('needscrew', { charter: charter(addDays(today, 1), '07:00') });
    await start('tomorrow', { charter: charter(addDays(today, 1), '12:00') });
    await start('yesterday', { charter: charter(addDays(today, -1), '10:00') });
    await start('yesterdayfh', {
      source: 'fareharbor',
      charter: charter(addDays(today, -1), '11:00'),
      pricing: { currency: 'USD', base: 50000 },
    });
    const held = await deliverFeedEvent(
      client,
      h.tenant,
      h.tenant.feeds![0]!,
      { key: `bs.held${Date.now().toString(36)}`, ...charter(today, '18:00') },
      h.settings,
    );
    ids.held = held.workflowId;
    // Held for a charter next week: outside the days listed, still needing action.
    const later = await deliverFeedEvent(
      client,
      h.tenant,
      h.tenant.feeds![0]!,
      { key: `bs.later${Date.now().toString(36)}`, ...charter(addDays(today, 5), '10:00') },
      h.settings,
    );
    ids.later = later.workflowId;

    for (const crewId of ['crew-captain-ana', 'crew-mate-ben']) {
      await confirmed.signal(crewResponseSignal, {
        crewId,
        response: 'accepted',
        respondedAt: new Date().toISOString(),
      });
    }
    await short.signal(crewResponseSignal, {
      crewId: 'crew-mate-ben',
      response: 'declined',
      respondedAt: new Date().toISOString(),
    });
    await waitForStage(confirmed, 'KEEPING_PAGE_CURRENT', 60_000);
    await waitForStage(short, 'NEEDS_CREW', 60_000);
    await waitForStage(client.workflow.getHandle(ids.held), 'AWAITING_DETAILS', 60_000);
    await waitForStage(client.workflow.getHandle(ids.later), 'AWAITING_DETAILS', 60_000);
    // Visibility follows the search attributes within a second or so.
    await waitFor(
      () =>
        client.workflow.count(`Tenant = "${h.tenant.id}" AND FulfillmentStage IN ("NEEDS_CREW", "AWAITING_DETAILS")`),
      (c) => c.count === 3,
      20_000,
    );
  }, 180_000);

  afterAll(async () => {
    for (const id of [
      digestScheduleId(h.tenant.id),
      rosterScheduleId(h.tenant.id),
      feedScheduleId(h.tenant.id, 'bs'),
    ]) {
      await client?.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    }
    await h?.stop();
  });

  const mails = (kind: string) => h.smtp.messages.filter((m) => m.subject?.startsWith(kind));
  const byMessageId = (list: ParsedMail[]) => {
    const counts = new Map<string, number>();
    for (const m of list) counts.set(m.messageId!, (counts.get(m.messageId!) ?? 0) + 1);
    return counts;
  };

  /** The results of the schedule's first `n` runs. */
  async function runs<T>(scheduleId: string, n: number): Promise<T[]> {
    const schedule = client.schedule.getHandle(scheduleId);
    const described = await waitFor(
      () => schedule.describe(),
      (d) => d.info.recentActions.length >= n,
      (n + 2) * PERIOD_S * 1000,
    );
    return Promise.all(
      described.info.recentActions
        .slice(0, n)
        .map((a) =>
          client.workflow.getHandle(a.action.workflow.workflowId, a.action.workflow.firstExecutionRunId).result(),
        ),
    ) as Promise<T[]>;
  }

  test("two digests for two periods, with the charters, the bookings needing action and yesterday's revenue", async () => {
    const changes = await ensureTenantSchedules(client, tenantDirectory([h.tenant]), {
      taskQueue: h.taskQueue,
      everyMinutes: 24 * 60,
      digestEverySeconds: PERIOD_S,
      rosterEverySeconds: PERIOD_S,
    });
    expect(changes.created.sort()).toEqual(
      [digestScheduleId(h.tenant.id), feedScheduleId(h.tenant.id, 'bs'), rosterScheduleId(h.tenant.id)].sort(),
    );

    const [first, second] = await runs<OpsDigestResult>(digestScheduleId(h.tenant.id), 2);
    expect(first!.period).not.toBe(second!.period);
    expect([first!.alreadySent, second!.alreadySent]).toEqual([false, false]);
    expect(first).toMatchObject({ today: 3, tomorrow: 2, needsAction: 3 });
    const digests = mails('Ops digest');
    expect(digests.length).toBeGreaterThanOrEqual(2);
    expect([...byMessageId(digests).values()].every((n) => n === 1)).toBe(true);
    await saveHistory(
      client,
      (await client.schedule.getHandle(digestScheduleId(h.tenant.id)).describe()).info.recentActions[0]!.action.workflow
        .workflowId,
      'ops-digest',
    );

    const text = digests[0]!.text!;
    const bookingIdOf = (name: string) => ids[name]!.split('-').slice(3).join('-');
    const section = (from: string, to: string) => text.slice(text.indexOf(from), text.indexOf(to));
    const todays = section('Today, ', 'Tomorrow, ');
    const tomorrows = section('Tomorrow, ', 'NEEDS ACTION');
    for (const name of ['today1', 'today2']) expect(todays).toContain(bookingIdOf(name));
    expect(todays).toContain('held: details wanted');
    for (const name of ['needscrew', 'tomorrow']) expect(tomorrows).toContain(bookingIdOf(name));
    expect(todays).toContain('2/2 crew confirmed');
    expect(todays).toContain('0/2 crew confirmed');
    expect(todays).toContain('Carole Martin, 6 guests');
    const actions = section('NEEDS ACTION', "YESTERDAY'S REVENUE");
    expect(actions).toContain('NEEDS ACTION (3)');
    expect(actions).toContain(bookingIdOf('later'));
    expect(actions).toMatch(new RegExp(`Needs crew .*${bookingIdOf('needscrew')}.*Deckhand Ben Okafor declined`));
    expect(actions).toMatch(/Held, details wanted .*held from the bs feed/);
    expect(text).toMatch(/boatsetter\s+1 charter\s+\$1,981\.00\s+payout \$1,500\.00/);
    expect(text).toMatch(/fareharbor\s+1 charter\s+\$500\.00/);
    expect(text).not.toContain(bookingIdOf('yesterday'));
  }, 120_000);

  test('one roster per charter due within the lead, whatever the number of runs', async () => {
    const results = await runs<CrewRostersResult>(rosterScheduleId(h.tenant.id), 3);
    await saveHistory(
      client,
      (await client.schedule.getHandle(rosterScheduleId(h.tenant.id)).describe()).info.recentActions[0]!.action.workflow
        .workflowId,
      'crew-rosters',
    );
    const rostered = new Set(results.flatMap((r) => r.sent.map((s) => s.workflowId)));
    expect([...rostered].sort()).toEqual([ids.today1, ids.today2, ids.needscrew].sort());
    expect(results[0]!.sent.every((s) => !s.alreadySent)).toBe(true);
    expect(results[1]!.sent.every((s) => s.alreadySent)).toBe(true);
    const rosters = mails('Crew roster');
    expect(rosters).toHaveLength(3);
    expect(byMessageId(rosters).size).toBe(3);
    const confirmed = rosters.find((m) => m.text!.includes(ids.today1!))!;
    expect(confirmed.text).toContain('CONFIRMED CREW (2)\nCaptain: Ana Reyes (crew-captain-ana)\nDeckhand: Ben Okafor');
  }, 120_000);

  test('a trigger by hand is a run of the period it falls in: that period keeps its one digest', async () => {
    const digest = client.schedule.getHandle(digestScheduleId(h.tenant.id));
    // Mid-period: a trigger in the very second of a scheduled run gets that run's workflow ID and is dropped.
    const intoPeriod = Date.now() % (PERIOD_S * 1000);
    await new Promise((r) => setTimeout(r, (PERIOD_S * 1000 + 5000 - intoPeriod) % (PERIOD_S * 1000)));
    await digest.trigger();
    const byHand = (d: Awaited<ReturnType<typeof digest.describe>>) =>
      d.info.recentActions.find((a) => a.scheduledAt.getTime() % (PERIOD_S * 1000) !== 0);
    const run = byHand(
      await waitFor(
        () => digest.describe(),
        (d) => byHand(d) !== undefined,
        20_000,
      ),
    )!;
    const result = (await client.workflow
      .getHandle(run.action.workflow.workflowId, run.action.workflow.firstExecutionRunId)
      .result()) as OpsDigestResult;
    expect(result.period).toBe(digestPeriod(run.scheduledAt.getTime(), zone, PERIOD_S));
    expect(result.alreadySent).toBe(true);
    expect(mails('Ops digest').filter((m) => m.messageId === result.messageId)).toHaveLength(1);
  }, 60_000);

  test('a paused schedule starts nothing, and making the schedules again keeps it paused', async () => {
    const digest = client.schedule.getHandle(digestScheduleId(h.tenant.id));
    await digest.pause('ops asked for quiet');
    const taken = (await digest.describe()).info.numActionsTaken;
    const changes = await ensureTenantSchedules(client, tenantDirectory([h.tenant]), {
      taskQueue: h.taskQueue,
      everyMinutes: 24 * 60,
      digestEverySeconds: PERIOD_S,
      rosterEverySeconds: PERIOD_S,
    });
    expect(changes.updated).toContain(digestScheduleId(h.tenant.id));
    await new Promise((r) => setTimeout(r, (PERIOD_S + 3) * 1000));
    const after = await digest.describe();
    expect(after.state.paused).toBe(true);
    expect(after.info.numActionsTaken).toBe(taken);

    // Turned off in the tenants file: the schedule is removed.
    const off = await ensureTenantSchedules(
      client,
      tenantDirectory([{ ...h.tenant, digest: { enabled: false, at: '07:00' } }]),
      { taskQueue: h.taskQueue, everyMinutes: 24 * 60, rosterEverySeconds: PERIOD_S },
    );
    expect(off.removed).toEqual([digestScheduleId(h.tenant.id)]);
  }, 60_000);
});
