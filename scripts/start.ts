// `npm start`: the whole pipeline on this machine with no cloud account (scripts/local-stack/stack.ts).
// Provisions the Temporal CLI and moto when missing, starts the local stack on its fixed ports with its
// state in .data/, prints every URL, and supervises it: any child that dies stops everything (nothing
// is restarted behind your back); Ctrl-C or SIGTERM stops everything cleanly.
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, stackConfig, stackPaths } from './local-stack/config';
import { assertPortsFree } from './local-stack/ports';
import { describeExit, groupAlive, type ManagedProcess } from './local-stack/processes';
import { LocalStack } from './local-stack/stack';
import { readStackInfo, removeStackInfo, stackRunning, type StackInfo } from './local-stack/stack-file';

interface Tools {
  ensureTemporalCli(): { path: string; how: string; version?: string } | undefined;
  ensureMoto(): { path: string; version: string };
}

const say = (line: string) => process.stdout.write(`[stack] ${line}\n`);

let stack: LocalStack | undefined;
let stopping: Promise<void> | undefined;

function shutdown(code: number, reason: string): Promise<void> {
  stopping ??= (async () => {
    const since = Date.now();
    say(`stopping (${reason})...`);
    await stack?.stop();
    say(`${code === 0 ? 'stopped' : 'stopped after a failure'} in ${((Date.now() - since) / 1000).toFixed(1)} s`);
    process.exit(code);
  })();
  return stopping;
}

function onUnexpectedExit(child: ManagedProcess): void {
  if (stopping) return;
  process.stderr.write(
    `\n[stack] ${child.name} ${describeExit(child.exit!)}. Its last lines (full log: ${child.spec.logFile}):\n`,
  );
  for (const line of child.lastLines()) process.stderr.write(`  | ${line}\n`);
  void shutdown(1, `${child.name} stopped`);
}

/** A stack file whose supervisor is gone: say what it left running, then forget it. */
function checkPrevious(path: string, dataDir: string): void {
  const previous = readStackInfo(path);
  if (!previous) return;
  if (stackRunning(previous)) {
    throw new Error(
      `A local stack (pid ${previous.pid}) already runs on ${relative(ROOT, dataDir) || dataDir}: stop it first (Ctrl-C in its terminal).`,
    );
  }
  const left = Object.entries(previous.children).filter(([, pid]) => groupAlive(pid));
  if (left.length > 0) {
    say(
      `a previous stack did not stop cleanly; still running: ${left.map(([name, pid]) => `${name} (kill -- -${pid})`).join(', ')}`,
    );
  }
  removeStackInfo(path);
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const { ports, dataDir } = stackConfig(process.env);
  checkPrevious(stackPaths(dataDir).stack, dataDir);
  await assertPortsFree(ports);

  const tools = (await import(pathToFileURL(join(ROOT, 'scripts', 'tools.mjs')).href)) as Tools;
  const cli = tools.ensureTemporalCli();
  if (!cli) {
    throw new Error(
      'npm start needs the Temporal CLI: install Go (the CLI is then built once into .tools/bin), ' +
        'or install `temporal` (https://docs.temporal.io/cli) and put it on PATH or in TEMPORAL_CLI_PATH.',
    );
  }
  const moto = tools.ensureMoto();
  say(`Temporal CLI: ${cli.path} (${cli.how}); moto ${moto.version}`);

  stack = new LocalStack({
    dataDir,
    ports,
    tools: { temporalCli: cli.path, motoServer: moto.path },
    echo: true,
    traces: true,
    onUnexpectedExit,
    say,
  });
  await stack.start();
  printBanner(stack.info, (Date.now() - startedAt) / 1000);
}

function printBanner(info: StackInfo, seconds: number): void {
  const rel = (path: string) => {
    const shorter = relative(process.cwd(), path);
    return shorter === '' || shorter.startsWith('..') ? path : shorter;
  };
  const rows: [string, string][] = [
    ['Temporal UI', info.urls.temporalUi],
    ['Temporal gRPC', info.temporalAddress],
    ['Codec server', `${info.urls.codec}  (the UI decrypts through it; CLI: --codec-endpoint ${info.urls.codec})`],
    [
      'Service',
      `${info.urls.service}  (POST /tenants/${info.tenant}/bookings, X-Service-Key: intakeKey in ${rel(info.files.keys)})`,
    ],
    ['FareHarbor webhook', info.urls.fareHarborWebhook],
    ['Ops page', `${info.urls.opsPage}  (log in with opsKey from ${rel(info.files.keys)})`],
    ['Boatsetter feed', `${info.urls.feed}  (synced every 15 min on a Temporal Schedule; npm run demo -- feed)`],
    ['Crew inbox (SCC)', info.urls.crewInbox],
    ['Outbox', `${info.urls.outbox}  (SMTP ${info.smtpUrl})`],
    ['Guest site nested', `${info.urls.edge.nested}/g/{slug}`],
    ['Guest site flat', `${info.urls.edge.flat}/g/{slug}.html`],
    ['JADA calendar', `${info.urls.jada}/calendar/events  (X-Dashboard-Token: jadaDashboardToken)`],
    ['SCC API / CDN', `${info.urls.sccApi}  /  ${info.urls.sccCdn}`],
    ['S3 + CloudFront', `${info.urls.moto}  (moto, behind the CloudFront shim)`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  process.stdout.write(
    [
      '',
      `charter-fulfillment local stack is up in ${seconds.toFixed(1)} s`,
      '',
      ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
      '',
      '  Post a sample booking:  npm run demo   (as FareHarbor delivers it: npm run demo -- fareharbor;',
      '  a Boatsetter calendar event, then moved, then removed: npm run demo -- feed [new|move|remove])',
      `  Config: ${rel(info.files.tenants)}, ${rel(info.files.workerEnv)}, ${rel(info.files.serviceEnv)}   Logs: ${rel(info.files.logs)}/`,
      ...(info.files.spans ? [`  Spans, one JSON line each (a trace per booking): ${rel(info.files.spans)}`] : []),
      '  Stand-in state (JADA, SCC, S3/CloudFront in moto) resets on restart; Temporal state persists in',
      `  ${rel(info.files.temporalDb)}. Ctrl-C stops everything.`,
      '',
      '',
    ].join('\n'),
  );
}

/**
 * One Ctrl-C under `npm start` arrives more than once: the terminal signals the whole foreground group,
 * and npm and tsx each pass it on as well. Only a signal well after the first one means "stop waiting".
 */
const REPEATED_SIGNAL_MS = 1000;
let firstSignalAt: number | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (firstSignalAt === undefined) {
      firstSignalAt = Date.now();
      return void shutdown(0, signal);
    }
    if (Date.now() - firstSignalAt < REPEATED_SIGNAL_MS) return;
    say(`${signal} again: killing everything now`);
    for (const child of stack?.processes ?? []) void child.kill();
    process.exit(1);
  });
}
// A crash of this script must not leave servers behind that the next start would trip over.
process.on('exit', () => {
  for (const child of stack?.processes ?? []) if (child.running) void child.kill();
});

main().catch((err: unknown) => {
  process.stderr.write(`\n[stack] ${err instanceof Error ? err.message : String(err)}\n`);
  void shutdown(1, 'start-up failed');
});
