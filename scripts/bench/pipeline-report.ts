import type { CpuSpent } from './cpu';
import { median, percentile } from './stats';

/** Everything one run of the pipeline benchmark measured and checked. */
export interface PipelineResult {
  settings: {
    bookings: number;
    paced: number;
    concurrency: number;
    warmUp: number;
    waiting: number;
    cache: string;
    /** How the stack ran its worker and service: from the build or the sources, and the worker's NODE_OPTIONS. */
    workerRuns: string;
  };
  machine: { cores: number; model: string; memoryGiB: number; loadBefore: number[]; loadAfter: number[] };
  /** Webhook -> ops email of each booking at 1 booking/s, and the CPU meanwhile (for the machine's other load). */
  paced: { latenciesMs: number[]; cpu: CpuSpent };
  batches: Batch[];
  floor: { bookingsPerSecond: number; cpu: CpuSpent };
  /** CPU ms of one bcrypt check of the SCC stand-in's service key, measured in this process. */
  sccKeyCheckMs: number;
  /** Events in each booking's history, and activity attempts beyond the first over all of them. */
  histories: Record<'pipeline' | 'floor', { events: number[]; activityRetries: number }>;
  workerRss: { waiting: number; mb: number }[];
  seconds: { stackUp: number; total: number };
  /** Correctness: any that fails, fails the run. */
  checks: Check[];
}

export interface Batch {
  label: string;
  bookingsPerSecond: number;
  latenciesMs: number[];
  cpu: CpuSpent;
  /** Requests the SCC stand-in's API answered, each after a bcrypt check of the key. */
  sccRequests: number;
}

export interface Check {
  check: string;
  result: string;
  ok: boolean;
}

/** Issue 14's goals: shown as met or not, never failing this run. */
const GOALS = {
  p95Ms: 500,
  workerCpuMsPerBooking: 100,
  batchDrift: 0.2,
  floorRatio: 0.5,
  rssMbPer1000Waiting: 300,
  /** From 1,000 to 2,000 waiting bookings, the RSS grows by at most this share: a plateau. */
  rssPlateau: 0.1,
};

const PROCESS_LABELS: Record<string, string> = {
  temporal: 'temporal (dev server, SQLite)',
  moto: 'moto (S3 + CloudFront)',
  worker: 'worker (product)',
  service: 'service (product)',
  'bench process': 'bench process: stand-ins (JADA, SCC, outbox, edge, CloudFront shim), driver; floor: no-op worker',
};

/** The run as markdown tables (the README's benchmark section takes them as they are), and whether every check held. */
export function pipelineReport(r: PipelineResult): { text: string; ok: boolean } {
  const { settings } = r;
  const perBooking = (ms: number) => ms / settings.bookings;
  const cpuOf = (cpu: CpuSpent, name: string) => cpu.bySource.find((s) => s.name === name)?.ms ?? NaN;
  const workerMs = (b: Batch) => perBooking(cpuOf(b.cpu, 'worker'));
  const floorRatio = (b: Batch) => b.bookingsPerSecond / r.floor.bookingsPerSecond;
  const pacedP95 = percentile(r.paced.latenciesMs, 95);
  const [first, second] = r.batches as [Batch, Batch];
  const drift = workerMs(second) / workerMs(first) - 1;
  const goals: Check[] = [
    {
      check: `webhook -> ops email p95 <= ${GOALS.p95Ms} ms at 1 booking/s`,
      result: `${pacedP95.toFixed(0)} ms`,
      ok: pacedP95 <= GOALS.p95Ms,
    },
    {
      check: `worker <= ${GOALS.workerCpuMsPerBooking} CPU-ms per booking, both batches`,
      result: r.batches.map((b) => workerMs(b).toFixed(1)).join(', '),
      ok: r.batches.every((b) => workerMs(b) <= GOALS.workerCpuMsPerBooking),
    },
    {
      check: `worker CPU-ms per booking flat from batch 1 to batch 2 (within ±${GOALS.batchDrift * 100} %)`,
      result: `${drift >= 0 ? '+' : ''}${(drift * 100).toFixed(1)} %`,
      ok: Math.abs(drift) <= GOALS.batchDrift,
    },
    {
      check: `pipeline >= ${GOALS.floorRatio}x the no-op floor, both batches`,
      result: r.batches.map((b) => `${floorRatio(b).toFixed(2)}x`).join(', '),
      ok: r.batches.every((b) => floorRatio(b) >= GOALS.floorRatio),
    },
  ];
  const rssAt = (waiting: number) => r.workerRss.find((w) => w.waiting === waiting)?.mb;
  const [at1000, at2000] = [rssAt(1000), rssAt(2000)];
  if (at1000 !== undefined) {
    goals.push({
      check: `worker RSS <= ${GOALS.rssMbPer1000Waiting} MB at 1,000 waiting bookings (cache ${settings.cache})`,
      result: `${at1000.toFixed(0)} MB`,
      ok: at1000 <= GOALS.rssMbPer1000Waiting,
    });
  }
  if (at1000 !== undefined && at2000 !== undefined) {
    const growth = at2000 / at1000 - 1;
    goals.push({
      check: `worker RSS plateaus: 1,000 -> 2,000 waiting within +${GOALS.rssPlateau * 100} %`,
      result: `${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} %`,
      ok: growth <= GOALS.rssPlateau,
    });
  }

  const spends = [...r.batches.map((b) => b.cpu), r.floor.cpu];
  const processNames = r.floor.cpu.bySource.map((s) => s.name);
  const load = (values: number[]) => values.map((l) => l.toFixed(2)).join(' / ');
  const lines = [
    `pipeline through the local stack, crew answering at once; ${r.machine.cores} cores (${r.machine.model}), ` +
      `${r.machine.memoryGiB.toFixed(0)} GiB; N=${settings.bookings} per batch, ${settings.concurrency} in flight (POST to ops email); ` +
      `K=${settings.paced} at 1 booking/s after ${settings.warmUp} warm-up bookings`,
    `worker and service ${settings.workerRuns}`,
    `load average (1/5/15 min) before ${load(r.machine.loadBefore)}, after ${load(r.machine.loadAfter)} (this benchmark included)`,
    '',
    '| phase | bookings | bookings/s | vs no-op floor | webhook -> ops email p50 ms | p95 ms | worker CPU-ms/booking | other processes on the machine |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| paced, 1 booking/s | ${settings.paced} | | | ${median(r.paced.latenciesMs).toFixed(0)} | ${pacedP95.toFixed(0)} | | ${otherShare(r.paced.cpu, r.machine.cores)} |`,
    ...r.batches.map(
      (b) =>
        `| ${b.label} | ${settings.bookings} | ${b.bookingsPerSecond.toFixed(2)} | ${floorRatio(b).toFixed(2)}x | ` +
        `${median(b.latenciesMs).toFixed(0)} | ${percentile(b.latenciesMs, 95).toFixed(0)} | ${workerMs(b).toFixed(1)} | ${otherShare(b.cpu, r.machine.cores)} |`,
    ),
    `| no-op floor, same server | ${settings.bookings} | ${r.floor.bookingsPerSecond.toFixed(2)} | 1.00x | | | ` +
      `${perBooking(cpuOf(r.floor.cpu, 'bench process')).toFixed(1)} (in-process no-op worker) | ${otherShare(r.floor.cpu, r.machine.cores)} |`,
    '',
    `| process, CPU-ms per booking (share) | ${[...r.batches.map((b) => b.label), 'no-op floor'].join(' | ')} |`,
    `| --- | ${spends.map(() => '---:').join(' | ')} |`,
    ...processNames.map(
      (name) =>
        `| ${PROCESS_LABELS[name] ?? name} | ${spends
          .map(
            (cpu) =>
              `${perBooking(cpuOf(cpu, name)).toFixed(1)} (${((cpuOf(cpu, name) / cpu.totalMs) * 100).toFixed(0)} %)`,
          )
          .join(' | ')} |`,
    ),
    `| ... of which the SCC stand-in's bcrypt key check (requests x ${r.sccKeyCheckMs.toFixed(0)} ms, estimated) | ${[
      ...r.batches.map((b) => perBooking(b.sccRequests * r.sccKeyCheckMs).toFixed(1)),
      '0',
    ].join(' | ')} |`,
    `| all of the above | ${spends.map((cpu) => perBooking(cpu.totalMs).toFixed(1)).join(' | ')} |`,
    '',
    '| measure | value |',
    '| --- | --- |',
    `| history events per booking, median (min-max) | pipeline ${spread(r.histories.pipeline.events)}; no-op floor ${spread(r.histories.floor.events)} |`,
    `| activity retries (attempts beyond the first), all bookings | pipeline ${r.histories.pipeline.activityRetries}; no-op floor ${r.histories.floor.activityRetries} |`,
    `| worker RSS at ${r.workerRss.map((w) => w.waiting).join(' / ')} waiting bookings (WORKER_MAX_CACHED_WORKFLOWS ${settings.cache}) | ${r.workerRss.map((w) => `${w.mb.toFixed(0)} MB`).join(' / ')} |`,
    `| time | stack up in ${r.seconds.stackUp.toFixed(0)} s; whole benchmark ${r.seconds.total.toFixed(0)} s before stopping |`,
    '',
    '| goal (issue 14; informational, never fails this run) | measured | met |',
    '| --- | --- | --- |',
    ...goals.map((g) => `| ${g.check} | ${g.result} | ${g.ok ? 'yes' : 'no'} |`),
    '',
    '| check | result | ok |',
    '| --- | --- | --- |',
    ...r.checks.map((c) => `| ${c.check} | ${c.result} | ${c.ok ? 'yes' : 'NO'} |`),
  ];
  return { text: lines.join('\n'), ok: r.checks.every((c) => c.ok) };
}

/** CPU that the rest of the machine used meanwhile, as a share of all its cores: a busy machine shows here. */
function otherShare(cpu: CpuSpent, cores: number): string {
  return `${((cpu.otherMs / (cpu.wallMs * cores)) * 100).toFixed(0)} % of the cores`;
}

function spread(values: number[]): string {
  return `${median(values)} (${Math.min(...values)}-${Math.max(...values)})`;
}
