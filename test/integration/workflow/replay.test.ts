import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { testDataConverter } from '../../support/codec';
import { testServers } from '../../support/temporal';
import { workerTracingOptions } from '../../../src/telemetry/temporal-tracing';

const HISTORIES = join(__dirname, '..', '..', 'histories');

/**
 * Histories recorded from real runs (SAVE_HISTORIES=1 npm test) replay against today's workflow code.
 * A change that breaks this needs `patched()`, not a new history. The replayer gets the production
 * data converter: histories from before encryption pass through its decode, later ones need its keys.
 */
describe('replay of recorded BookingFulfillment histories', () => {
  const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));

  test('there are recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  test.each(files)('%s replays without nondeterminism', async (file) => {
    const history = JSON.parse(readFileSync(join(HISTORIES, file), 'utf8'));
    await Worker.runReplayHistory(
      {
        workflowBundle: { codePath: testServers().bundlePath },
        dataConverter: testDataConverter(),
        ...workerTracingOptions(undefined),
      },
      history,
      file,
    );
  });
});
