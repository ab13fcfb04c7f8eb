import { hash } from 'bcrypt';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { SccClient, type SccEvent } from '../../../src/clients/scc';
import { listen, stopServer } from '../../../sim/faults';
import { startSccSim, type SccSim } from '../../../sim/scc';
import { freePort } from '../../../scripts/local-stack/processes';
import { waitFor } from '../../support/wait';

const SERVICE_KEY = 'scc-inbox-test-service-key';
const CALLBACK_KEY = 'crew-callback-key-for-inbox-tests';

interface Received {
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** Our crew-response endpoint as SCC sees it: records each call and answers with the status queued for it. */
let received: Received[];
let nextStatuses: number[];
let callbackServer: Server;
let callbackUrl: string;
let sim: SccSim;
let scc: SccClient;

beforeAll(async () => {
  callbackServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      const status = nextStatuses.shift() ?? 202;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status < 300 ? '{"ok":true}' : JSON.stringify({ error: '<b>bad key</b>' }));
    });
  });
  callbackUrl = `${await listen(callbackServer)}/tenants/jada/crew-responses`;
  sim = await startSccSim({
    serviceKeyHash: await hash(SERVICE_KEY, 4),
    callback: { url: callbackUrl, serviceKey: CALLBACK_KEY },
  });
  scc = new SccClient({ apiUrl: sim.apiUrl, serviceKey: SERVICE_KEY, timeoutMs: 2000 });
});

afterAll(async () => {
  await sim.stop();
  await stopServer(callbackServer);
});

beforeEach(() => {
  received = [];
  nextStatuses = [];
  sim.faults.reset();
});

let counter = 0;
function createEvent(name = 'Sea Breeze: Carole (party of 6)'): Promise<SccEvent> {
  counter += 1;
  return scc.events.create({
    event_name: name,
    start_time: '2027-05-29T10:00:00-07:00',
    end_time: '2027-05-29T13:00:00-07:00',
    notes: 'Birthday <cake>',
    crew: [
      { id: 'crew-captain-ana', role: 'Captain' },
      { id: 'crew-mate-ben', role: 'Deckhand' },
    ],
    external_id: `booking-jada-boatsetter-inbox${counter}`,
  });
}

function linkOf(event: SccEvent, crewId: string): string {
  const link = event.magic_links.find((l) => l.crew_id === crewId);
  if (!link) throw new Error(`no magic link for ${crewId}`);
  return link.url;
}

function answer(url: string, response: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ response }).toString(),
  });
}

describe('SCC stand-in crew inbox', () => {
  it("lists every event with each crew member's magic link, escaping what SCC was sent", async () => {
    const event = await createEvent('<img src=x onerror=alert(1)> charter');
    const res = await fetch(`${sim.apiUrl}/inbox`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; charter');
    expect(html).not.toContain('<img');
    for (const link of event.magic_links) expect(html).toContain(`href="${link.url}"`);
    expect(html).toContain(event.external_id);
  });

  it('shows the event behind a magic link with Accept and Decline posting back to it', async () => {
    const event = await createEvent();
    const url = linkOf(event, 'crew-mate-ben');
    const html = await (await fetch(url)).text();
    expect(html).toContain('Sea Breeze: Carole (party of 6)');
    expect(html).toContain('crew-mate-ben (Deckhand)');
    expect(html).toContain('Birthday &lt;cake&gt;');
    expect(html).toContain(`<form method="post" action="${new URL(url).pathname}">`);
    expect(html).toContain('name="response" value="accepted"');
    expect(html).toContain('name="response" value="declined"');
  });

  it('records an answer and reports it to the callback as SCC does', async () => {
    const event = await createEvent();
    const url = linkOf(event, 'crew-captain-ana');
    const before = Date.now();
    const res = await answer(url, 'accepted');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Callback answered HTTP 202');
    expect(received).toHaveLength(1);
    expect(received[0]?.headers['x-service-key']).toBe(CALLBACK_KEY);
    expect(received[0]?.headers['content-type']).toBe('application/json');
    expect(received[0]?.body).toEqual({
      workflowId: event.external_id,
      crewId: 'crew-captain-ana',
      response: 'accepted',
      respondedAt: expect.any(String),
    });
    const respondedAt = Date.parse((received[0]?.body as { respondedAt: string }).respondedAt);
    expect(respondedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(sim.answers.get(url.split('/m/')[1] ?? '')).toMatchObject({
      eventId: event.id,
      crewId: 'crew-captain-ana',
      response: 'accepted',
    });

    const inbox = await (await fetch(`${sim.apiUrl}/inbox`)).text();
    expect(inbox).toMatch(/crew-captain-ana<\/a> \(Captain\): <span class="accepted">accepted<\/span>/);
    expect(inbox).toMatch(/crew-mate-ben<\/a> \(Deckhand\): no answer yet/);
  });

  it('keeps the first delivered answer: a second click changes nothing and calls nobody', async () => {
    const event = await createEvent();
    const url = linkOf(event, 'crew-mate-ben');
    await answer(url, 'declined');
    const again = await answer(url, 'accepted');
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('<span class="declined">declined</span>');
    expect(received.map((r) => (r.body as { response: string }).response)).toEqual(['declined']);
  });

  it('shows a failing callback with its status and answer, and sends the same answer again on request', async () => {
    const event = await createEvent();
    const url = linkOf(event, 'crew-captain-ana');
    nextStatuses.push(401);
    const failed = await answer(url, 'accepted');
    expect(failed.status).toBe(502);
    const html = await failed.text();
    expect(html).toContain('Callback answered HTTP 401');
    expect(html).toContain('&lt;b&gt;bad key&lt;/b&gt;');
    expect(html).toContain('Send again');

    const retried = await answer(url, 'declined');
    expect(retried.status).toBe(200);
    expect(received.map((r) => (r.body as { response: string }).response)).toEqual(['accepted', 'accepted']);
  });

  it('says when the callback cannot be reached', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}/crew-responses`;
    const unreachable = await startSccSim({
      serviceKeyHash: await hash(SERVICE_KEY, 4),
      callback: { url: nobody, serviceKey: CALLBACK_KEY },
    });
    try {
      const client = new SccClient({ apiUrl: unreachable.apiUrl, serviceKey: SERVICE_KEY, timeoutMs: 2000 });
      const event = await client.events.create({
        event_name: 'x',
        start_time: '2027-05-29T10:00:00-07:00',
        end_time: '2027-05-29T13:00:00-07:00',
        crew: [{ id: 'crew-captain-ana' }],
        external_id: 'booking-jada-direct-unreachable',
      });
      const res = await answer(linkOf(event, 'crew-captain-ana'), 'accepted');
      expect(res.status).toBe(502);
      expect(await res.text()).toContain(`${nobody} could not be reached: connect ECONNREFUSED`);
    } finally {
      await unreachable.stop();
    }
  });

  it('answers 404 for an unknown link and 400 for a form without an answer', async () => {
    expect((await fetch(`${sim.apiUrl}/m/not-a-token`)).status).toBe(404);
    expect((await answer(`${sim.apiUrl}/m/not-a-token`, 'accepted')).status).toBe(404);
    const event = await createEvent();
    const res = await answer(linkOf(event, 'crew-mate-ben'), 'maybe');
    expect(res.status).toBe(400);
    expect(received).toHaveLength(0);
  });

  it('leaves the events API, its faults and its counters to API calls', async () => {
    const requests = sim.counters.requests;
    sim.faults.failNext(1, 503);
    expect((await fetch(`${sim.apiUrl}/inbox`)).status).toBe(200);
    expect(sim.counters.requests).toBe(requests);
    await expect(scc.events.find('booking-nobody')).rejects.toThrow();
    expect(sim.counters.requests).toBe(requests + 1);
  });
});

describe('SCC stand-in crew inbox as the booking changes', () => {
  let keyCounter = 0;
  const key = (): string => `inbox-lifecycle-${++keyCounter}`;
  const tokenOf = (url: string): string => url.split('/m/')[1] ?? '';
  const inboxHtml = async (): Promise<string> => (await fetch(`${sim.apiUrl}/inbox`)).text();

  it('moved times reset answers and send everyone a fresh link; the old link takes no answer', async () => {
    const event = await createEvent();
    const oldUrl = linkOf(event, 'crew-captain-ana');
    await answer(oldUrl, 'accepted');
    expect(sim.answers.has(tokenOf(oldUrl))).toBe(true);

    const result = await scc.events.update(
      event.id,
      { start_time: '2027-05-29T11:00:00-07:00', end_time: '2027-05-29T14:00:00-07:00' },
      { idempotencyKey: key() },
    );
    if (result.outcome !== 'updated') throw new Error('expected an update');
    const newUrl = linkOf(result.event, 'crew-captain-ana');
    expect(newUrl).not.toBe(oldUrl);
    expect(sim.answers.has(tokenOf(oldUrl))).toBe(false);
    expect(sim.answers.has(tokenOf(newUrl))).toBe(false);

    const inbox = await inboxHtml();
    expect(inbox).toMatch(/crew-captain-ana<\/a> \(Captain\): no answer yet/);
    expect(inbox).toContain(`href="${newUrl}"`);
    expect(inbox).toContain('to crew-captain-ana: The charter&#39;s times changed: please answer again');
    expect(inbox).toContain('2027-05-29T11:00:00-07:00');

    const stale = await fetch(oldUrl);
    expect(await stale.text()).toContain('you were sent a new link');
    const refused = await answer(oldUrl, 'declined');
    expect(refused.status).toBe(410);
    expect(await refused.text()).not.toContain('name="response" value="accepted"');
    expect(received).toHaveLength(1);

    const fresh = await answer(newUrl, 'declined');
    expect(fresh.status).toBe(200);
    expect(received.map((r) => (r.body as { response: string }).response)).toEqual(['accepted', 'declined']);
  });

  it('a member taken off is told so in the inbox, and their link takes no answer', async () => {
    const event = await createEvent();
    const benUrl = linkOf(event, 'crew-mate-ben');
    await scc.events.update(
      event.id,
      { crew: [{ id: 'crew-captain-ana', role: 'Captain' }] },
      { idempotencyKey: key() },
    );
    const inbox = await inboxHtml();
    expect(inbox).toContain('to crew-mate-ben: You are no longer on this charter');
    expect(inbox).not.toContain(`href="${benUrl}">crew-mate-ben</a>`);
    const page = await fetch(benUrl);
    expect(await page.text()).toContain('You are no longer on this charter.');
    expect((await answer(benUrl, 'accepted')).status).toBe(410);
    expect(received).toHaveLength(0);
  });

  it("a reminder is in the inbox with the member's link; a second call with its key sends none", async () => {
    const event = await createEvent();
    const idempotencyKey = key();
    await scc.remind(event.id, ['crew-mate-ben'], { idempotencyKey });
    await scc.remind(event.id, ['crew-mate-ben'], { idempotencyKey });
    const inbox = await inboxHtml();
    const benUrl = linkOf(event, 'crew-mate-ben');
    const reminders =
      inbox.match(/to crew-mate-ben: Reminder: please answer <small>\(link …([A-Za-z0-9_-]{6})\)<\/small>/g) ?? [];
    expect(reminders).toHaveLength(1);
    expect(reminders[0]).toContain(benUrl.slice(-6));
    // The crew list links each live link once; messages add no anchors.
    expect(inbox.split(`href="${benUrl}"`)).toHaveLength(2);
    expect(sim.messages.filter((m) => m.eventId === event.id && m.kind === 'reminder')).toHaveLength(1);
  });

  it('a cancelled event shows as cancelled, every member is told, and no link takes an answer', async () => {
    const event = await createEvent();
    await scc.events.remove(event.id, { idempotencyKey: key() });
    const inbox = await inboxHtml();
    expect(inbox).toMatch(
      new RegExp(`${event.id} · ${event.external_id}</small><br><span class="failed">cancelled at `),
    );
    expect(inbox).toContain('to crew-captain-ana: This charter has been cancelled');
    expect(inbox).toContain('to crew-mate-ben: This charter has been cancelled');
    for (const link of event.magic_links) {
      expect((await answer(link.url, 'accepted')).status).toBe(410);
    }
    expect(received).toHaveLength(0);
  });
});

describe('SCC stand-in with crew answering at once', () => {
  let eager: SccSim;
  let client: SccClient;

  beforeAll(async () => {
    eager = await startSccSim({
      serviceKeyHash: await hash(SERVICE_KEY, 4),
      callback: { url: callbackUrl, serviceKey: CALLBACK_KEY },
      answerAtOnce: 'accepted',
    });
    client = new SccClient({ apiUrl: eager.apiUrl, serviceKey: SERVICE_KEY, timeoutMs: 2000 });
  });
  afterAll(() => eager.stop());

  it('reports an answer for every crew member to the callback once the event is created, as the inbox does', async () => {
    const event = await client.events.create({
      event_name: 'Sea Breeze: Carole (party of 6)',
      start_time: '2027-05-29T10:00:00-07:00',
      end_time: '2027-05-29T13:00:00-07:00',
      crew: [
        { id: 'crew-captain-ana', role: 'Captain' },
        { id: 'crew-mate-ben', role: 'Deckhand' },
      ],
      external_id: 'booking-jada-boatsetter-at-once',
    });
    await waitFor(
      async () => received.length,
      (count) => count >= 2,
      2000,
    );
    expect(received.every((r) => r.headers['x-service-key'] === CALLBACK_KEY)).toBe(true);
    expect(received.map((r) => r.body).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      {
        workflowId: event.external_id,
        crewId: 'crew-captain-ana',
        response: 'accepted',
        respondedAt: expect.any(String),
      },
      { workflowId: event.external_id, crewId: 'crew-mate-ben', response: 'accepted', respondedAt: expect.any(String) },
    ]);

    // Recorded as inbox answers: the inbox shows them, and a later click changes nothing.
    const inbox = await (await fetch(`${eager.apiUrl}/inbox`)).text();
    expect(inbox).toMatch(/crew-captain-ana<\/a> \(Captain\): <span class="accepted">accepted<\/span>/);
    expect(inbox).toMatch(/crew-mate-ben<\/a> \(Deckhand\): <span class="accepted">accepted<\/span>/);
    await answer(linkOf(event, 'crew-mate-ben'), 'declined');
    expect(received).toHaveLength(2);
  });

  it('answers the fresh links of a re-ask at once, as well', async () => {
    const event = await client.events.create({
      event_name: 'Sea Breeze: Carole (party of 6)',
      start_time: '2027-05-29T10:00:00-07:00',
      end_time: '2027-05-29T13:00:00-07:00',
      crew: [{ id: 'crew-captain-ana', role: 'Captain' }],
      external_id: 'booking-jada-boatsetter-at-once-moved',
    });
    await waitFor(
      async () => received.length,
      (count) => count >= 1,
      2000,
    );
    await client.events.update(
      event.id,
      { start_time: '2027-05-30T10:00:00-07:00', end_time: '2027-05-30T13:00:00-07:00' },
      { idempotencyKey: 'at-once-moved:scc-update:2' },
    );
    await waitFor(
      async () => received.length,
      (count) => count >= 2,
      2000,
    );
    expect(received.map((r) => (r.body as { crewId: string }).crewId)).toEqual([
      'crew-captain-ana',
      'crew-captain-ana',
    ]);
  });
});
