import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON, type History } from '@temporalio/common/lib/proto-utils';
import type { ReplayWorkerOptions } from '@temporalio/worker';
import { workerTracingOptions } from '../../src/telemetry/temporal-tracing';
import { testDataConverter } from './codec';

/** test/histories: the recorded histories of every era. */
export const HISTORIES_DIR = join(__dirname, '..', 'histories');

/**
 * What every replay in the tests runs with: the given workflow bundle, the worker's data converter
 * (histories recorded since encryption carry encrypted payloads) and its tracing interceptors, as
 * the recorded runs had them.
 */
export function replayOptions(bundlePath: string): ReplayWorkerOptions {
  return {
    workflowBundle: { codePath: bundlePath },
    dataConverter: testDataConverter(),
    ...workerTracingOptions(undefined),
  };
}

/**
 * The workflow code's era: bump it with every patched() change, re-record, and keep the older files.
 * v1: before keep-page-current; v2: before scc-event-id-search-attribute; v3: before crew-update-email;
 * v4: all three patches (the last era of bookingFulfillment, which no longer starts); v5: bookingLifecycle,
 * the booking entity; v6: bookingLifecycle with fulfillment-stage-resting-only (FulfillmentStage upserted
 * for resting stages only); v7: its creates carry noEarlierCreate (no lookup on a first run's first attempt).
 */
export const HISTORY_ERA = 'v7';

/**
 * SAVE_HISTORIES=1 records a run's history as test/histories/{name}.{era}.json for the replay test.
 * Histories of earlier eras stay: they are what proves each patch replays.
 */
export async function saveHistory(client: Client, workflowId: string, name: string): Promise<void> {
  if (process.env.SAVE_HISTORIES !== '1') return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  writeFileSync(join(HISTORIES_DIR, `${name}.${HISTORY_ERA}.json`), historyToJSON(history));
}

/** The FulfillmentStage values a history upserts, in order. */
export function stageUpserts(history: History): string[] {
  return (history.events ?? []).flatMap((e) => {
    const field = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.FulfillmentStage;
    return field?.data ? [JSON.parse(Buffer.from(field.data).toString('utf8')) as string] : [];
  });
}
