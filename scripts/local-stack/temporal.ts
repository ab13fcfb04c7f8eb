import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { SearchAttributeType } from '@temporalio/common';
import { CLI_SEARCH_ATTRIBUTE_TYPE, SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes';
import { NAMESPACE } from './config';

/**
 * SQLite settings of the local stack's dev server. The defaults (a rollback journal, a full fsync on
 * every commit) cap it at about 120 workflow starts a second whatever the concurrency. In WAL mode with
 * `synchronous=NORMAL` a commit is an append to the write-ahead log without an fsync of its own: a
 * killed process loses nothing committed (the OS has the log), only a power cut can lose the last
 * commits, which a laptop's `npm start` can afford and which keeps its promise that waiting bookings
 * survive a restart. (`synchronous=OFF`, as the SDK's stress CI uses, risks a corrupt file on a crash.)
 */
export const DEV_SERVER_SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'] as const;

/**
 * `temporal server start-dev` with its state in a SQLite file. The search attributes come from the
 * workflow code's own list, so the two cannot drift; the CLI (v1.5.1) accepts them again on a
 * restart when the file already has them.
 */
export function temporalDevServerArgs(o: {
  port: number;
  uiPort: number;
  /** The SQLite file; without one, the server keeps its state in memory (a benchmark's). */
  dbFile?: string;
  codecUrl?: string;
  /** SQLite pragmas instead of DEV_SERVER_SQLITE_PRAGMAS (the benchmark compares them). */
  pragmas?: readonly string[];
}): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(o.port),
    '--ui-port',
    String(o.uiPort),
    ...(o.dbFile === undefined
      ? []
      : [
          '--db-filename',
          o.dbFile,
          ...(o.pragmas ?? DEV_SERVER_SQLITE_PRAGMAS).flatMap((pragma) => ['--sqlite-pragma', pragma]),
        ]),
    '--namespace',
    NAMESPACE,
    // The UI asks the codec server to decrypt payloads, from the viewer's browser.
    ...(o.codecUrl ? ['--ui-codec-endpoint', o.codecUrl] : []),
    ...SEARCH_ATTRIBUTE_KEYS.flatMap((key) => [
      '--search-attribute',
      `${key.name}=${CLI_SEARCH_ATTRIBUTE_TYPE[key.type]}`,
    ]),
    '--log-format',
    'json',
  ];
}

/** The operator API's enum for each SDK type. */
const INDEXED_VALUE_TYPE: Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType> = {
  TEXT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/**
 * Ready means the namespace answers and has every search attribute the workflow sets: a worker that
 * starts earlier fails its first upsert instead of waiting. The CLI registers `--search-attribute`
 * only in a new SQLite file, so attributes that a newer version of the workflow added are created here.
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
        await connection.operatorService.addSearchAttributes({
          namespace: NAMESPACE,
          searchAttributes: Object.fromEntries(missing.map((key) => [key.name, INDEXED_VALUE_TYPE[key.type]])),
        });
        process.stderr.write(`[stack] registered search attributes ${missing.map((k) => k.name).join(', ')}\n`);
        continue;
      }
      return;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    } finally {
      await connection?.close();
    }
  }
  if (!stillRunning()) throw new Error('the Temporal dev server exited while starting');
  throw new Error(`Temporal did not become ready at ${address} within ${timeoutMs / 1000} s: ${String(lastError)}`);
}
