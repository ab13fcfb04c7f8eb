import { ExternalAuthError, ExternalRejectedError, ExternalUnavailableError } from '../../../src/clients/errors';
import { clientFailure } from '../../../activities/failures';
import { JadaClient, type JadaEventPatch, type NewJadaEvent } from '../../../src/clients/jada';
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

describe('JadaClient update and remove (PATCH and DELETE /calendar/events/{id})', () => {
  const patch: JadaEventPatch = {
    title: 'Carole · Sea Breeze (boatsetter)',
    start: '2026-05-30T11:00:00-07:00',
    end: '2026-05-30T15:00:00-07:00',
    notes: 'Party of 8',
  };
  let keyCounter = 0;
  const key = (step: string): string => `booking-acme-boatsetter-bk${++keyCounter}:${step}`;

  it('changes only the fields sent and answers the event as it is now', async () => {
    const event = await jada.events.create(newEvent());
    const before = sim.counters.updated;
    const result = await jada.events.update(
      event.id,
      { notes: 'Party of 8' },
      { idempotencyKey: key('jada-update:2') },
    );
    expect(result).toEqual({ outcome: 'updated', event: { ...event, notes: 'Party of 8' } });
    expect(sim.events.find((e) => e.id === event.id)).toEqual({ ...event, notes: 'Party of 8' });
    expect(sim.counters.updated - before).toBe(1);
  });

  it('the same key twice changes it once and answers the same', async () => {
    const event = await jada.events.create(newEvent());
    const before = sim.counters.updated;
    const idempotencyKey = key('jada-update:2');
    const first = await jada.events.update(event.id, patch, { idempotencyKey });
    const second = await jada.events.update(event.id, patch, { idempotencyKey });
    expect(second).toEqual(first);
    expect(first).toEqual({ outcome: 'updated', event: { ...event, ...patch } });
    expect(sim.counters.updated - before).toBe(1);
  });

  it('a key sent again with another body is refused (422), not answered from the first', async () => {
    const event = await jada.events.create(newEvent());
    const idempotencyKey = key('jada-update:2');
    await jada.events.update(event.id, patch, { idempotencyKey });
    const err = await rejection(jada.events.update(event.id, { notes: 'something else' }, { idempotencyKey }));
    expect(err).toBeInstanceOf(ExternalRejectedError);
    expect(err).toMatchObject({ status: 422, retryable: false });
    expect(sim.events.find((e) => e.id === event.id)?.notes).toBe(patch.notes);
  });

  it('an update whose answer was lost took effect once; the retry with its key answers the same', async () => {
    const event = await jada.events.create(newEvent());
    const before = sim.counters.updated;
    const impatient = new JadaClient({ baseUrl: sim.url, token: TOKEN, timeoutMs: 150 });
    const idempotencyKey = key('jada-update:3');
    sim.faults.hangNext(1, 1500);
    const err = await rejection(impatient.events.update(event.id, patch, { idempotencyKey }));
    expect(err).toBeInstanceOf(ExternalUnavailableError);
    expect(clientFailure(err, 'a call').nonRetryable).toBe(false);
    expect(sim.counters.updated - before).toBe(1);
    await expect(jada.events.update(event.id, patch, { idempotencyKey })).resolves.toMatchObject({
      outcome: 'updated',
    });
    expect(sim.counters.updated - before).toBe(1);
  });

  it('removes the entry (204); a retry with the key answers 204 again rather than a 404', async () => {
    const event = await jada.events.create(newEvent());
    const before = sim.counters.deleted;
    const idempotencyKey = key('jada-delete');
    sim.faults.hangNext(1, 1500);
    const impatient = new JadaClient({ baseUrl: sim.url, token: TOKEN, timeoutMs: 150 });
    await expect(impatient.events.remove(event.id, { idempotencyKey })).rejects.toBeInstanceOf(
      ExternalUnavailableError,
    );
    await expect(jada.events.remove(event.id, { idempotencyKey })).resolves.toEqual({ outcome: 'removed' });
    await expect(jada.events.remove(event.id, { idempotencyKey })).resolves.toEqual({ outcome: 'removed' });
    expect(sim.counters.deleted - before).toBe(1);
    await expect(jada.events.find(event.externalId)).resolves.toBeUndefined();
  });

  it('an entry that is not there answers 404, which reads as "not supported" (the fallback tells ops)', async () => {
    await expect(jada.events.remove('cal_nowhere', { idempotencyKey: key('jada-delete') })).resolves.toEqual({
      outcome: 'not-supported',
      status: 404,
    });
    await expect(jada.events.update('cal_nowhere', patch, { idempotencyKey: key('jada-update:2') })).resolves.toEqual({
      outcome: 'not-supported',
      status: 404,
    });
  });

  it('a 5xx is retryable and changes nothing', async () => {
    const event = await jada.events.create(newEvent());
    const before = { updated: sim.counters.updated, deleted: sim.counters.deleted };
    sim.faults.failNext(2, 503);
    const update = await rejection(jada.events.update(event.id, patch, { idempotencyKey: key('jada-update:2') }));
    const remove = await rejection(jada.events.remove(event.id, { idempotencyKey: key('jada-delete') }));
    for (const err of [update, remove]) expect(err).toMatchObject({ status: 503, retryable: true });
    expect(sim.counters).toMatchObject(before);
  });

  it('a wrong token is the auth error, not "not supported"', async () => {
    const event = await jada.events.create(newEvent());
    const intruder = new JadaClient({ baseUrl: sim.url, token: 'not-the-dashboard-token-9f8e7d' });
    for (const call of [
      () => intruder.events.update(event.id, patch, { idempotencyKey: key('jada-update:2') }),
      () => intruder.events.remove(event.id, { idempotencyKey: key('jada-delete') }),
    ]) {
      const err = await rejection(call());
      expect(err).toBeInstanceOf(ExternalAuthError);
      expect(err).toMatchObject({ system: 'JADA', status: 401, retryable: false });
    }
    expect(sim.events.find((e) => e.id === event.id)).toEqual(event);
  });

  it('a patch with blank or unknown fields is rejected with the fields named', async () => {
    const event = await jada.events.create(newEvent());
    const bad = { title: ' ', starts: '2026-05-30T11:00:00-07:00' } as unknown as JadaEventPatch;
    const err = await rejection(jada.events.update(event.id, bad, { idempotencyKey: key('jada-update:2') }));
    expect(err).toBeInstanceOf(ExternalRejectedError);
    expect(err).toMatchObject({ status: 400, retryable: false });
    expect(err.message).toContain('title');
    expect(err.message).toContain('starts');
    expect(sim.events.find((e) => e.id === event.id)).toEqual(event);
  });
});

describe.each([404, 405, 501] as const)('a JADA deployment without PATCH and DELETE (answering %i)', (status) => {
  let old: JadaSim;
  let client: JadaClient;

  beforeAll(async () => {
    old = await startJadaSim({ token: TOKEN, lifecycleEndpoints: false, missingEndpointStatus: status });
    client = new JadaClient({ baseUrl: old.url, token: TOKEN, timeoutMs: 2000 });
  });
  afterAll(() => old.stop());

  it('answers "not supported" for update and remove, and still creates and finds', async () => {
    const event = await client.events.create(newEvent());
    await expect(
      client.events.update(event.id, { notes: 'x' }, { idempotencyKey: 'k:jada-update:2' }),
    ).resolves.toEqual({ outcome: 'not-supported', status });
    await expect(client.events.remove(event.id, { idempotencyKey: 'k:jada-delete' })).resolves.toEqual({
      outcome: 'not-supported',
      status,
    });
    await expect(client.events.find(event.externalId)).resolves.toEqual(event);
    expect(old.counters).toMatchObject({ created: 1, updated: 0, deleted: 0 });
  });

  it('still refuses a wrong token with the auth error', async () => {
    const intruder = new JadaClient({ baseUrl: old.url, token: 'wrong-token-value' });
    await expect(intruder.events.remove('cal_1', { idempotencyKey: 'k:jada-delete' })).rejects.toBeInstanceOf(
      ExternalAuthError,
    );
  });
});
