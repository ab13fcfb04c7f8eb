import type { FastifyInstance } from 'fastify';
import { sampleFeed } from '../../../sim/samples';
import { deliverFeedEvent } from '../../../src/service/feed-delivery';
import { statusQuery } from '../../../workflows/messages';
import {
  INTAKE_KEY,
  listenOnHarness,
  startFulfillmentHarness,
  type FulfillmentHarness,
} from '../../support/fulfillment';
import { saveHistory } from '../../support/histories';
import { waitFor } from '../../support/wait';

/**
 * A held booking (what a calendar feed's new event becomes) on a real Temporal server and worker:
 * its JADA slot is taken and ops are asked for the details, nothing else happens; the details
 * arrive over HTTP (`POST .../details`, as the ops page sends them) and the pipeline runs.
 */
describe('a held booking from a calendar feed', () => {
  let h: FulfillmentHarness;
  let app: FastifyInstance;
  let base: string;
  const feed = sampleFeed();

  beforeAll(async () => {
    h = await startFulfillmentHarness({ crewTimeoutMs: 60_000, tenant: (t) => ({ ...t, feeds: [feed] }) });
    ({ app, base } = await listenOnHarness(h));
  });
  afterAll(async () => {
    await app?.close();
    await h?.stop();
  });

  const event = (n: number) => ({
    key: `bs.${Date.now().toString(36)}${n}`,
    start: '2027-06-12T17:00:00Z',
    end: '2027-06-12T21:00:00Z',
  });
  const statusOf = (workflowId: string) => h.temporal.client.workflow.getHandle(workflowId).query(statusQuery);
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}/tenants/${h.tenant.id}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-service-key': INTAKE_KEY },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  test('held: JADA slot and one email to ops, no SCC event; completed: crew asked, and on from there', async () => {
    const e = event(1);
    const first = await deliverFeedEvent(h.temporal.client, h.tenant, feed, e, h.settings);
    expect(first.outcome).toBe('started');
    const held = await waitFor(
      () => statusOf(first.workflowId),
      (s) => s.stage === 'AWAITING_DETAILS' && h.smtp.messages.some((m) => m.subject?.includes('details wanted')),
      20_000,
    );
    expect(held.held).toMatchObject({ feed: 'bs' });
    const entry = h.jada.events.find((j) => j.id === held.jadaEventId);
    expect(entry).toBeDefined();
    expect(h.scc.events.filter((s) => s.external_id === first.workflowId)).toEqual([]);

    // The feed seeing it again changes nothing; a second email is not sent.
    const again = await deliverFeedEvent(h.temporal.client, h.tenant, feed, e, h.settings);
    expect(again).toEqual({ workflowId: first.workflowId, outcome: 'unchanged' });

    // Details without pricing: 400 naming the field, and nothing changes.
    const ref = `/bookings/${e.key}/details?source=boatsetter`;
    const incomplete = await post(ref, { guest: { name: 'Carole Martin', partySize: 6 } });
    expect(incomplete.status).toBe(400);
    expect(JSON.stringify(incomplete.body)).toContain('pricing');
    expect((await statusOf(first.workflowId)).stage).toBe('AWAITING_DETAILS');

    const completed = await post(ref, {
      guest: { name: 'Carole Martin', email: 'carole@example.com', partySize: 6 },
      pricing: { currency: 'USD', base: 120_000, tax: 9_900 },
    });
    expect(completed.status).toBe(200);
    expect(completed.body).toMatchObject({ workflowId: first.workflowId, revision: 2 });
    const asked = await waitFor(
      () => statusOf(first.workflowId),
      (s) => s.stage === 'AWAITING_CREW' && s.sccEventId !== undefined,
      20_000,
    );
    expect(asked.held).toBeUndefined();
    expect(asked.booking?.guest.name).toBe('Carole Martin');
    await waitFor(
      async () => h.jada.events.find((j) => j.id === held.jadaEventId),
      (j) => j !== undefined && JSON.stringify(j).includes('Carole'),
      20_000,
    );
    // Completing twice is refused: the booking no longer waits for details.
    const twice = await post(ref, {
      guest: { name: 'Someone Else', partySize: 2 },
      pricing: { currency: 'USD', base: 1 },
    });
    expect(twice.status).toBe(409);
    expect(h.smtp.messages.filter((m) => m.subject?.includes('details wanted'))).toHaveLength(1);
    await saveHistory(h.temporal.client, first.workflowId, 'held-then-completed');
  });
});
