import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { HISTORIES_DIR, replayOptions, stageUpserts } from '../../support/histories';
import { testServers } from '../../support/temporal';

/**
 * Histories recorded from real runs (SAVE_HISTORIES=1 npm test) replay against today's workflow code.
 * A change that breaks this needs `patched()`, not a new history. The replayer gets the production
 * data converter: histories from before encryption pass through its decode, later ones need its keys.
 */
describe('replay of recorded BookingFulfillment histories', () => {
  const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));

  test('there are recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  const replay = (file: string, history: unknown) =>
    Worker.runReplayHistory(replayOptions(testServers().bundlePath), history, file);

  test.each(files)('%s replays without nondeterminism', async (file) => {
    await replay(file, JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')));
  });

  test('fulfillment-stage-resting-only: a v5 happy path upserted every stage and replays; v6 upserts resting stages only', async () => {
    const before = JSON.parse(readFileSync(join(HISTORIES_DIR, 'happy-path.v5.json'), 'utf8'));
    expect(stageUpserts(historyFromJSON(before))).toEqual([
      'CREATING_CALENDAR_ENTRY',
      'CREATING_CREW_EVENT',
      'AWAITING_CREW',
      'PUBLISHING_PAGE',
      'EMAILING_OPS',
      'KEEPING_PAGE_CURRENT',
    ]);
    await replay('happy-path.v5.json', before);
    const after = JSON.parse(readFileSync(join(HISTORIES_DIR, 'happy-path.v6.json'), 'utf8'));
    expect(stageUpserts(historyFromJSON(after))).toEqual(['AWAITING_CREW', 'KEEPING_PAGE_CURRENT']);
    await replay('happy-path.v6.json', after);
  });
});
