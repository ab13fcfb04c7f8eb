import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

/**
 * SAVE_HISTORIES=1 records a run's history under test/histories/ for the replay test. Histories
 * recorded before a workflow change stay: they are what proves the change replays (patched()).
 */
export async function saveHistory(client: Client, workflowId: string, name: string): Promise<void> {
  if (process.env.SAVE_HISTORIES !== '1') return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  writeFileSync(join(__dirname, '..', 'histories', `${name}.json`), historyToJSON(history));
}
