// `npm run demo [-- <bookingId>]`: posts a sample Boatsetter booking to the running local stack (see
// `npm start`) with the local intake key, and says where to watch it and where the crew accept it.
// Posting the same bookingId again shows the duplicate answer: the same workflow, never a second one.
// `npm run demo -- fareharbor [<uuid>]`: the same charter as FareHarbor's webhook delivers it, to the
// local tenant's FareHarbor URL, then FareHarbor's re-delivery of it with two more guests.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sampleBooking, sampleFareHarborDelivery } from '../sim/samples';
import type { TenantFileEntry } from '../src/config/tenants-file';
import { dataDirFrom, stackPaths } from './local-stack/config';
import { readLocalKeys, type LocalKeys } from './local-stack/keys';
import { readStackInfo, stackRunning, type StackInfo } from './local-stack/stack-file';
import { LOCAL_CHARTER_ZONE } from './local-stack/tenant';

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
