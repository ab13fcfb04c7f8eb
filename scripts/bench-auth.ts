// `npm run bench -- auth-flood`: valid intake keeps its latency while a flood of wrong keys hits the
// service. The real service (buildApp) over real HTTP on a real Temporal dev server; valid intake at a
// steady rate, measured alone, then with 200 wrong-key requests a second from the same address, with
// the failure limit (the default) and without it (informational: what the limit saves).
import bcrypt from 'bcrypt';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { tenantDirectory } from '../src/config/tenant';
import { buildApp } from '../src/service/app';
import { sampleBooking, sampleTenant } from '../sim/samples';
import { startBenchDevServer } from './bench/dev-server';
import { percentile } from './bench/stats';

const PHASE_MS = 8_000;
const VALID_PER_SECOND = 20;
const FLOOD_PER_SECOND = 200;
/** The limit must keep valid intake's p95 within this factor of its unflooded p95 (issue 11). */
const MAX_RATIO = 2;

export async function benchAuthFlood(): Promise<boolean> {
  // In memory: a SQLite file's fsyncs would dominate what this measures (auth), on a busy disk.
  const temporal = await startBenchDevServer();
  try {
    const connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection });
    const key = 'bench-intake-key-0123456789abcdef';
    const hash = await bcrypt.hash(key, 10);
    const tenant = sampleTenant({ id: 'bench', auth: { intakeKeyHash: hash, crewCallbackKeyHash: hash } });
    const settings = {
      taskQueue: 'bench-auth-no-worker',
      slugSecret: 'bench-slug-secret-0123',
      crewConfirmation: { timeoutMs: 3600_000, leadBeforeStartMs: 0 },
    };

    const phase = async (name: string, flood: boolean, limited: boolean) => {
      const app = buildApp({
        client,
        tenants: tenantDirectory([tenant]),
        settings,
        logger: false,
        ...(limited ? {} : { auth: { failures: { maxFailures: Number.MAX_SAFE_INTEGER } } }),
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/tenants/bench/bookings`;
      const post = (k: string) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-service-key': k },
          body: JSON.stringify(sampleBooking()),
        }).then(async (res) => {
          await res.arrayBuffer();
          return res.status;
        });
      // The valid key is remembered from the first request on, as in production.
      await post(key);
      const latencies: number[] = [];
      const statuses = new Map<number, number>();
      const end = performance.now() + PHASE_MS;
      // The flood comes from another process, as an attacker's would: its own event loop makes the requests.
      const flooder = flood ? startFlood(url, FLOOD_PER_SECOND) : undefined;
      const valid: Promise<void>[] = [];
      while (performance.now() < end) {
        const t0 = performance.now();
        valid.push(
          post(key).then((status) => {
            if (status !== 202) throw new Error(`valid intake answered ${status}`);
            latencies.push(performance.now() - t0);
          }),
        );
        await new Promise((r) => setTimeout(r, 1000 / VALID_PER_SECOND));
      }
      const floodAnswers = await flooder?.stop();
      for (const [status, n] of Object.entries(floodAnswers ?? {})) statuses.set(Number(status), n);
      await Promise.all(valid);
      await new Promise((r) => setTimeout(r, 500));
      await app.close();
      const p95 = percentile(latencies, 95);
      console.log(
        `${name}: ${latencies.length} valid intakes, p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms` +
          (flood ? `; flood answers ${JSON.stringify(Object.fromEntries(statuses))}` : ''),
      );
      return p95;
    };

    const alone = await phase('valid intake alone', false, true);
    const withLimit = await phase(`with ${FLOOD_PER_SECOND} wrong keys/s, limited`, true, true);
    const withoutLimit = await phase(`with ${FLOOD_PER_SECOND} wrong keys/s, no limit (informational)`, true, false);
    const ratio = withLimit / alone;
    const ok = ratio <= MAX_RATIO;
    console.log(
      `\n| case | valid intake p95 ms |\n| --- | ---: |\n| alone | ${alone.toFixed(1)} |\n| flood, limited | ${withLimit.toFixed(1)} |\n| flood, no limit | ${withoutLimit.toFixed(1)} |\n\n` +
        `flooded/alone with the limit: ${ratio.toFixed(2)}x (target <= ${MAX_RATIO}x): ${ok ? 'yes' : 'NO'}`,
    );
    await connection.close();
    return ok;
  } finally {
    await temporal.stop();
  }
}

/** A child process that posts wrong keys at `perSecond` until stopped, then reports its answers by status. */
function startFlood(url: string, perSecond: number) {
  const code = `
    const counts = {};
    const tick = () => { for (let i = 0; i < ${perSecond / 20}; i++) {
      fetch(${JSON.stringify(url)}, { method: 'POST', headers: { 'content-type': 'application/json', 'x-service-key': 'wrong-' + Math.random() }, body: '{}' })
        .then(async (r) => { await r.arrayBuffer(); counts[r.status] = (counts[r.status] || 0) + 1; }, () => { counts[0] = (counts[0] || 0) + 1; });
    } };
    const timer = setInterval(tick, 50);
    process.on('message', () => { clearInterval(timer); setTimeout(() => { process.send(counts); process.exit(0); }, 1000); });
  `;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    stop: () =>
      new Promise<Record<string, number>>((resolve) => {
        child.once('message', (counts) => resolve(counts as Record<string, number>));
        child.send('stop');
      }),
  };
}
