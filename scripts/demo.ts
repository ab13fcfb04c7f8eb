// `npm run demo [-- <bookingId>]`: posts a sample Boatsetter booking to the running local stack (see
// `npm start`) with the local intake key, and says where to watch it and where the crew accept it.
// Posting the same bookingId again shows the duplicate answer: the same workflow, never a second one.
// `npm run demo -- fareharbor [<uuid>]`: the same charter as FareHarbor's webhook delivers it, to the
// local tenant's FareHarbor URL, then FareHarbor's re-delivery of it with two more guests.
// `npm run demo -- feed`: a reservation appears in the Boatsetter calendar export (the feed stand-in),
// is synced (a held booking: JADA slot, email to ops), is moved an hour later (a change), then is
// removed from the export (ops are told; nothing is cancelled). Each sync is the feed's Temporal
// Schedule, triggered at once rather than waiting its 15 minutes.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { feedEventKey } from '../src/channels/ical-feed';
import { bookingWorkflowId } from '../src/domain/booking';
import { feedScheduleId } from '../worker/schedules';
import { readFileSync } from 'node:fs';
import { sampleBooking, sampleFareHarborDelivery } from '../sim/samples';
import type { TenantFileEntry } from '../src/config/tenants-file';
import { dataDirFrom, stackPaths } from './local-stack/config';
import { localDataConverter, readLocalKeys, type LocalKeys } from './local-stack/keys';
import { readStackInfo, stackRunning, type StackInfo } from './local-stack/stack-file';
import { LOCAL_CHARTER_ZONE, LOCAL_FEED } from './local-stack/tenant';

const CHARTER_ZONE = LOCAL_CHARTER_ZONE;
/** Inside the default 7-day upload window, and past the default 24 h crew lead time. */
const DAYS_AHEAD = 3;

/** "+02:00" / "-07:00": the zone's UTC offset at an instant, from Intl rather than Date arithmetic. */
function offsetAt(instant: number, timeZone: string): string {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(instant)
    .find((p) => p.type === 'timeZoneName')?.value;
  const match = /^GMT([+-]\d{2}:\d{2})?$/.exec(name ?? '');
  if (!match) throw new Error(`cannot read the UTC offset of ${timeZone} from ${String(name)}`);
  return match[1] ?? '+00:00';
}

/** A wall-clock time on the zone's calendar day `daysAhead` from now, as ISO-8601 with that day's offset. */
function localCharterTime(daysAhead: number, hour: number, timeZone: string): string {
  const day = Date.now() + daysAhead * 86_400_000;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(day)
      .map((p) => [p.type, p.value]),
  );
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  const wallClock = `${date}T${String(hour).padStart(2, '0')}:00:00`;
  // The offset at noon UTC of that date is the offset of the charter's daytime hours (DST switches at night).
  return `${wallClock}${offsetAt(Date.parse(`${date}T12:00:00Z`), timeZone)}`;
}

interface Demo {
  stack: StackInfo;
  keys: LocalKeys;
  tenant: TenantFileEntry;
}

async function main(): Promise<void> {
  const paths = stackPaths(dataDirFrom(process.env));
  const stack = readStackInfo(paths.stack);
  if (!stack || !stackRunning(stack))
    throw new Error('No local stack is running: start it with `npm start` (in another terminal) first.');
  const keys = readLocalKeys(stack.files.keys);
  const tenants = JSON.parse(readFileSync(stack.files.tenants, 'utf8')) as { tenants: TenantFileEntry[] };
  const tenant = tenants.tenants.find((t) => t.id === stack.tenant);
  if (!tenant) throw new Error(`tenant ${stack.tenant} is not in ${stack.files.tenants}`);
  const demo = { stack, keys, tenant };
  if (process.argv[2] === 'fareharbor') await postFareHarbor(demo, process.argv[3]);
  else if (process.argv[2] === 'feed') await editFeed(demo);
  else await postIntake(demo, process.argv[2]);
}

async function postIntake({ stack, keys, tenant }: Demo, givenId: string | undefined): Promise<void> {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const bookingId = givenId ?? `demo-${stamp}`;
  const booking = sampleBooking({
    bookingId,
    charter: {
      start: localCharterTime(DAYS_AHEAD, 10, CHARTER_ZONE),
      end: localCharterTime(DAYS_AHEAD, 13, CHARTER_ZONE),
      timeZone: CHARTER_ZONE,
    },
    crew: tenant.defaultCrew.slice(0, 2),
  });
  const intakeUrl = `${stack.urls.service}/tenants/${stack.tenant}/bookings`;
  console.log(
    `POST ${intakeUrl}\n  booking ${booking.bookingId}: ${booking.boat}, ${booking.charter.start} to ${booking.charter.end} (${booking.charter.timeZone})`,
  );
  console.log(`  crew: ${booking.crew?.map((c) => `${c.id} (${c.role})`).join(', ')}`);

  const res = await post(intakeUrl, booking, { 'x-service-key': keys.intakeKey });
  if (res.status !== 202 && res.status !== 200) {
    process.exitCode = 1;
    return;
  }
  const answer = res.body as { workflowId: string; statusUrl: string };
  const watch = watchLinks(stack, answer);
  console.log(
    [
      res.status === 200 ? 'Already known: this delivery was a duplicate of the same workflow.' : 'Started.',
      ...watch.lines,
    ].join('\n'),
  );
  // One line a script can read without parsing the prose above.
  console.log(
    `\n${JSON.stringify({ status: res.status, workflowId: answer.workflowId, bookingId, statusUrl: watch.statusUrl, workflowUrl: watch.workflowUrl })}`,
  );
}

/**
 * FareHarbor answers 200 to everything it understood, a start and a re-delivery alike: the answer's
 * `changed` tells them apart. Its charter is on the zone the tenant's channel names, in FareHarbor's
 * offset spelling (`-0700`).
 */
async function postFareHarbor({ stack, tenant }: Demo, givenUuid: string | undefined): Promise<void> {
  const webhook = stack.urls.fareHarborWebhook;
  if (!webhook) throw new Error('This stack has no FareHarbor webhook: restart `npm start`.');
  const zone = tenant.channels?.fareharbor?.timeZone ?? CHARTER_ZONE;
  const fareHarborTime = (hour: number) => localCharterTime(DAYS_AHEAD, hour, zone).replace(/:(\d{2})$/, '$1');
  const uuid = givenUuid ?? randomUUID();
  const times = { uuid, startAt: fareHarborTime(10), endAt: fareHarborTime(13) };
  // The secret stays in its file: terminals get logged and shared.
  const shown = webhook.replace(/[^/]+$/, '<fareHarborSecret in local-keys.json>');
  console.log(`POST ${shown}\n  FareHarbor booking ${uuid}: Sea Breeze, ${times.startAt} to ${times.endAt} (${zone})`);

  const booked = await post(webhook, sampleFareHarborDelivery(times));
  if (booked.status !== 200) {
    process.exitCode = 1;
    return;
  }
  const answer = booked.body as { workflowId: string; statusUrl: string; changed?: string[] };
  console.log(answer.changed ? 'Already known: a re-delivery of the same workflow.' : 'Started.');

  console.log(`POST ${shown}\n  FareHarbor re-delivers booking ${uuid}: two more guests, a new note`);
  const redelivered = await post(
    webhook,
    sampleFareHarborDelivery({
      ...times,
      customerCount: 8,
      booking: { note: 'Birthday party of 8; bringing a cake.' },
    }),
  );
  if (redelivered.status !== 200) process.exitCode = 1;

  const watch = watchLinks(stack, answer);
  console.log(watch.lines.join('\n'));
  console.log(
    `\n${JSON.stringify({
      status: booked.status,
      workflowId: answer.workflowId,
      bookingId: uuid,
      statusUrl: watch.statusUrl,
      workflowUrl: watch.workflowUrl,
      redelivery: { status: redelivered.status, changed: (redelivered.body as { changed?: string[] }).changed },
    })}`,
  );
}

/**
 * The feed's three cases in a row, each synced by triggering the feed's schedule: a new reservation
 * (a held booking), the same one moved (a change), then gone from the export (an alert only).
 */
async function editFeed({ stack, keys }: Demo): Promise<void> {
  const stamp = new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15);
  const uid = `demo-${stamp}@boatsetter.example`;
  const eventUrl = `${stack.urls.feeds}/feeds/${LOCAL_FEED.standInName}/events/${encodeURIComponent(uid)}`;
  const bookingId = feedEventKey(LOCAL_FEED.name, uid);
  const workflowId = bookingWorkflowId(stack.tenant, { source: 'boatsetter', bookingId });
  const statusUrl = `${stack.urls.service}/tenants/${stack.tenant}/bookings/${bookingId}?source=boatsetter`;
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const schedule = new Client({
    connection,
    namespace: stack.namespace,
    dataConverter: localDataConverter(keys),
  }).schedule.getHandle(feedScheduleId(stack.tenant, LOCAL_FEED.name));
  const status = async () => {
    const res = await fetch(statusUrl, { headers: { 'x-service-key': keys.intakeKey } });
    return res.ok ? ((await res.json()) as { stage: string; revision?: number }) : undefined;
  };
  const syncUntil = async (what: string, done: () => Promise<boolean>) => {
    await schedule.trigger();
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      if (await done()) return console.log(`  ${what}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`the feed sync did not get to "${what}" within 60 s: see the Temporal UI`);
  };
  const edit = async (method: 'PUT' | 'DELETE', body?: unknown) => {
    const res = await fetch(eventUrl, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`the feed stand-in answered ${res.status}: ${await res.text()}`);
  };
  const event = (hour: number) => ({
    uid,
    start: localCharterTime(DAYS_AHEAD + 1, hour, CHARTER_ZONE),
    end: localCharterTime(DAYS_AHEAD + 1, hour + 4, CHARTER_ZONE),
    summary: 'Boatsetter booking: Carole M.',
    tzid: CHARTER_ZONE,
  });
  try {
    console.log(`Feed ${stack.urls.feed}
1. A new reservation in the export: ${event(9).start} to ${event(9).end}`);
    await edit('PUT', event(9));
    await syncUntil('held: the JADA slot is taken and ops are asked for the details (outbox)', async () => {
      return (await status())?.stage === 'AWAITING_DETAILS';
    });
    console.log(`2. Boatsetter moves it an hour later: ${event(10).start}`);
    await edit('PUT', event(10));
    await syncUntil('changed: revision 2, JADA follows, ops get a change email', async () => {
      return ((await status())?.revision ?? 0) >= 2;
    });
    console.log('3. The reservation disappears from the export');
    const outbox = async () => (await fetch(`${stack.urls.outbox}/api/messages`)).text();
    await edit('DELETE');
    await syncUntil('reported: ops are told it may be cancelled; the booking still runs', async () => {
      return (await outbox()).includes('gone from the boatsetter calendar');
    });
  } finally {
    await connection.close();
  }
  console.log(
    [
      `  Booking:     ${workflowId} (complete it on the ops page, or POST .../details)`,
      `  Temporal UI: ${stack.urls.temporalUi}/namespaces/${encodeURIComponent(stack.namespace)}/schedules`,
      `  Ops email:   ${stack.urls.outbox}`,
    ].join('\n'),
  );
}

/** Posts JSON and prints the answer as it came. */
async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  console.log(`\n${res.status} ${res.statusText}\n${text}\n`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed };
}

/** Where to watch a started booking and where its crew accept it. */
function watchLinks(stack: StackInfo, answer: { workflowId: string; statusUrl: string }) {
  const statusUrl = new URL(answer.statusUrl, stack.urls.service).toString();
  const workflowUrl = `${stack.urls.temporalUi}/namespaces/${encodeURIComponent(stack.namespace)}/workflows/${encodeURIComponent(answer.workflowId)}`;
  const lines = [
    `  Status:      ${statusUrl}`,
    // The key stays in its file: terminals get logged and shared.
    `               curl -H "X-Service-Key: $(node -p \"require('${stack.files.keys}').intakeKey\")" '${statusUrl}'`,
    `  Temporal UI: ${workflowUrl}`,
    `  Crew inbox:  ${stack.urls.crewInbox}   <- accept as each crew member; the guest page is published once all answered`,
    `  Guest page:  ${stack.urls.edge.nested}/g/{slug} and ${stack.urls.edge.flat}/g/{slug}.html (the status lists them)`,
    `  Ops email:   ${stack.urls.outbox}`,
  ];
  return { statusUrl, workflowUrl, lines };
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
