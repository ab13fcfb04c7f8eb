// `npm run bench -- dev-server [--starts=400] [--concurrency=16]`: workflow starts per second on the
// local stack's dev server (a SQLite file), with SQLite's defaults and with the stack's pragmas
// (scripts/local-stack/temporal.ts). Each start is also signalled once, as a booking gets crew answers.
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { DEV_SERVER_SQLITE_PRAGMAS } from './local-stack/temporal';
import { startBenchDevServer } from './bench/dev-server';

/** The stack's pragmas must start at least this many times as fast as SQLite's defaults. */
const MIN_SPEED_UP = 1.5;

async function startsPerSecond(pragmas: readonly string[], starts: number, concurrency: number): Promise<number> {
  const server = await startBenchDevServer({ sqlitePragmas: pragmas });
  try {
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    let next = 0;
    const run = async () => {
      while (next < starts) {
        const workflowId = `bench-start-${next++}`;
        const handle = await client.workflow.start('waitsForCrew', { taskQueue: 'no-worker', workflowId, args: [] });
        await handle.signal('crewResponse', { memberId: 'ana', response: 'accepted' });
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: concurrency }, run));
    const rate = starts / ((performance.now() - t0) / 1000);
    await connection.close();
    return rate;
  } finally {
    await server.stop();
  }
}

export async function benchDevServer(args: string[]): Promise<boolean> {
  const option = (name: string, fallback: number) =>
    Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
  const starts = option('starts', 400);
  const concurrency = option('concurrency', 16);
  const defaults = await startsPerSecond([], starts, concurrency);
  const stack = await startsPerSecond(DEV_SERVER_SQLITE_PRAGMAS, starts, concurrency);
  const ratio = stack / defaults;
  const ok = ratio >= MIN_SPEED_UP;
  console.log(
    `\n${starts} workflow starts + signals, ${concurrency} in flight, dev server on a SQLite file\n\n` +
      `| SQLite pragmas | starts/s |\n| --- | ---: |\n| defaults (rollback journal, synchronous=FULL) | ${defaults.toFixed(0)} |\n` +
      `| ${DEV_SERVER_SQLITE_PRAGMAS.join(', ')} (npm start) | ${stack.toFixed(0)} |\n\n` +
      `speed-up ${ratio.toFixed(2)}x (target >= ${MIN_SPEED_UP}x): ${ok ? 'yes' : 'NO'}`,
  );
  return ok;
}
