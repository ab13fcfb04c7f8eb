import { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes';
import { NAMESPACE } from './config';

/** The CLI spells the SDK's types in its own case (`KEYWORD_LIST` is `KeywordList`). */
const CLI_TYPE: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/**
 * `temporal server start-dev` with its state in a SQLite file. The search attributes come from the
 * workflow code's own list, so the two cannot drift; the CLI (v1.5.1) accepts them again on a
 * restart when the file already has them.
 */
export function temporalDevServerArgs(o: { port: number; uiPort: number; dbFile: string }): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(o.port),
    '--ui-port',
    String(o.uiPort),
    '--db-filename',
    o.dbFile,
    '--namespace',
    NAMESPACE,
    ...SEARCH_ATTRIBUTE_KEYS.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE[key.type]}`]),
    '--log-format',
    'json',
  ];
}

/**
 * Ready means the namespace answers and has every search attribute the workflow sets: a worker that
 * starts earlier fails its first upsert instead of waiting.
 */
export async function waitForTemporal(address: string, timeoutMs: number, stillRunning: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline && stillRunning()) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.describeNamespace({ namespace: NAMESPACE });
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: NAMESPACE });
      const missing = SEARCH_ATTRIBUTE_KEYS.filter((key) => !(key.name in (customAttributes ?? {})));
      if (missing.length > 0) {
        throw new Error(`Temporal has no search attribute ${missing.map((k) => k.name).join(', ')} in namespace ${NAMESPACE}`);
      }
      return;
    } catch (err) {
      lastError = err;
      if (err instanceof Error && err.message.startsWith('Temporal has no search attribute')) throw err;
      await new Promise((r) => setTimeout(r, 250));
    } finally {
      await connection?.close();
    }
  }
  if (!stillRunning()) throw new Error('the Temporal dev server exited while starting');
  throw new Error(`Temporal did not become ready at ${address} within ${timeoutMs / 1000} s: ${String(lastError)}`);
}
