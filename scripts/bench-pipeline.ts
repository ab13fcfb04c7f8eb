// `npm run bench -- pipeline [--bookings=N] [--paced=K] [--concurrency=C] [--waiting=W] [--cache=N] [--heap=MB] [--sources]`: bookings through the whole
// local stack (scripts/local-stack/stack.ts: the Temporal dev server on SQLite, moto behind the
// CloudFront shim, the stand-ins, and the worker and the service as child processes) with the SCC
// stand-in's crew answering at once through our callback, beside a no-op workflow of the same shape
// (scripts/bench/noop-workflow.ts) on the same Temporal server in the same run.
//
// Phases, on one stack: a few warm-up bookings; K bookings at 1 booking/s (webhook -> ops email p50/p95);
// two saturation batches of N bookings, C in flight at a time (bookings/s from the first POST to the
// last ops email, and the CPU of every process); the no-op floor at the same N and C; then bookings
// whose crew stay silent until W wait in all, for the worker's RSS against its workflow cache. The run fails only on
// correctness (every booking reached its email, each effect exactly once); issue 14's goals are shown,
// met or not, without failing it.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { compare } from 'bcrypt';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { sampleBooking } from '../sim/samples';
import { opsSummaryMessageId } from '../src/mail/message-id';
import { benchProcess, cpuSpent, processGroup, readCpu, type CpuSource } from './bench/cpu';
import { bundleNoopWorkflow, startNoopFloor, type NoopFloor } from './bench/noop-floor';
import { PipelineDriver, type PostedBooking } from './bench/pipeline-driver';
import { pipelineReport, type Batch, type Check, type PipelineResult } from './bench/pipeline-report';
import { runConcurrently } from './bench/pool';
import { ownCpuMs, rssMb } from './bench/proc';
import { median } from './bench/stats';
import { NAMESPACE, ROOT } from './local-stack/config';
import { localDataConverter } from './local-stack/keys';
import { groupAlive, sleep, type ManagedProcess } from './local-stack/processes';
import { LocalStack } from './local-stack/stack';
import { WORKER_CACHE_DEFAULT } from '../src/config/env';
import { buildApp, composeWorkerNodeOptions, runtimeEnv } from './production/app';

interface Settings {
  /** N: bookings per saturation batch, and in the no-op floor. */
  bookings: number;
  /** K: bookings at 1 booking/s. */
  paced: number;
  /**
   * C: bookings in flight at once in a saturation batch and in the floor, each from its POST (start) to
   * its ops email: a closed loop, so the stack runs flat out without a backlog that only measures timeouts.
   */
  concurrency: number;
  /**
   * W: after the floor, bookings whose crew do not answer are added until W bookings wait in all
   * (for crew, or for their charter), with the worker's RSS read at 500, 1,000, 2,000 and W. 0 skips it.
   */
  waiting: number;
  /** WORKER_MAX_CACHED_WORKFLOWS for the stack's worker; its default unless given. */
  cache?: number;
  /**
   * The worker's V8 heap limit in MB (`--max-old-space-size`): replaces docker-compose.yml's for the
   * build; node's default for the sources unless given.
   */
  heap?: number;
  /**
   * Run the worker and the service from the sources under tsx, as `npm start` does, instead of from
   * `npm run build` output with production dependencies and the compose file's worker NODE_OPTIONS, as
   * the image runs them (the default: the worker that is deployed is the one measured).
   */
  sources?: boolean;
}

/** Sized so that the whole run takes about three minutes on the 2-core machines CI runs on. */
const DEFAULTS: Settings = { bookings: 100, paced: 20, concurrency: 8, waiting: 2000 };
type NumericSetting = Exclude<keyof Settings, 'sources'>;
const SETTING_ENV: Record<NumericSetting, string> = {
  bookings: 'BENCH_PIPELINE_BOOKINGS',
  paced: 'BENCH_PIPELINE_PACED',
  concurrency: 'BENCH_PIPELINE_CONCURRENCY',
  waiting: 'BENCH_PIPELINE_WAITING',
  cache: 'BENCH_PIPELINE_CACHE',
  heap: 'BENCH_PIPELINE_HEAP',
};
/** Settings that may be 0: no waiting phase, no workflow cache. */
const ZERO_ALLOWED = new Set<NumericSetting>(['waiting', 'cache']);
/** `--sources`, or BENCH_PIPELINE_SOURCES=true. */
const SOURCES_ENV = 'BENCH_PIPELINE_SOURCES';
/** Where the waiting phase reads the worker's RSS, besides W itself. */
const WAITING_MARKS = [500, 1000, 2000];
/** Bookings posted at once while filling up the waiting ones: no email to wait for, so more than C. */
const FILL_CONCURRENCY = 16;
/** After each mark: the last bookings' workflow tasks end, and the worker's memory settles. */
const RSS_SETTLE_MS = 5000;
/** Not measured: the first bookings pay for JIT, connection pools and the service's bcrypt cache. */
const WARM_UP = 3;
const PACE_MS = 1000;
/**
 * A booking's last workflow task (KEEPING_PAGE_CURRENT, its timer) runs after its email; CPU is read
 * this long after the last email so that the batch is charged for it.
 */
const SETTLE_MS = 1000;
/**
 * How long one booking's ops email may take to arrive. Generous, as it only tells a stuck pipeline from
 * a slow one: with other test runs on its two cores, this machine has done less than 0.5 bookings/s.
 */
const EMAIL_TIMEOUT_MS = 120_000;

export async function benchPipeline(args: string[]): Promise<boolean> {
  const settings = settingsFrom(args, process.env);
  const startedAt = Date.now();
  const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  // The floor's in-process worker would otherwise log every state change.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const tools = (await import(pathToFileURL(join(ROOT, 'scripts', 'tools.mjs')).href)) as {
    ensureTemporalCli(): { path: string } | undefined;
    ensureMoto(): { path: string };
  };
  const temporalCli = tools.ensureTemporalCli()?.path;
  if (!temporalCli) throw new Error('the pipeline benchmark needs the Temporal CLI (see README: Two commands)');
  const motoServer = tools.ensureMoto().path;

  const dataDir = mkdtempSync(join(tmpdir(), 'bench-pipeline-'));
  const appDir = settings.sources ? undefined : join(dataDir, 'app');
  if (appDir) {
    say("npm run build, then npm ci --omit=dev in a copy outside the repository (the image's runtime stage)");
    mkdirSync(appDir);
    buildApp(appDir);
  }
  const nodeOptions = workerNodeOptions(
    appDir ? composeWorkerNodeOptions() : '',
    settings.heap,
    process.env.BENCH_WORKER_NODE_OPTIONS,
  );
  const workerRuns = appDir
    ? `from the build (node dist/worker/main.js, NODE_OPTIONS ${nodeOptions || 'none'})`
    : `from the sources under tsx (NODE_OPTIONS ${nodeOptions || 'none'})`;
  const stack = new LocalStack({
    dataDir,
    ports: 'free',
    tools: { temporalCli, motoServer },
    ...(appDir ? { built: appDir, runtimeEnv: runtimeEnv(appDir) } : {}),
    crewAnswerAtOnce: 'accepted',
    env: {
      worker: {
        // No feed sync, digest or roster schedule: one due mid-run (every quarter hour for the feed)
        // would add a booking and mail that are not the benchmark's.
        FEED_SCHEDULES_AT_START: 'false',
        ...(settings.cache === undefined ? {} : { WORKER_MAX_CACHED_WORKFLOWS: String(settings.cache) }),
        ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
      },
    },
    say,
  });
  let connection: Connection | undefined;
  let floor: NoopFloor | undefined;
  let tornDown: Promise<void> | undefined;
  const teardown = () =>
    (tornDown ??= (async () => {
      await floor?.stop().catch((err: unknown) => say(`the no-op worker did not stop cleanly: ${String(err)}`));
      await connection?.close();
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    })());
  const removeHandlers = stopOnInterrupt(stack, dataDir, teardown, say);

  try {
    say(`starting the local stack in ${dataDir} and bundling the no-op workflow`);
    const [started, bundled] = await Promise.allSettled([stack.start(), bundleNoopWorkflow()]);
    if (started.status === 'rejected') throw started.reason;
    if (bundled.status === 'rejected') throw bundled.reason;
    const stackUp = (Date.now() - startedAt) / 1000;
    say(`stack up in ${stackUp.toFixed(1)} s`);
    const cache = String(settings.cache ?? WORKER_CACHE_DEFAULT);

    const driver = new PipelineDriver(stack);
    connection = await Connection.connect({ address: stack.info.temporalAddress });
    const dataConverter = localDataConverter(stack.keys);
    const client = new Client({ connection, namespace: NAMESPACE, dataConverter });
    const pid = (child: ManagedProcess | undefined) => {
      if (child?.pid === undefined) throw new Error(`the stack has no ${child?.name ?? 'such'} process`);
      return child.pid;
    };
    const sources: CpuSource[] = [
      processGroup('temporal', pid(stack.temporal)),
      processGroup('moto', pid(stack.processes.find((child) => child.name === 'moto'))),
      processGroup('worker', pid(stack.worker)),
      processGroup('service', pid(stack.service)),
      benchProcess,
    ];
    const workerRss: PipelineResult['workerRss'] = [];
    const all: PostedBooking[] = [];
    const noteRss = (waiting = all.length) => workerRss.push({ waiting, mb: rssMb(pid(stack.worker)) ?? NaN });
    const loadBefore = loadavg();
    const sccKeyCheckMs = await bcryptCheckMs(stack.keys.sccServiceKey, stack.keys.hashes.sccServiceKey);
    noteRss();

    say(`${WARM_UP} warm-up bookings`);
    for (let i = 0; i < WARM_UP; i++) {
      const posted = await driver.post(sampleBooking());
      await driver.opsEmailArrivals([posted], EMAIL_TIMEOUT_MS);
      all.push(posted);
    }

    say(`${settings.paced} bookings at 1 booking/s`);
    const paced = await pacedPhase(driver, settings.paced, sources);
    all.push(...paced.posted);
    noteRss();

    const batches: Batch[] = [];
    for (const label of ['saturation, batch 1', 'saturation, batch 2']) {
      say(`${label}: ${settings.bookings} bookings, ${settings.concurrency} in flight`);
      const { posted, ...batch } = await saturationBatch(label, stack, driver, settings, sources);
      batches.push(batch);
      all.push(...posted);
      noteRss();
    }

    say(`no-op floor: ${settings.bookings} workflows, ${settings.concurrency} in flight`);
    floor = await startNoopFloor({
      address: stack.info.temporalAddress,
      namespace: NAMESPACE,
      taskQueue: `bench-noop-floor-${process.pid}`,
      client,
      dataConverter,
      tenant: stack.tenant,
      slugSecret: stack.keys.slugSecret,
      bundle: bundled.value,
    });
    const floorBookings = Array.from({ length: settings.bookings }, (_, i) =>
      sampleBooking({ bookingId: `floor-${Date.now().toString(36)}-${i}` }),
    );
    const floorBefore = readCpu(sources);
    const floorRun = await floor.run(floorBookings, settings.concurrency, EMAIL_TIMEOUT_MS);
    await sleep(SETTLE_MS);
    const floorCpu = cpuSpent(floorBefore, readCpu(sources));
    await floor.stop();
    floor = undefined;

    const waiting = await waitingPhase(stack, driver, settings.waiting, all.length, noteRss, say);
    const loadAfter = loadavg();
    const total = (Date.now() - startedAt) / 1000;

    say('checking every booking: effects, statuses, histories');
    const checks = await checkBookings(stack, driver, all, settings.concurrency);
    checks.push(
      exactlyOnce(
        'waiting bookings: one JADA entry and one SCC event each',
        [...(await driver.effects(waiting)).values()].flatMap((e) => [e.jada, e.scc]),
      ),
    );
    checks.unshift({
      check: 'every booking reached its ops email',
      result: `${all.length} (warm-up, paced, both batches); no-op floor ${floorRun.workflowIds.length}`,
      ok: true, // Waiting for them above throws otherwise.
    });
    const histories = (ids: string[]) =>
      runConcurrently(ids.length, settings.concurrency, (i) => client.workflow.getHandle(ids[i]!).fetchHistory()).then(
        (all) => ({
          events: all.map((history) => history.events?.length ?? 0),
          // A retried activity's one ActivityTaskStarted carries the attempt that completed.
          activityRetries: all
            .flatMap((history) => history.events ?? [])
            .reduce((sum, e) => sum + Math.max(0, (e.activityTaskStartedEventAttributes?.attempt ?? 1) - 1), 0),
        }),
      );

    const cpu = cpus();
    const { text, ok } = pipelineReport({
      settings: { ...settings, warmUp: WARM_UP, cache, workerRuns },
      machine: {
        cores: cpu.length,
        model: cpu[0]?.model.trim() ?? '?',
        memoryGiB: totalmem() / 2 ** 30,
        loadBefore,
        loadAfter,
      },
      paced: { latenciesMs: paced.latenciesMs, cpu: paced.cpu },
      batches,
      floor: {
        bookingsPerSecond: settings.bookings / ((floorRun.lastEmailAt - floorRun.firstStartAt) / 1000),
        cpu: floorCpu,
      },
      sccKeyCheckMs,
      histories: {
        pipeline: await histories(all.map((b) => b.workflowId)),
        floor: await histories(floorRun.workflowIds),
      },
      workerRss,
      seconds: { stackUp, total },
      checks,
    });
    console.log(`\n${text}`);
    return ok;
  } finally {
    await teardown();
    removeHandlers();
    say(`stopped everything; ${((Date.now() - startedAt) / 1000).toFixed(0)} s in all`);
  }
}

/**
 * Each booking's effects exactly once, every crew answer taken by our callback, and each status as ops
 * would read it at the end of the happy path.
 */
async function checkBookings(
  stack: LocalStack,
  driver: PipelineDriver,
  bookings: PostedBooking[],
  concurrency: number,
): Promise<Check[]> {
  const effects = [...(await driver.effects(bookings)).values()];
  const mailCount = (await stack.outbox.messages()).length;
  const answers = driver.crewAnswers();
  const expectedAnswers = bookings.length * stack.tenant.defaultCrew.length;
  const statuses = await runConcurrently(bookings.length, concurrency, (i) => driver.status(bookings[i]!));
  const statusOk = statuses.filter(
    (s, i) =>
      s.stage === 'KEEPING_PAGE_CURRENT' &&
      s.crewOutcome === 'ALL_CONFIRMED' &&
      s.opsEmailMessageId === opsSummaryMessageId(bookings[i]!.workflowId),
  ).length;
  return [
    exactlyOnce(
      'one JADA calendar entry per booking',
      effects.map((e) => e.jada),
    ),
    exactlyOnce(
      'one SCC crew event per booking',
      effects.map((e) => e.scc),
    ),
    exactlyOnce(
      'one ops email per booking',
      effects.map((e) => e.opsEmails),
    ),
    { check: 'no other mail', result: `${mailCount} messages in the outbox`, ok: mailCount === bookings.length },
    {
      check: 'every crew answer went through our callback (HTTP 202)',
      result: `${answers.accepted} of ${answers.given}, ${expectedAnswers} expected`,
      ok: answers.accepted === answers.given && answers.given === expectedAnswers,
    },
    {
      check: 'every status: KEEPING_PAGE_CURRENT, ALL_CONFIRMED, its own ops email Message-ID',
      result: `${statusOk} of ${bookings.length}`,
      ok: statusOk === bookings.length,
    },
  ];
}

function exactlyOnce(check: string, counts: number[]): Check {
  const wrong = counts.filter((c) => c !== 1).length;
  return {
    check,
    result: wrong === 0 ? `${counts.length} of ${counts.length}` : `${wrong} with 0 or 2+`,
    ok: wrong === 0,
  };
}

/** CPU ms of one bcrypt check, as the SCC stand-in makes on every API request (median of a few). */
async function bcryptCheckMs(key: string, hash: string): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    const before = ownCpuMs();
    await compare(key, hash);
    samples.push(ownCpuMs() - before);
  }
  return median(samples);
}

/** K bookings, one every PACE_MS whatever each POST takes; latency from just before each POST to its email. */
async function pacedPhase(driver: PipelineDriver, count: number, sources: CpuSource[]) {
  const before = readCpu(sources);
  const start = Date.now();
  const posts: Promise<PostedBooking>[] = [];
  for (let i = 0; i < count; i++) {
    await sleep(start + i * PACE_MS - Date.now());
    const post = driver.post(sampleBooking());
    // Awaited together below; until then a failure must not count as unhandled and end the process.
    post.catch(() => undefined);
    posts.push(post);
  }
  const posted = await Promise.all(posts);
  const arrivals = await driver.opsEmailArrivals(posted, EMAIL_TIMEOUT_MS);
  const cpu = cpuSpent(before, readCpu(sources));
  return { posted, latenciesMs: posted.map((p) => arrivals.get(p.workflowId)! - p.postedAt), cpu };
}

async function saturationBatch(
  label: string,
  stack: LocalStack,
  driver: PipelineDriver,
  settings: Settings,
  sources: CpuSource[],
): Promise<Batch & { posted: PostedBooking[] }> {
  const bookings = Array.from({ length: settings.bookings }, () => sampleBooking());
  const sccRequestsBefore = stack.scc.counters.requests;
  const before = readCpu(sources);
  const runs = await runConcurrently(bookings.length, settings.concurrency, (i) =>
    driver.postAndAwaitEmail(bookings[i]!, EMAIL_TIMEOUT_MS),
  );
  await sleep(SETTLE_MS);
  const cpu = cpuSpent(before, readCpu(sources));
  const firstPost = Math.min(...runs.map((r) => r.postedAt));
  const lastEmail = Math.max(...runs.map((r) => r.emailedAt));
  return {
    label,
    posted: runs,
    bookingsPerSecond: settings.bookings / ((lastEmail - firstPost) / 1000),
    latenciesMs: runs.map((r) => r.emailedAt - r.postedAt),
    cpu,
    sccRequests: stack.scc.counters.requests - sccRequestsBefore,
  };
}

/**
 * Bookings whose crew do not answer, `FILL_CONCURRENCY` at a time until `target` bookings wait in all
 * (`already` wait from the phases before), each done once its SCC event exists; the worker's RSS is
 * read at each mark after RSS_SETTLE_MS.
 */
async function waitingPhase(
  stack: LocalStack,
  driver: PipelineDriver,
  target: number,
  already: number,
  noteRss: (waiting: number) => void,
  say: (line: string) => void,
): Promise<PostedBooking[]> {
  const marks = [...new Set([...WAITING_MARKS.filter((m) => m < target), target])].filter((m) => m > already);
  if (marks.length === 0) return [];
  stack.scc.answerAtOnce(undefined);
  const posted: PostedBooking[] = [];
  for (const mark of marks) {
    const count = mark - already - posted.length;
    say(`waiting bookings: ${count} more, up to ${mark} waiting (crew not answering)`);
    const started = Date.now();
    posted.push(
      ...(await runConcurrently(count, FILL_CONCURRENCY, () =>
        driver.postAndAwaitCrewEvent(sampleBooking(), EMAIL_TIMEOUT_MS),
      )),
    );
    say(`  ${((count / (Date.now() - started)) * 1000).toFixed(1)} bookings/s`);
    await sleep(RSS_SETTLE_MS);
    noteRss(already + posted.length);
  }
  return posted;
}

/**
 * The worker's NODE_OPTIONS: `base` (the compose file's for the build) with its heap limit replaced by
 * --heap when given, then BENCH_WORKER_NODE_OPTIONS as given, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
 * for a CPU profile of the worker, written when the stack stops it.
 */
export function workerNodeOptions(base: string, heapMb: number | undefined, extra: string | undefined): string {
  const limit = `--max-old-space-size=${heapMb}`;
  const withHeap =
    heapMb === undefined
      ? base
      : /--max-old-space-size=\d+/.test(base)
        ? base.replace(/--max-old-space-size=\d+/, limit)
        : `${base} ${limit}`;
  return [withHeap, extra ?? '']
    .map((o) => o.trim())
    .filter(Boolean)
    .join(' ');
}

function settingsFrom(args: string[], env: NodeJS.ProcessEnv): Settings {
  const settings = { ...DEFAULTS };
  const problems: string[] = [];
  const given = new Map<string, string>();
  settings.sources = env[SOURCES_ENV] === 'true';
  for (const arg of args) {
    if (arg === '--sources') {
      settings.sources = true;
      continue;
    }
    const match = /^--(\w+)=(.*)$/.exec(arg);
    if (match && match[1]! in SETTING_ENV) given.set(match[1]!, match[2]!);
    else problems.push(`unknown argument ${arg}`);
  }
  for (const name of Object.keys(SETTING_ENV) as NumericSetting[]) {
    const raw = given.get(name) ?? env[SETTING_ENV[name]];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    const zeroOk = ZERO_ALLOWED.has(name);
    if (Number.isInteger(value) && (value > 0 || (zeroOk && value === 0))) settings[name] = value;
    else
      problems.push(
        `--${name} (${SETTING_ENV[name]}) must be a ${zeroOk ? 'whole number' : 'positive integer'}, not ${raw}`,
      );
  }
  if (problems.length > 0) {
    const usage = [
      ...Object.entries(DEFAULTS).map(([name, value]) => `--${name}=${value}`),
      '--cache=N',
      '--heap=MB',
      '--sources',
    ];
    throw new Error(`${problems.join('; ')}\nusage: npm run bench -- pipeline [${usage.join('] [')}]`);
  }
  return settings;
}

/**
 * Ctrl-C or SIGTERM stops everything, then exits. One Ctrl-C under npm arrives more than once (npm and
 * tsx pass it on too), so only a signal well after the first means "stop waiting, kill it all". If
 * this process exits any other way, its children and temp dir go with it.
 */
function stopOnInterrupt(
  stack: LocalStack,
  dataDir: string,
  teardown: () => Promise<void>,
  say: (line: string) => void,
): () => void {
  let firstAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstAt === undefined) {
      firstAt = Date.now();
      say(`${signal}: stopping everything`);
      void teardown().finally(() => process.exit(130));
    } else if (Date.now() - firstAt > 1000) {
      say(`${signal} again: killing everything now`);
      process.exit(130);
    }
  };
  const onExit = () => {
    for (const child of stack.processes) if (child.pid !== undefined && groupAlive(child.pid)) void child.kill();
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', onExit);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  };
}
