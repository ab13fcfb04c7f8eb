// `npm run test:production`: what docker-compose.yml starts, without Docker and on loopback only, then
// bookings through it while it is crashed, restarted and redeployed. Exits non-zero on any failure.
//
//   PostgreSQL (a throwaway cluster under .data/) <- temporal-schema job (deploy/temporal/setup-schema.sh)
//   Temporal server (temporal-server start, config from the compose file's environment)
//     <- temporal-setup job (deploy/temporal/setup-namespace.sh: namespace, search attributes)
//   2 workers + 2 services + the codec server from `npm run build` output next to production
//   dependencies only, run as the image's runtime stage runs them; the JADA/SCC/SMTP stand-ins and moto.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { sampleBooking } from '../../sim/samples';
import type { Booking } from '../../src/domain/booking';
import type { BookingStatus } from '../../workflows/types';
import { NAMESPACE, ROOT } from '../local-stack/config';
import { acceptThroughMagicLink, crewMagicLinks } from '../local-stack/crew-inbox';
import { localDataConverter } from '../local-stack/keys';
import { ManagedProcess, freePort, poll, type ChildExit } from '../local-stack/processes';
import { LocalStack } from '../local-stack/stack';
import { ROLLING_CHANGE_MEMO, buildChangedWorkflowBundle } from './changed-workflow';
import { buildApp, composeWorkerNodeOptions, runtimeEnv } from './app';
import { composeService, dockerfileRuntime, everyVariableSet } from './compose';
import { reachableByPostgres, startPostgres, type Postgres } from './postgres';
import { TemporalServer, setupNamespace, setupSchema, type TemporalServerTools } from './temporal-server';

interface Tools {
  ensureTemporalCli(): { path: string; how: string; version?: string } | undefined;
  ensureMoto(): { path: string; version: string };
  ensureTemporalServer(): TemporalServerTools & { how: string; home: string };
}

const BOOKINGS = 6;
const STAGE_TIMEOUT_MS = 120_000;
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
const say = (line: string) => process.stdout.write(`[production ${elapsed().padStart(5)}] ${line}\n`);

const cleanup: (() => Promise<unknown>)[] = [];
const unexpectedExits: string[] = [];

/** The compose file's commands for the app services must be what the stack runs from the build. */
function checkAppCommands(): void {
  const vars = everyVariableSet();
  const expected = {
    worker: 'dist/worker/main.js',
    service: 'dist/src/service/main.js',
    'codec-server': 'dist/src/codec-server/main.js',
  };
  for (const [name, entry] of Object.entries(expected)) {
    assert.deepEqual(composeService(name, vars).command, ['node', entry], `docker-compose.yml ${name}.command`);
  }
  assert.deepEqual(dockerfileRuntime().cmd, ['node', 'dist/worker/main.js'], 'the Dockerfile runtime CMD');
}

/** The heap limit a worker reported in its "worker started" line. */
function reportedHeapLimitMb(worker: ManagedProcess): number | undefined {
  const line = worker
    .output()
    .split('\n')
    .find((l) => l.includes('"msg":"worker started"'));
  const json = line?.slice(line.indexOf('{'));
  return json ? (JSON.parse(json) as { heapLimitMb?: number }).heapLimitMb : undefined;
}

/** The binary a running process executes, and its `--version`: what each process really runs on. */
function runtimeOf(pid: number | undefined): string {
  if (pid === undefined) return 'not running';
  const exe = readlinkSync(`/proc/${pid}/exe`);
  return `${execFileSync(exe, ['--version'], { encoding: 'utf8' }).trim()} (${exe})`;
}

async function main(): Promise<void> {
  const tools = (await import(pathToFileURL(join(ROOT, 'scripts', 'tools.mjs')).href)) as Tools;
  const cli = tools.ensureTemporalCli();
  if (!cli) throw new Error('the production test needs the Temporal CLI (the admin-tools image has it): install Go');
  const moto = tools.ensureMoto();
  const server = tools.ensureTemporalServer();
  say(`Temporal server ${server.version} (${server.how}); Temporal CLI ${cli.path}; moto ${moto.version}`);
  checkAppCommands();

  const dataDir = join(ROOT, '.data', 'production');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(join(dataDir, 'logs'), { recursive: true });
  const logs = join(dataDir, 'logs');
  const vars = { POSTGRES_PASSWORD: randomBytes(18).toString('base64url') };

  // PostgreSQL as the compose file's `postgresql` service: user temporal, password from .env.
  const pgEnv = composeService('postgresql', vars).environment;
  let pgDir = join(dataDir, 'postgres');
  if (!reachableByPostgres(dataDir)) {
    pgDir = join(mkdtempSync(join(tmpdir(), 'charter-production-pg-')), 'data');
    execFileSync('chmod', ['755', join(pgDir, '..')]);
    say(`the postgres user cannot reach ${dataDir}: the cluster goes to ${pgDir}`);
  }
  const pg: Postgres = await startPostgres({
    dataDir: pgDir,
    user: pgEnv.POSTGRES_USER!,
    password: pgEnv.POSTGRES_PASSWORD!,
    logFile: join(logs, 'postgres.log'),
  });
  cleanup.unshift(() => pg.stop());
  say(`PostgreSQL: ${pg.version} on ${pg.host}:${pg.port}, data in ${relative(ROOT, pgDir) || pgDir}`);

  // The schema job twice: compose runs it on every `up`, so it must be idempotent.
  for (const run of ['first', 'again']) {
    const out = await setupSchema(server, cli.path, pg, vars, join(logs, 'temporal-schema.log'));
    say(`temporal-schema (${run}): ${out.trim().split('\n').at(-1)}`);
  }
  const temporalServer = await TemporalServer.create(server, pg, vars, join(logs, 'temporal-server.log'));
  cleanup.unshift(() => temporalServer.stop());
  await temporalServer.start();
  say(`Temporal server: ${temporalServer.version} at ${temporalServer.address}`);
  say(`  environment: ${temporalServer.describeEnv()}`);
  for (const run of ['first', 'again']) {
    const out = await setupNamespace(server, cli.path, temporalServer.address, vars, join(logs, 'temporal-setup.log'));
    say(`temporal-setup (${run}): ${out.trim().split('\n').at(-1)}`);
  }

  const appDir = mkdtempSync(join(tmpdir(), 'charter-production-app-'));
  cleanup.push(async () => rmSync(appDir, { recursive: true, force: true }));
  say("npm run build, then npm ci --omit=dev in a copy outside the repository (the image's runtime stage)");
  buildApp(appDir);
  assert.equal(existsSync(join(appDir, 'node_modules', 'jest')), false, 'no devDependency in the copy');
  const changedBundle = join(dataDir, 'changed-workflow-bundle.js');
  const changed = buildChangedWorkflowBundle(join(dataDir, 'changed-sources'), changedBundle);

  const imageEnv = runtimeEnv(appDir);
  const workerNodeOptions = composeWorkerNodeOptions();
  const stack = new LocalStack({
    dataDir: join(dataDir, 'stack'),
    ports: 'free',
    tools: { motoServer: moto.path },
    temporal: { address: temporalServer.address },
    built: appDir,
    runtimeEnv: imageEnv,
    // As compose runs the worker: its NODE_OPTIONS replace the image's.
    env: { worker: { NODE_OPTIONS: workerNodeOptions } },
    onUnexpectedExit: (child: ManagedProcess, exit: ChildExit) =>
      unexpectedExits.push(`${child.name} exited (${exit.code ?? exit.signal})`),
  });
  cleanup.unshift(() => stack.stop());
  await stack.start();
  const service2Port = await freePort();
  const workers = [stack.worker!, await stack.startReplica('worker', 'worker-2')];
  const services = [
    stack.service!,
    await stack.startReplica('service', 'service-2', { SERVICE_PORT: String(service2Port) }),
  ];
  cleanup.unshift(async () => Promise.all([...workers, services[1]!].map((p) => p.stop())));
  const serviceUrls = [stack.info.urls.service, `http://127.0.0.1:${service2Port}`];
  say(
    `2 workers and 2 services from the build, NODE_ENV=${imageEnv.NODE_ENV}, bundle ${relative(appDir, imageEnv.WORKFLOW_BUNDLE_PATH ?? '')}`,
  );
  for (const child of [...workers, ...services, stack.codec!]) say(`  ${child.name.padEnd(9)} ${runtimeOf(child.pid)}`);
  // The compose file's heap limit reached the workers: what node reports with the same NODE_OPTIONS.
  const expectedHeapMb = Number(
    execFileSync(process.execPath, ['-p', 'Math.round(require("v8").getHeapStatistics().heap_size_limit / 2 ** 20)'], {
      env: { NODE_OPTIONS: workerNodeOptions },
      encoding: 'utf8',
    }).trim(),
  );
  for (const worker of workers)
    assert.equal(
      reportedHeapLimitMb(worker),
      expectedHeapMb,
      `${worker.name}'s heap limit (NODE_OPTIONS ${workerNodeOptions})`,
    );
  say(
    `workers' NODE_OPTIONS from docker-compose.yml: ${workerNodeOptions} (V8 heap limit ${expectedHeapMb} MB, as each reports)`,
  );

  const headers = { 'content-type': 'application/json', 'x-service-key': stack.keys.intakeKey };
  const tenant = stack.tenantId;
  const post = async (via: number, booking: Booking) => {
    const res = await fetch(`${serviceUrls[via]}/tenants/${tenant}/bookings`, {
      method: 'POST',
      headers,
      body: JSON.stringify(booking),
    });
    return { status: res.status, body: (await res.json()) as { workflowId: string } };
  };
  const status = async (via: number, booking: Booking): Promise<BookingStatus | undefined> => {
    const res = await fetch(
      `${serviceUrls[via]}/tenants/${tenant}/bookings/${booking.bookingId}?source=${booking.source}`,
      { headers },
    );
    return res.status === 200 ? ((await res.json()) as BookingStatus) : undefined;
  };
  const waitForStage = (booking: Booking, stage: BookingStatus['stage'], via = 0) =>
    poll(async () => ((await status(via, booking))?.stage === stage ? true : undefined), {
      timeoutMs: STAGE_TIMEOUT_MS,
      what: `booking ${booking.bookingId} reaching ${stage}`,
      intervalMs: 500,
    });
  const acceptCrew = async (workflowId: string) => {
    for (const url of crewMagicLinks(stack.scc, workflowId)) {
      const click = await acceptThroughMagicLink(url);
      assert.ok(click.status < 400, `crew answer through the inbox: HTTP ${click.status}`);
    }
  };

  // 1. Bookings through both services; each re-delivered through the other one.
  const bookings = Array.from({ length: BOOKINGS }, () => sampleBooking());
  const workflowIds: string[] = [];
  for (const [i, booking] of bookings.entries()) {
    const created = await post(i % 2, booking);
    assert.equal(created.status, 202, `booking ${i} through service-${(i % 2) + 1}`);
    workflowIds.push(created.body.workflowId);
    assert.equal(
      (await post((i + 1) % 2, booking)).status,
      200,
      `re-delivery of booking ${i} through the other service`,
    );
  }
  await Promise.all(bookings.map((b, i) => waitForStage(b, 'AWAITING_CREW', i % 2)));
  say(`${BOOKINGS} bookings through both services, each re-delivered through the other: all wait for crew`);

  // 2. A worker SIGKILLed and the Temporal server restarted while they wait.
  await workers[0]!.kill();
  say(`worker-1 SIGKILLed (${workers[0]!.exit?.signal}); restarting the Temporal server`);
  const restartedAt = Date.now();
  await temporalServer.restart();
  say(`Temporal server back in ${((Date.now() - restartedAt) / 1000).toFixed(1)} s`);
  const half = BOOKINGS / 2;
  for (const id of workflowIds.slice(0, half)) await acceptCrew(id);
  await Promise.all(bookings.slice(0, half).map((b) => waitForStage(b, 'KEEPING_PAGE_CURRENT', 1)));
  say(`crew of bookings 1-${half} accepted: published and emailed by worker-2 alone`);
  workers[0] = await stack.startReplica('worker', 'worker-1');

  // 3. A rolling restart onto changed workflow code (one patched() change), one worker at a time.
  const { path: bundlePath } = await changed;
  for (const [i, name] of ['worker-1', 'worker-2'].entries()) {
    await workers[i]!.stop();
    workers[i] = await stack.startReplica('worker', `${name}-v2`, { WORKFLOW_BUNDLE_PATH: bundlePath });
    say(`${name} replaced by ${name}-v2 on the changed workflow bundle`);
  }
  for (const id of workflowIds.slice(half)) await acceptCrew(id);
  await Promise.all(bookings.slice(half).map((b) => waitForStage(b, 'KEEPING_PAGE_CURRENT')));
  const jadaUpdatesBefore = stack.jada.counters.updated;
  const sccUpdatesBefore = stack.scc.counters.updated;
  const patchRes = await fetch(
    `${serviceUrls[1]}/tenants/${tenant}/bookings/${bookings[0]!.bookingId}?source=${bookings[0]!.source}`,
    {
      method: 'PATCH',
      headers: { ...headers, 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ guest: { partySize: 8 } }),
    },
  );
  assert.equal(patchRes.status, 200, `PATCH of booking 1 after the roll: ${await patchRes.clone().text()}`);
  // The change is done once its email is out and the booking sleeps again (the changed code's memo).
  const connection = await Connection.connect({ address: temporalServer.address });
  cleanup.unshift(() => connection.close());
  const client = new Client({ connection, namespace: NAMESPACE, dataConverter: localDataConverter(stack.keys) });
  // The workers also make the tenant's digest and roster schedules: a digest due meanwhile (07:00 in
  // the tenant's zone) or a roster is theirs, not a booking's, and is counted apart.
  const scheduledMail = (m: { subject: string }) => /^(Ops digest|Crew roster)/.test(m.subject);
  const bookingMails = async () => (await stack.outbox.messages()).filter((m) => !scheduledMail(m));
  const onChangedCode = async (workflowId: string) =>
    (await client.workflow.getHandle(workflowId).describe()).memo?.rolledOnto === ROLLING_CHANGE_MEMO.rolledOnto;
  await poll(
    async () =>
      (await bookingMails()).length === BOOKINGS + 1 && (await onChangedCode(workflowIds[0]!)) ? true : undefined,
    { timeoutMs: STAGE_TIMEOUT_MS, what: 'the change of booking 1 emailed to ops, and the booking asleep again' },
  );
  say(`crew of bookings ${half + 1}-${BOOKINGS} accepted and booking 1 changed, on the changed code`);

  // 4. Exactly once, and the changed code ran on bookings started before it without a replay failure.
  let taskFailures = 0;
  let changedCode = 0;
  for (const workflowId of workflowIds) {
    const handle = client.workflow.getHandle(workflowId);
    const history = await handle.fetchHistory();
    taskFailures += (history.events ?? []).filter(
      (e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
    ).length;
    if (await onChangedCode(workflowId)) changedCode += 1;
  }
  const all = await stack.outbox.messages();
  const mails = all.filter((m) => !scheduledMail(m));
  const byId = new Map<string, number>();
  for (const mail of all) if (mail.messageId) byId.set(mail.messageId, (byId.get(mail.messageId) ?? 0) + 1);
  const duplicates = [...byId].filter(([, count]) => count > 1);
  const summaries = await Promise.all(bookings.map((b) => status(0, b)));
  const summaryMails = summaries.filter((s) => s?.opsEmailMessageId && byId.get(s.opsEmailMessageId) === 1).length;
  const counts = {
    bookings: BOOKINGS,
    jadaEntriesCreated: stack.jada.counters.created,
    sccEventsCreated: stack.scc.counters.created,
    opsSummaryEmails: summaryMails,
    emailsSent: mails.length,
    duplicateMessageIds: duplicates.length,
    jadaUpdates: stack.jada.counters.updated - jadaUpdatesBefore,
    sccUpdates: stack.scc.counters.updated - sccUpdatesBefore,
    workflowTaskFailures: taskFailures,
    bookingsOnChangedCode: changedCode,
  };
  say('exactly-once counts after the SIGKILL, the server restart and the rolling restart:');
  for (const [name, value] of Object.entries(counts)) say(`  ${name.padEnd(22)} ${value}`);
  assert.equal(counts.jadaEntriesCreated, BOOKINGS, 'one JADA entry per booking');
  assert.equal(counts.sccEventsCreated, BOOKINGS, 'one SCC event per booking');
  assert.equal(counts.opsSummaryEmails, BOOKINGS, 'one ops summary per booking');
  assert.equal(counts.emailsSent, BOOKINGS + 1, 'the summaries and one change email, nothing else');
  assert.deepEqual(duplicates, [], 'no email sent twice');
  assert.equal(counts.jadaUpdates, 1, 'the change reached JADA once');
  assert.equal(counts.sccUpdates, 1, 'the change reached SCC once');
  assert.equal(taskFailures, 0, 'no workflow task failed (no nondeterminism across the roll)');
  // Bookings 4-6 slept again after their crew answered, booking 1 after its change: all on the new code.
  assert.equal(changedCode, half + 1, 'the bookings woken after the roll ran the changed code');
  assert.deepEqual(unexpectedExits, [], 'no process died unexpectedly');
  say(`passed in ${elapsed()}: Temporal ${temporalServer.version}; ${pg.version}; ${runtimeOf(workers[0]!.pid)}`);
}

async function stopAll(): Promise<void> {
  for (const step of cleanup) {
    try {
      await step();
    } catch (err) {
      process.stderr.write(`[production] cleanup: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
}

main().then(
  async () => {
    await stopAll();
    process.exit(0);
  },
  async (err: unknown) => {
    process.stderr.write(
      `\n[production] FAILED after ${elapsed()}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.stderr.write(
      `[production] logs: ${relative(process.cwd(), join(ROOT, '.data', 'production', 'logs'))}/ and .data/production/stack/logs/\n`,
    );
    if (unexpectedExits.length) process.stderr.write(`[production] unexpected exits: ${unexpectedExits.join('; ')}\n`);
    await stopAll();
    process.exit(1);
  },
);
