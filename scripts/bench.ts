// `npm run bench`: the speed and memory targets live here, never in timed unit tests.
// Each case runs for a fixed time, reports ops/s and per-op latency, and checks its target; the exit
// code is non-zero when a target is missed. Numbers are for the 2-core machines CI runs on.
// `npm run bench -- publish` runs the publish case instead: it starts moto, so it is kept apart; and
// `npm run bench -- pipeline` runs bookings through the whole local stack (scripts/bench-pipeline.ts);
// `npm run bench -- auth-flood` measures valid intake under a flood of wrong keys (scripts/bench-auth.ts);
// `npm run bench -- dev-server` compares the local stack's SQLite pragmas with SQLite's defaults.
import bcrypt from 'bcrypt';
import { performance } from 'node:perf_hooks';
import { createKeyVerifier } from '../src/service/auth';
import { renderGuestPage } from '../src/page/render';
import { composeOpsSummary } from '../src/mail/summary';
import { parseBooking } from '../src/domain/booking';
import { crewRoster } from '../src/domain/crew';
import { sampleBooking, sampleTenant } from '../sim/samples';
import { benchPipeline } from './bench-pipeline';
import { benchPublish } from './bench-publish';
import { benchAuthFlood } from './bench-auth';
import { benchDevServer } from './bench-dev-server';
import { benchWorkflowMemory } from './bench-workflow-memory';

interface Result {
  name: string;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  target: string;
  ok: boolean;
}

async function measure(
  name: string,
  seconds: number,
  op: () => unknown,
  target: (r: Omit<Result, 'ok' | 'target'>) => [string, boolean],
) {
  const samples: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t0 = performance.now();
    await op();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const total = samples.reduce((a, b) => a + b, 0);
  const base = {
    name,
    opsPerSecond: Math.round((samples.length / total) * 1000),
    p50Ms: samples[Math.floor(samples.length * 0.5)] ?? 0,
    p99Ms: samples[Math.floor(samples.length * 0.99)] ?? 0,
  };
  const [text, ok] = target(base);
  return { ...base, target: text, ok };
}

async function main(): Promise<void> {
  const booking = sampleBooking();
  const crew = crewRoster(booking.crew ?? [], {}, false);
  const key = 'bench-intake-key-0123456789';
  const hash = await bcrypt.hash(key, 10);
  const tenant = sampleTenant({ id: 'bench', auth: { intakeKeyHash: hash, crewCallbackKeyHash: hash } });
  const results: Result[] = [];

  const uncached = createKeyVerifier({ ttlMs: 0 });
  results.push(
    await measure(
      'intake auth, bcrypt cost 10, no cache',
      2,
      () => uncached.verify(tenant, 'intakeKeyHash', key),
      (r) => ['informational (what the cache saves)', r.opsPerSecond > 0],
    ),
  );
  const cached = createKeyVerifier();
  await cached.verify(tenant, 'intakeKeyHash', key);
  results.push(
    await measure(
      'intake auth, cached success',
      2,
      () => cached.verify(tenant, 'intakeKeyHash', key),
      (r) => ['>= 20000 ops/s (bcrypt alone gives ~15)', r.opsPerSecond >= 20_000],
    ),
  );
  results.push(
    await measure(
      'booking validation (zod)',
      2,
      () => parseBooking(booking),
      (r) => ['>= 5000 ops/s', r.opsPerSecond >= 5_000],
    ),
  );
  const pageInput = {
    booking,
    slug: 'carole-may-29-boatsetter-abcdefgh',
    operator: { name: 'JADA Charters', phone: '+1 415 555 0100', email: 'hello@jada.example' },
    meetingPoint: { name: 'Pier 39, Dock B', directionsUrl: 'https://maps.example.com/?q=pier+39' },
    crew,
    now: Date.parse('2027-05-25T12:00:00Z'),
    upload: {
      state: 'open' as const,
      opensAt: Date.parse('2027-05-22T17:00:00Z'),
      closesAt: Date.parse('2027-06-01T20:00:00Z'),
      form: {
        url: 'https://uploads.s3.amazonaws.com/',
        fields: { key: 'uploads/x/${filename}', Policy: 'p'.repeat(600), 'X-Amz-Signature': 's'.repeat(64) },
        maxBytes: 15 * 1024 * 1024,
        accept: ['image/jpeg', 'image/png'],
      },
    },
  };
  const pageBytes = Buffer.byteLength(renderGuestPage(pageInput));
  results.push(
    await measure(
      `guest page render (${pageBytes} bytes)`,
      2,
      () => renderGuestPage(pageInput),
      (r) => ['p50 < 5 ms and < 30 KB', r.p50Ms < 5 && pageBytes < 30 * 1024],
    ),
  );
  results.push(
    await measure(
      'ops summary compose',
      2,
      () =>
        composeOpsSummary({
          tenantName: 'JADA Charters',
          booking,
          workflowId: 'booking-bench-boatsetter-1',
          crew,
          pages: [{ site: 'nested', url: 'https://guests.example.com/g/x' }],
          jadaEventId: 'cal_1',
          sccEventId: 'evt_1',
        }),
      (r) => ['p50 < 5 ms', r.p50Ms < 5],
    ),
  );

  // What stays after a full collection: a leak in any case above shows here, garbage does not.
  (globalThis as { gc?: () => void }).gc?.();
  const heapMb = process.memoryUsage().heapUsed / 1024 / 1024;
  console.log('| case | ops/s | p50 ms | p99 ms | target | ok |\n| --- | ---: | ---: | ---: | --- | --- |');
  for (const r of results) {
    console.log(
      `| ${r.name} | ${r.opsPerSecond} | ${r.p50Ms.toFixed(3)} | ${r.p99Ms.toFixed(3)} | ${r.target} | ${r.ok ? 'yes' : 'NO'} |`,
    );
  }
  console.log(
    `\nheap retained after the run and a full GC: ${heapMb.toFixed(1)} MB (target < 64 MB): ${heapMb < 64 ? 'yes' : 'NO'}`,
  );
  if (results.some((r) => !r.ok) || heapMb >= 64) process.exit(1);
}

/** The benchmarks that start servers, each run alone: `npm run bench -- <name> [args]`. */
const SUITES: Record<string, (args: string[]) => Promise<boolean>> = {
  publish: () => benchPublish(),
  pipeline: benchPipeline,
  'auth-flood': () => benchAuthFlood(),
  'dev-server': benchDevServer,
  'workflow-memory': benchWorkflowMemory,
};

const [suite, ...args] = process.argv.slice(2);
const run = async (): Promise<void> => {
  if (suite === undefined) return main();
  const bench = SUITES[suite];
  if (!bench) throw new Error(`no benchmark "${suite}": npm run bench [-- ${Object.keys(SUITES).join(' | ')}]`);
  process.exit((await bench(args)) ? 0 : 1);
};
run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
