import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { testDataConverter } from '../../support/codec';
import { testServers } from '../../support/temporal';
import { workerTracingOptions } from '../../../src/telemetry/temporal-tracing';

const HISTORIES = join(__dirname, '..', '..', 'histories');

interface HistoryEventJson {
  upsertWorkflowSearchAttributesEventAttributes?: {
    searchAttributes?: { indexedFields?: Record<string, { data: string }> };
  };
}

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

  const replay = (file: string, history: unknown) =>
    Worker.runReplayHistory(
      {
        workflowBundle: { codePath: testServers().bundlePath },
        dataConverter: testDataConverter(),
        ...workerTracingOptions(undefined),
      },
      history,
      file,
    );

  test.each(files)('%s replays without nondeterminism', async (file) => {
    await replay(file, JSON.parse(readFileSync(join(HISTORIES, file), 'utf8')));
  });

  /** FulfillmentStage values a history upserts, in order. */
  const stageUpserts = (history: { events: HistoryEventJson[] }) =>
    history.events.flatMap((e) => {
      const field = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.FulfillmentStage;
      return field ? [JSON.parse(Buffer.from(field.data, 'base64').toString('utf8')) as string] : [];
    });

  test('fulfillment-stage-resting-only: a v5 happy path upserted every stage and replays; v6 upserts resting stages only', async () => {
    const before = JSON.parse(readFileSync(join(HISTORIES, 'happy-path.v5.json'), 'utf8'));
    expect(stageUpserts(before)).toEqual([
      'CREATING_CALENDAR_ENTRY',
      'CREATING_CREW_EVENT',
      'AWAITING_CREW',
      'PUBLISHING_PAGE',
      'EMAILING_OPS',
      'KEEPING_PAGE_CURRENT',
    ]);
    await replay('happy-path.v5.json', before);
    const after = JSON.parse(readFileSync(join(HISTORIES, 'happy-path.v6.json'), 'utf8'));
    expect(stageUpserts(after)).toEqual(['AWAITING_CREW', 'KEEPING_PAGE_CURRENT']);
    await replay('happy-path.v6.json', after);
  });
});
