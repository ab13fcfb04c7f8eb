import { hash } from 'bcrypt';
import {
  ExternalAuthError,
  ExternalRejectedError,
  ExternalUnavailableError,
  SccKeyStrippedError,
} from '../../../src/clients/errors';
import { clientFailure } from '../../../activities/failures';
import { SccClient, type NewSccEvent, type SccEventPatch } from '../../../src/clients/scc';
import { startSccSim, type SccSim } from '../../../sim';

const SERVICE_KEY = 'scc-service-key-for-tests';

let sim: SccSim;
let scc: SccClient;

beforeAll(async () => {
  // Cost 4: the stand-in verifies with bcrypt like the real SCC, but tests need not pay for cost 10.
  sim = await startSccSim({ serviceKeyHash: await hash(SERVICE_KEY, 4) });
  scc = new SccClient({ apiUrl: sim.apiUrl, serviceKey: SERVICE_KEY, timeoutMs: 2000 });
});

afterAll(() => sim.stop());

beforeEach(() => sim.faults.reset());

let counter = 0;
function newEvent(): NewSccEvent {
  counter += 1;
  return {
    event_name: 'Sea Breeze: Carole (party of 6)',
    start_time: '2026-05-30T10:00:00-07:00',
    end_time: '2026-05-30T14:00:00-07:00',
    notes: 'Birthday',
    crew: [{ id: 'cpt-ana', role: 'captain' }, { id: 'deck-bo' }],
    external_id: `booking-acme-boatsetter-bk${counter}`,
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof Error) return err;
    throw new Error(`rejected with a non-Error: ${String(err)}`);
  }
  throw new Error('expected a rejection');
}

describe('SccClient against the SCC stand-in', () => {
  it('creates an event with a magic link per crew member and finds it by external id', async () => {
    const input = newEvent();
    const created = await scc.events.create(input);
    expect(created).toMatchObject({
      id: expect.stringMatching(/^evt_\d+$/),
      event_name: input.event_name,
      start_time: input.start_time,
      end_time: input.end_time,
      external_id: input.external_id,
      crew: input.crew,
    });
    expect(created.magic_links.map((l) => l.crew_id)).toEqual(['cpt-ana', 'deck-bo']);
    for (const link of created.magic_links) {
      expect(link.url).toMatch(new RegExp(`^${sim.apiUrl}/m/[A-Za-z0-9_-]{20,}$`));
      const token = link.url.split('/m/')[1] ?? '';
      expect(sim.magicLinks.get(token)).toEqual({ eventId: created.id, crewId: link.crew_id });
    }
    await expect(scc.events.find(input.external_id)).resolves.toEqual(created);
    await expect(scc.events.find('booking-nobody')).resolves.toBeUndefined();
  });

  it('ensureEvent twice creates one event', async () => {
    const input = newEvent();
    const before = sim.counters.created;
    const first = await scc.events.ensure(input);
    const second = await scc.events.ensure(input);
    expect(first.created).toBe(true);
    expect(second).toEqual({ event: first.event, created: false });
    expect(sim.counters.created - before).toBe(1);
  });

  it('a create that timed out after taking effect is found by the next ensureEvent', async () => {
    const input = newEvent();
    const before = sim.counters.created;
    const impatient = new SccClient({ apiUrl: sim.apiUrl, serviceKey: SERVICE_KEY, timeoutMs: 150 });
    sim.faults.hangNext(1, 1500);
    const err = await rejection(impatient.events.create(input));
    expect(err).toBeInstanceOf(ExternalUnavailableError);
    expect(clientFailure(err, 'a call').nonRetryable).toBe(false);
    expect(sim.counters.created - before).toBe(1);

    const retry = await scc.events.ensure(input);
    expect(retry.created).toBe(false);
    expect(retry.event.external_id).toBe(input.external_id);
    expect(sim.counters.created - before).toBe(1);
  });

  it('a 500 is retryable and the next attempt succeeds', async () => {
    const input = newEvent();
    sim.faults.failNext(1);
    const err = await rejection(scc.events.ensure(input));
    expect(err).toMatchObject({ system: 'SCC', status: 500, retryable: true });
    expect(clientFailure(err, 'a call').type).toBe('ExternalUnavailableError');
    await expect(scc.events.ensure(input)).resolves.toMatchObject({ created: true });
  });

  it('a wrong key is a non-retryable auth error that does not quote the key', async () => {
    const wrongKey = 'not-the-service-key-4c3b2a';
    const intruder = new SccClient({ apiUrl: sim.apiUrl, serviceKey: wrongKey });
    const err = await rejection(intruder.events.ensure(newEvent()));
    expect(err).toBeInstanceOf(ExternalAuthError);
    expect(err).toMatchObject({ system: 'SCC', status: 401, retryable: false });
    expect(err.message).toContain("SCC rejected the service key (401): check the tenant's SCC service key");
    expect(err.message).not.toContain(wrongKey);
  });

  it('the right key through the CDN is reported as stripped, with the fix', async () => {
    const before = sim.counters.created;
    const viaCdn = new SccClient({ apiUrl: sim.cdnUrl, serviceKey: SERVICE_KEY });
    const err = await rejection(viaCdn.events.ensure(newEvent()));
    expect(err).toBeInstanceOf(SccKeyStrippedError);
    expect(err).toMatchObject({ system: 'SCC', status: 401, retryable: false });
    expect(clientFailure(err, 'a call').type).toBe('SccKeyStrippedError');
    expect(err.message).toContain('the key was stripped: use the origin URL');
    expect(err.message).toContain('SCC_API_URL');
    expect(err.message).not.toContain(SERVICE_KEY);
    expect(sim.counters.created).toBe(before);
  });

  it('the CDN relays everything else unchanged, with CloudFront headers', async () => {
    const res = await fetch(`${sim.cdnUrl}/events?external_id=x`, { headers: { 'x-service-key': SERVICE_KEY } });
    expect(res.status).toBe(401);
    expect(res.headers.get('via')).toContain('(CloudFront)');
    expect(res.headers.get('x-amz-cf-id')).toBeTruthy();
    expect(res.headers.get('x-cache')).toBe('Miss from cloudfront');
    expect(await res.json()).toEqual({ message: 'Missing X-Service-Key' });
  });

  it('an invalid body is rejected, not retried, with the fields named', async () => {
    const input = { ...newEvent(), event_name: ' ', crew: [{ role: 'deckhand' }] } as unknown as NewSccEvent;
    const err = await rejection(scc.events.create(input));
    expect(err).toBeInstanceOf(ExternalRejectedError);
    expect(err).toMatchObject({ status: 400, retryable: false });
    expect(err.message).toContain('event_name');
    expect(err.message).toContain('crew.0.id');
  });

  it('a stopped server is a retryable connection failure', async () => {
    const gone = await startSccSim({ serviceKeyHash: await hash(SERVICE_KEY, 4) });
    await gone.stop();
    const client = new SccClient({ apiUrl: gone.apiUrl, serviceKey: SERVICE_KEY });
    const err = await rejection(client.events.find('booking-any'));
    expect(err).toBeInstanceOf(ExternalUnavailableError);
    expect(clientFailure(err, 'a call').nonRetryable).toBe(false);
  });
});

describe('SccClient update, remove and remind', () => {
  let keyCounter = 0;
  const key = (step: string): string => `booking-acme-boatsetter-scc${++keyCounter}:${step}`;
  const messagesFor = (eventId: string, kind?: string) =>
    sim.messages.filter((m) => m.eventId === eventId && (kind === undefined || m.kind === kind));

  it('a new crew list: links for members added only, the member left out is told, nobody else hears', async () => {
    const event = await scc.events.create(newEvent());
    const before = sim.counters.updated;
    const result = await scc.events.update(
      event.id,
      { notes: 'Birthday, cake on board', crew: [{ id: 'cpt-ana', role: 'captain' }, { id: 'deck-cy' }] },
      { idempotencyKey: key('scc-update:2') },
    );
    if (result.outcome !== 'updated') throw new Error(`expected an update, got ${result.outcome}`);
    expect(result.event.crew).toEqual([{ id: 'cpt-ana', role: 'captain' }, { id: 'deck-cy' }]);
    expect(result.event.magic_links.map((l) => l.crew_id)).toEqual(['deck-cy']);
    expect(sim.counters.updated - before).toBe(1);
    expect(messagesFor(event.id).map((m) => [m.crewId, m.kind])).toEqual([
      ['cpt-ana', 'invitation'],
      ['deck-bo', 'invitation'],
      ['deck-bo', 'removed'],
      ['deck-cy', 'invitation'],
    ]);
    const boToken = event.magic_links.find((l) => l.crew_id === 'deck-bo')?.url.split('/m/')[1] ?? '';
    expect(sim.magicLinks.get(boToken)?.retired).toBe('removed');
    // A lookup answers everyone's current link, as after a create.
    const found = await scc.events.find(event.external_id);
    expect(found?.magic_links.map((l) => l.crew_id)).toEqual(['cpt-ana', 'deck-cy']);
  });

  it('moved times re-ask everyone with fresh links; the same instant in another offset is no move', async () => {
    const event = await scc.events.create(newEvent());
    const sameInstant: SccEventPatch = { start_time: '2026-05-30T17:00:00Z', end_time: event.end_time };
    const same = await scc.events.update(event.id, sameInstant, { idempotencyKey: key('scc-update:2') });
    expect(same).toMatchObject({ outcome: 'updated', event: { magic_links: [] } });

    const moved = await scc.events.update(
      event.id,
      { start_time: '2026-05-30T11:00:00-07:00', end_time: '2026-05-30T15:00:00-07:00' },
      { idempotencyKey: key('scc-update:3') },
    );
    if (moved.outcome !== 'updated') throw new Error('expected an update');
    expect(moved.event.magic_links.map((l) => l.crew_id)).toEqual(['cpt-ana', 'deck-bo']);
    for (const link of moved.event.magic_links) {
      expect(event.magic_links.map((l) => l.url)).not.toContain(link.url);
    }
    expect(messagesFor(event.id, 're-ask').map((m) => m.crewId)).toEqual(['cpt-ana', 'deck-bo']);
    for (const old of event.magic_links)
      expect(sim.magicLinks.get(old.url.split('/m/')[1] ?? '')?.retired).toBe('superseded');
  });

  it('an update whose answer was lost happened once; the retry with its key gets the same links, no new ones', async () => {
    const event = await scc.events.create(newEvent());
    const before = sim.counters.updated;
    const patch: SccEventPatch = { start_time: '2026-05-31T10:00:00-07:00', end_time: '2026-05-31T14:00:00-07:00' };
    const idempotencyKey = key('scc-update:2');
    const impatient = new SccClient({ apiUrl: sim.apiUrl, serviceKey: SERVICE_KEY, timeoutMs: 150 });
    sim.faults.hangNext(1, 1500);
    await expect(impatient.events.update(event.id, patch, { idempotencyKey })).rejects.toBeInstanceOf(
      ExternalUnavailableError,
    );
    const retry = await scc.events.update(event.id, patch, { idempotencyKey });
    expect(retry.outcome === 'updated' && retry.event.magic_links.map((l) => l.crew_id)).toEqual([
      'cpt-ana',
      'deck-bo',
    ]);
    expect(sim.counters.updated - before).toBe(1);
    expect(messagesFor(event.id, 're-ask')).toHaveLength(2);
  });

  it('reminds the crew listed, once per key, and refuses a crew id not on the event (400, nobody reminded)', async () => {
    const event = await scc.events.create(newEvent());
    const before = sim.counters.remindersSent;
    const idempotencyKey = key('remind:r1-after-ask');
    const impatient = new SccClient({ apiUrl: sim.apiUrl, serviceKey: SERVICE_KEY, timeoutMs: 150 });
    sim.faults.hangNext(1, 1500);
    await expect(impatient.remind(event.id, ['deck-bo'], { idempotencyKey })).rejects.toBeInstanceOf(
      ExternalUnavailableError,
    );
    await expect(scc.remind(event.id, ['deck-bo'], { idempotencyKey })).resolves.toEqual({
      outcome: 'reminded',
      crewIds: ['deck-bo'],
    });
    expect(sim.counters.remindersSent - before).toBe(1);
    const reminders = messagesFor(event.id, 'reminder');
    expect(reminders).toEqual([
      {
        at: expect.any(String),
        eventId: event.id,
        crewId: 'deck-bo',
        kind: 'reminder',
        url: event.magic_links.find((l) => l.crew_id === 'deck-bo')?.url,
      },
    ]);

    const err = await rejection(scc.remind(event.id, ['deck-bo', 'deck-nobody'], { idempotencyKey: key('remind:r2') }));
    expect(err).toBeInstanceOf(ExternalRejectedError);
    expect(err).toMatchObject({ status: 400, retryable: false });
    expect(err.message).toContain('deck-nobody');
    expect(sim.counters.remindersSent - before).toBe(1);
  });

  it('cancels the event (204) and tells the crew; a retry with its key answers 204 again', async () => {
    const event = await scc.events.create(newEvent());
    const before = sim.counters.cancelled;
    const idempotencyKey = key('scc-cancel');
    await expect(scc.events.remove(event.id, { idempotencyKey })).resolves.toEqual({ outcome: 'removed' });
    await expect(scc.events.remove(event.id, { idempotencyKey })).resolves.toEqual({ outcome: 'removed' });
    expect(sim.counters.cancelled - before).toBe(1);
    expect(messagesFor(event.id, 'cancelled').map((m) => m.crewId)).toEqual(['cpt-ana', 'deck-bo']);
    await expect(scc.events.find(event.external_id)).resolves.toBeUndefined();
    // Without the key, the event is gone: 404, which reads as "not supported".
    await expect(scc.events.remove(event.id, { idempotencyKey: key('scc-cancel') })).resolves.toEqual({
      outcome: 'not-supported',
      status: 404,
    });
  });

  it('bad input is a 400 naming the fields: blank name, twice-listed crew, a misspelt field, a non-list', async () => {
    const event = await scc.events.create(newEvent());
    const before = { ...sim.counters };
    const bad = {
      event_name: ' ',
      crew: [{ id: 'cpt-ana' }, { id: 'cpt-ana' }],
      start: '2026-05-30T11:00:00-07:00',
    } as unknown as SccEventPatch;
    const err = await rejection(scc.events.update(event.id, bad, { idempotencyKey: key('scc-update:2') }));
    expect(err).toBeInstanceOf(ExternalRejectedError);
    expect(err).toMatchObject({ status: 400, retryable: false });
    expect(err.message).toContain('event_name');
    expect(err.message).toContain('crew.1.id');
    expect(err.message).toContain('start');
    expect(err.message).not.toContain('(body)');
    const res = await fetch(`${sim.apiUrl}/events/${event.id}/reminders`, {
      method: 'POST',
      headers: { 'x-service-key': SERVICE_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ crew: 'deck-bo' }),
    });
    expect(res.status).toBe(400);
    expect(sim.counters).toMatchObject({ updated: before.updated, remindersSent: before.remindersSent });
    expect(await scc.events.find(event.external_id)).toEqual(event);
  });

  it('a 5xx is retryable and changes nothing', async () => {
    const event = await scc.events.create(newEvent());
    const before = { ...sim.counters };
    sim.faults.failNext(3, 503);
    const calls = [
      () => scc.events.update(event.id, { notes: 'x' }, { idempotencyKey: key('scc-update:2') }),
      () => scc.events.remove(event.id, { idempotencyKey: key('scc-cancel') }),
      () => scc.remind(event.id, ['deck-bo'], { idempotencyKey: key('remind:r1') }),
    ];
    for (const call of calls) expect(await rejection(call())).toMatchObject({ status: 503, retryable: true });
    expect(sim.counters).toMatchObject({
      updated: before.updated,
      cancelled: before.cancelled,
      remindersSent: before.remindersSent,
    });
  });

  it('a wrong key, or the right one through the CDN, is the auth error, not "not supported"', async () => {
    const event = await scc.events.create(newEvent());
    for (const [client, type] of [
      [new SccClient({ apiUrl: sim.apiUrl, serviceKey: 'not-the-service-key-4c3b2a' }), ExternalAuthError],
      [new SccClient({ apiUrl: sim.cdnUrl, serviceKey: SERVICE_KEY }), SccKeyStrippedError],
    ] as const) {
      for (const call of [
        () => client.events.update(event.id, { notes: 'x' }, { idempotencyKey: key('scc-update:2') }),
        () => client.events.remove(event.id, { idempotencyKey: key('scc-cancel') }),
        () => client.remind(event.id, ['deck-bo'], { idempotencyKey: key('remind:r1') }),
      ]) {
        const err = await rejection(call());
        expect(err).toBeInstanceOf(type);
        expect(err).toMatchObject({ status: 401, retryable: false });
      }
    }
    expect(messagesFor(event.id).map((m) => m.kind)).toEqual(['invitation', 'invitation']);
  });
});

describe.each([404, 405, 501] as const)(
  'an SCC deployment without PATCH, DELETE and reminders (answering %i)',
  (status) => {
    let old: SccSim;
    let client: SccClient;

    beforeAll(async () => {
      old = await startSccSim({
        serviceKeyHash: await hash(SERVICE_KEY, 4),
        lifecycleEndpoints: false,
        missingEndpointStatus: status,
      });
      client = new SccClient({ apiUrl: old.apiUrl, serviceKey: SERVICE_KEY, timeoutMs: 2000 });
    });
    afterAll(() => old.stop());

    it('answers "not supported" for each, and still creates and finds', async () => {
      const event = await client.events.create(newEvent());
      const notSupported = { outcome: 'not-supported', status };
      await expect(
        client.events.update(event.id, { notes: 'x' }, { idempotencyKey: 'k:scc-update:2' }),
      ).resolves.toEqual(notSupported);
      await expect(client.events.remove(event.id, { idempotencyKey: 'k:scc-cancel' })).resolves.toEqual(notSupported);
      await expect(client.remind(event.id, ['deck-bo'], { idempotencyKey: 'k:remind:r1' })).resolves.toEqual(
        notSupported,
      );
      await expect(client.events.find(event.external_id)).resolves.toEqual(event);
      expect(old.counters).toMatchObject({ created: 1, updated: 0, cancelled: 0, remindersSent: 0 });
    });
  },
);
