import { ExternalAuthError, ExternalRejectedError, ExternalUnavailableError } from '../../../src/clients/errors';
import { clientFailure } from '../../../activities/failures';
import { JadaClient, type NewJadaEvent } from '../../../src/clients/jada';
import { startJadaSim, type JadaSim } from '../../../sim';

const TOKEN = 'jada-dashboard-token-for-tests';

let sim: JadaSim;
let jada: JadaClient;

beforeAll(async () => {
  sim = await startJadaSim({ token: TOKEN });
  jada = new JadaClient({ baseUrl: sim.url, token: TOKEN, timeoutMs: 2000 });
});

afterAll(() => sim.stop());

beforeEach(() => sim.faults.reset());

let counter = 0;
function newEvent(): NewJadaEvent {
  counter += 1;
  return {
    title: 'Carole · Sea Breeze (boatsetter)',
    start: '2026-05-30T10:00:00-07:00',
    end: '2026-05-30T14:00:00-07:00',
    notes: 'Party of 6',
    externalId: `booking-acme-boatsetter-bk${counter}`,
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

describe('JadaClient against the JADA stand-in', () => {
  it('creates an event and finds it by external id', async () => {
    const input = newEvent();
    const created = await jada.events.create(input);
    expect(created).toEqual({ id: expect.any(String), ...input });
    await expect(jada.events.find(input.externalId)).resolves.toEqual(created);
    await expect(jada.events.find('booking-nobody')).resolves.toBeUndefined();
  });

  it('ensureEvent twice creates one event', async () => {
    const input = newEvent();
    const before = sim.counters.created;
    const first = await jada.events.ensure(input);
    const second = await jada.events.ensure(input);
    expect(first.created).toBe(true);
    expect(second).toEqual({ event: first.event, created: false });
    expect(sim.counters.created - before).toBe(1);
  });

  it('a create that timed out after taking effect is found by the next ensureEvent', async () => {
    const input = newEvent();
    const before = sim.counters.created;
    const impatient = new JadaClient({ baseUrl: sim.url, token: TOKEN, timeoutMs: 150 });
    sim.faults.hangNext(1, 1500);
    const err = await rejection(impatient.events.create(input));
    expect(err).toBeInstanceOf(ExternalUnavailableError);
    expect(err.message).toContain('no answer within 150 ms');
    expect(clientFailure(err, 'a call').nonRetryable).toBe(false);
    expect(sim.counters.created - before).toBe(1);

    const retry = await jada.events.ensure(input);
    expect(retry.created).toBe(false);
    expect(retry.event.externalId).toBe(input.externalId);
    expect(sim.counters.created - before).toBe(1);
  });

  it('a 500 is retryable and the next attempt succeeds', async () => {
    const input = newEvent();
    const before = sim.counters.created;
    sim.faults.failNext(1, 503);
    const err = await rejection(jada.events.ensure(input));
    expect(err).toBeInstanceOf(ExternalUnavailableError);
    expect(err).toMatchObject({ system: 'JADA', status: 503, retryable: true });
    expect(sim.counters.created - before).toBe(0);
    await expect(jada.events.ensure(input)).resolves.toMatchObject({ created: true });
    expect(sim.counters.created - before).toBe(1);
  });

  it('a wrong token is a non-retryable auth error that names JADA and not the token', async () => {
    const wrongToken = 'not-the-dashboard-token-9f8e7d';
    const intruder = new JadaClient({ baseUrl: sim.url, token: wrongToken });
    const err = await rejection(intruder.events.ensure(newEvent()));
    expect(err).toBeInstanceOf(ExternalAuthError);
    expect(err).toMatchObject({ system: 'JADA', status: 401, retryable: false });
    expect(clientFailure(err, 'a call').type).toBe('ExternalAuthError');
    expect(err.message).toContain("JADA rejected the dashboard token (401): check the tenant's JADA token");
    expect(err.message).not.toContain(wrongToken);
    expect(err.message).not.toContain(TOKEN);
  });

  it('a token a header cannot carry is refused before any request, without quoting it', () => {
    const requests = sim.counters.requests;
    const build = (): JadaClient => new JadaClient({ baseUrl: sim.url, token: 'line\nbreak-secret' });
    expect(build).toThrow(ExternalAuthError);
    expect(build).not.toThrow(/secret/);
    expect(sim.counters.requests).toBe(requests);
  });

  it('a body missing required fields is rejected, not retried, with the fields named', async () => {
    const incomplete = { ...newEvent(), title: undefined, externalId: undefined } as unknown as NewJadaEvent;
    const err = await rejection(jada.events.create(incomplete));
    expect(err).toBeInstanceOf(ExternalRejectedError);
    expect(err).toMatchObject({ system: 'JADA', status: 400, retryable: false });
    expect(err.message).toContain('title');
    expect(err.message).toContain('externalId');
  });

  it('a stopped server is a retryable connection failure', async () => {
    const gone = await startJadaSim({ token: TOKEN });
    await gone.stop();
    const client = new JadaClient({ baseUrl: gone.url, token: TOKEN });
    const err = await rejection(client.events.find('booking-any'));
    expect(err).toBeInstanceOf(ExternalUnavailableError);
    expect(err.message).toContain('ECONNREFUSED');
    expect(clientFailure(err, 'a call').nonRetryable).toBe(false);
  });
});
