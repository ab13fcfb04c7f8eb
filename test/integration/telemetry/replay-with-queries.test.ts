import { Worker } from '@temporalio/worker';
import { sampleBooking } from '../../../sim/samples';
import { assignCrewUpdate, changeBookingUpdate, statusQuery } from '../../../workflows/messages';
import { replayOptions } from '../../support/histories';
import { startFulfillmentHarness, type FulfillmentHarness } from '../../support/fulfillment';
import { testServers } from '../../support/temporal';
import { waitForStage } from '../../support/wait';

/**
 * The tracing interceptors are in the bundle, so a run's queries and refused updates (which leave no
 * trace in history) must not change how it replays: a booking queried between updates (one refused,
 * a crew replacement, changes) and cancelled replays from its history. This sequence did not
 * reproduce the nondeterminism the ops page test found with the package's own inbound interceptor
 * (workflows/tracing-interceptors.ts); that test is the one that fails without the fix.
 */
describe('a booking queried, refused an update and changed replays with the tracing interceptors', () => {
  let h: FulfillmentHarness;

  beforeAll(async () => {
    h = await startFulfillmentHarness({ crewTimeoutMs: 60_000 });
  });
  afterAll(() => h?.stop());

  test('its history replays without nondeterminism', async () => {
    const handle = await h.start(sampleBooking());
    await waitForStage(handle, 'AWAITING_CREW');
    await handle.query(statusQuery);
    // A change that changes nothing is refused by the validator: a speculative task, not in history.
    await expect(
      handle.executeUpdate(changeBookingUpdate, { args: [{ channel: 'ops', patch: {} }] }),
    ).rejects.toThrow();
    await handle.query(statusQuery);
    await handle.executeUpdate(assignCrewUpdate, {
      args: [{ replace: 'crew-mate-ben', member: { id: 'crew-mate-cy', role: 'Deckhand', name: 'Cy Tran' } }],
    });
    await handle.query(statusQuery);
    await handle.executeUpdate(changeBookingUpdate, {
      args: [{ channel: 'ops', patch: { guest: { partySize: 8 } } }],
    });
    await handle.query(statusQuery);
    await handle.executeUpdate(changeBookingUpdate, {
      args: [{ channel: 'ops', patch: { guest: { partySize: 9 } } }],
    });
    expect((await handle.query(statusQuery)).booking?.guest.partySize).toBe(9);
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    // A query of the closed booking: the worker replays the whole history to answer it.
    expect((await handle.query(statusQuery)).stage).toBe('CANCELLED');

    await Worker.runReplayHistory(
      replayOptions(testServers().bundlePath),
      await handle.fetchHistory(),
      handle.workflowId,
    );
  });
});
