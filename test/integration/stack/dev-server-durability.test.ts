import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { ManagedProcess, freePort } from '../../../scripts/local-stack/processes';
import {
  DEV_SERVER_SQLITE_PRAGMAS,
  temporalDevServerArgs,
  waitForTemporal,
} from '../../../scripts/local-stack/temporal';

jest.setTimeout(120_000);

/**
 * `npm start` promises that waiting bookings survive a restart. With the local stack's SQLite pragmas
 * (WAL, synchronous=NORMAL) a commit is not fsynced on its own: this proves that what the server
 * acknowledged survives the server being SIGKILLed, the way a crash or a closed laptop lid ends it.
 */
describe("the local stack's dev server on its SQLite file", () => {
  let dir: string;
  let server: ManagedProcess | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dev-server-durability-'));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(port: number, uiPort: number): Promise<void> {
    server = new ManagedProcess({
      name: 'temporal',
      command: process.env.TEMPORAL_CLI_PATH ?? 'temporal',
      args: temporalDevServerArgs({ port, uiPort, dbFile: join(dir, 'temporal.sqlite') }),
      env: process.env,
      logFile: join(dir, 'temporal.log'),
    });
    const running = server;
    await waitForTemporal(`127.0.0.1:${port}`, 60_000, () => running.running);
  }

  it('runs with WAL and synchronous=NORMAL, and keeps every acknowledged start and signal across a SIGKILL', async () => {
    expect(DEV_SERVER_SQLITE_PRAGMAS).toEqual(['journal_mode=wal', 'synchronous=normal']);
    const [port, uiPort] = [await freePort(), await freePort()];
    await start(port, uiPort);
    expect(server!.spec.args.join(' ')).toContain(
      '--sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal',
    );

    const ids = Array.from({ length: 20 }, (_, i) => `durability-probe-${i}`);
    let connection = await Connection.connect({ address: `127.0.0.1:${port}` });
    let client = new Client({ connection });
    // No worker polls this queue: the workflows wait, as bookings wait for crew.
    for (const workflowId of ids) {
      const handle = await client.workflow.start('waitsForCrew', { taskQueue: 'no-worker', workflowId, args: [] });
      await handle.signal('crewResponse', { memberId: 'ana', response: 'accepted' });
    }
    await connection.close();

    // The WAL file exists beside the database while the server runs: WAL mode took effect.
    expect(readdirSync(dir).filter((f) => f.endsWith('-wal'))).toEqual(['temporal.sqlite-wal']);
    await server!.kill();
    expect(server!.exit?.signal).toBe('SIGKILL');

    await start(port, uiPort);
    connection = await Connection.connect({ address: `127.0.0.1:${port}` });
    client = new Client({ connection });
    for (const workflowId of ids) {
      const handle = client.workflow.getHandle(workflowId);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      const { events } = await handle.fetchHistory();
      expect(events?.filter((e) => e.workflowExecutionSignaledEventAttributes).length).toBe(1);
    }
    await connection.close();
  });
});
