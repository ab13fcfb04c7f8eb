import { hash } from 'bcryptjs';
import {
  ExternalAuthError,
  ExternalRejectedError,
  ExternalUnavailableError,
  SccKeyStrippedError,
} from '../../../src/clients/errors';
import { clientFailure } from '../../../activities/failures';
import { SccClient, type NewSccEvent } from '../../../src/clients/scc';
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
