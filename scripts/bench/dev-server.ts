import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../local-stack/config';
import { ManagedProcess, freePort } from '../local-stack/processes';
import { temporalDevServerArgs, waitForTemporal } from '../local-stack/temporal';

export interface BenchDevServer {
  address: string;
  /** Stops the server and removes its folder (log, SQLite file). */
  stop(): Promise<void>;
}

/**
 * A Temporal dev server of one benchmark's own, its log in a temporary folder: in memory, or on a
 * SQLite file in that folder with these pragmas (the dev-server benchmark compares them).
 */
export async function startBenchDevServer(o: { sqlitePragmas?: readonly string[] } = {}): Promise<BenchDevServer> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-temporal-'));
  const [port, uiPort] = [await freePort(), await freePort()];
  const server = new ManagedProcess({
    name: 'temporal',
    command: process.env.TEMPORAL_CLI_PATH ?? join(ROOT, '.tools', 'bin', 'temporal'),
    args: temporalDevServerArgs({
      port,
      uiPort,
      ...(o.sqlitePragmas ? { dbFile: join(dir, 'temporal.sqlite'), pragmas: o.sqlitePragmas } : {}),
    }),
    env: process.env,
    logFile: join(dir, 'temporal.log'),
  });
  const stop = async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const address = `127.0.0.1:${port}`;
  try {
    await waitForTemporal(address, 60_000, () => server.running);
  } catch (err) {
    await stop();
    throw err;
  }
  return { address, stop };
}
