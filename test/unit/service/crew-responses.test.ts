import {
  ACME_CREW_KEY,
  ACME_INTAKE_KEY,
  BLUE_CREW_KEY,
  buildTestApp,
  postJson,
  temporalDownError,
  type TestApp,
} from '../../support/service-app';

const URL = '/tenants/acme/crew-responses';
const WORKFLOW_ID = 'booking-acme-boatsetter-bs-1001';

const CREW_ANSWER = { crewId: 'crew-captain-ana', response: 'accepted', respondedAt: '2027-05-20T09:15:00-07:00' };

function answer(overrides: Record<string, unknown> = {}) {
  return { workflowId: WORKFLOW_ID, ...CREW_ANSWER, ...overrides };
}

describe('POST /tenants/:tenant/crew-responses', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp();
    t.temporal.workflows.set(WORKFLOW_ID, { tenant: 'acme', status: 'RUNNING', signals: [] });
  });
  afterEach(() => t.app.close());

  test('an answer becomes the crewResponse signal: 202', async () => {
    const res = await postJson(t, URL, ACME_CREW_KEY, answer());
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ workflowId: WORKFLOW_ID, accepted: true });
    expect(t.temporal.workflows.get(WORKFLOW_ID)!.signals).toEqual([
      { crewId: 'crew-captain-ana', response: 'accepted', respondedAt: '2027-05-20T09:15:00-07:00', tenant: 'acme' },
    ]);
  });

  test('a duplicate is passed on and answered the same: the workflow keeps the first answer', async () => {
    const first = await postJson(t, URL, ACME_CREW_KEY, answer());
    const again = await postJson(t, URL, ACME_CREW_KEY, answer({ response: 'declined' }));
    expect([first.statusCode, again.statusCode]).toEqual([202, 202]);
    expect(again.json()).toEqual(first.json());
  });

  test('fields SCC may add later are ignored', async () => {
    const res = await postJson(t, URL, ACME_CREW_KEY, answer({ magicLinkId: 'ml_123' }));
    expect(res.statusCode).toBe(202);
    expect(t.temporal.workflows.get(WORKFLOW_ID)!.signals[0]).not.toHaveProperty('magicLinkId');
  });

  test('unknown booking: 404', async () => {
    const res = await postJson(t, URL, ACME_CREW_KEY, answer({ workflowId: 'booking-acme-boatsetter-nope' }));
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'unknown booking' });
  });

  test("another tenant's booking whose ID happens to fit this tenant's shape: the signal names this tenant", async () => {
    // Tenant "acme-boatsetter", booking "x", would be workflow booking-acme-boatsetter-boatsetter-x, which
    // is also what tenant "acme" would call its booking "boatsetter-x". The tenants file refuses dashed
    // ids, so no such tenant runs; were one started by hand, its workflow ignores an answer for "acme".
    const theirs = 'booking-acme-boatsetter-boatsetter-x';
    t.temporal.workflows.set(theirs, { tenant: 'acme-boatsetter', status: 'RUNNING', signals: [] });
    const res = await postJson(t, URL, ACME_CREW_KEY, answer({ workflowId: theirs }));
    expect(res.statusCode).toBe(202);
    expect(t.temporal.workflows.get(theirs)!.signals).toEqual([expect.objectContaining({ tenant: 'acme' })]);
    t.temporal.workflows.get(theirs)!.status = 'COMPLETED';
    const closed = await postJson(t, URL, ACME_CREW_KEY, answer({ workflowId: theirs }));
    expect(closed.statusCode).toBe(404);
  });

  test('a closed booking: 409 with its status', async () => {
    t.temporal.workflows.get(WORKFLOW_ID)!.status = 'COMPLETED';
    const res = await postJson(t, URL, ACME_CREW_KEY, answer());
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      error: 'the booking no longer takes crew answers',
      workflowId: WORKFLOW_ID,
      workflowStatus: 'COMPLETED',
    });
  });

  test('an eventId that could not be put in a visibility query as is: 400', async () => {
    const res = await postJson(t, URL, ACME_CREW_KEY, { ...CREW_ANSWER, eventId: 'evt_1" OR Tenant != "x' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid crew response',
      fields: [{ path: 'eventId', message: 'must be an SCC event id' }],
    });
  });

  test('both eventId and workflowId, or neither: 400', async () => {
    const both = await postJson(t, URL, ACME_CREW_KEY, answer({ eventId: 'evt_1' }));
    expect(both.statusCode).toBe(400);
    expect(both.json().fields).toEqual([{ path: '(body)', message: 'send exactly one of eventId and workflowId' }]);
    const none = await postJson(t, URL, ACME_CREW_KEY, CREW_ANSWER);
    expect(none.statusCode).toBe(400);
    expect(none.json().fields).toEqual([{ path: 'workflowId', message: 'send workflowId or eventId' }]);
  });

  test("a workflow ID that is not one of this tenant's bookings: 400 before any lookup", async () => {
    for (const workflowId of ['booking-bluewater-boatsetter-bs-1001', 'booking-acme-airbnb-1', 'something-else']) {
      const res = await postJson(t, URL, ACME_CREW_KEY, answer({ workflowId }));
      expect({ workflowId, status: res.statusCode }).toEqual({ workflowId, status: 400 });
      expect(res.json().fields).toEqual([
        { path: 'workflowId', message: expect.stringContaining('must be a booking of tenant acme') },
      ]);
    }
  });

  test('wrong types: every field error listed, nothing signalled', async () => {
    const res = await postJson(t, URL, ACME_CREW_KEY, {
      workflowId: 7,
      crewId: '',
      response: 'maybe',
      respondedAt: 'yesterday',
    });
    expect(res.statusCode).toBe(400);
    const paths = res.json().fields.map((f: { path: string }) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['workflowId', 'crewId', 'response', 'respondedAt']));
    expect(t.temporal.workflows.get(WORKFLOW_ID)!.signals).toEqual([]);
  });

  test('malformed JSON: 400; not JSON: 415; too large: 413', async () => {
    expect((await postJson(t, URL, ACME_CREW_KEY, '{"crewId":')).statusCode).toBe(400);
    const text = await t.send({
      method: 'POST',
      url: URL,
      headers: { 'content-type': 'text/plain', 'x-service-key': ACME_CREW_KEY },
      payload: 'accepted',
    });
    expect(text.statusCode).toBe(415);
    const big = await postJson(t, URL, ACME_CREW_KEY, JSON.stringify(answer({ note: 'x'.repeat(64 * 1024) })));
    expect(big.statusCode).toBe(413);
  });

  test('401 for a missing key, the intake key, or another tenant key; 404 for an unknown tenant', async () => {
    for (const key of [undefined, ACME_INTAKE_KEY, BLUE_CREW_KEY, 'wrong']) {
      const res = await postJson(t, URL, key, answer());
      expect({ key, status: res.statusCode }).toEqual({ key, status: 401 });
    }
    expect((await postJson(t, '/tenants/bluewater/crew-responses', ACME_CREW_KEY, answer())).statusCode).toBe(401);
    expect((await postJson(t, '/tenants/nobody/crew-responses', ACME_CREW_KEY, answer())).statusCode).toBe(404);
    expect(t.temporal.workflows.get(WORKFLOW_ID)!.signals).toEqual([]);
  });

  test('Temporal down: 503', async () => {
    t.temporal.failure = temporalDownError();
    const res = await postJson(t, URL, ACME_CREW_KEY, answer());
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ error: 'temporarily unavailable', requestId: expect.any(String) });
  });
});
