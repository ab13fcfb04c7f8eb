// `npm start`: the whole pipeline on this machine with no cloud account. Provisions the Temporal CLI
// and moto when missing, then starts and supervises: the Temporal dev server (state in
// .data/temporal.sqlite), moto (S3 + CloudFront), the JADA and SCC stand-ins with the crew inbox, the
// SMTP catcher with its outbox page, one edge server per guest site, the worker and the HTTP service.
// Any child that dies stops everything (nothing is restarted behind your back); Ctrl-C or SIGTERM
// stops everything cleanly.
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startCloudFrontShim, type CloudFrontShim } from '../sim/cloudfront-dedupe';
import { startEdge, type Edge } from '../sim/edge';
import { startJadaSim, type JadaSim } from '../sim/jada';
import { startOutbox, type Outbox } from '../sim/outbox';
import { startSccSim, type SccSim } from '../sim/scc';
import { BUCKETS, localAwsClients, provisionAws } from './local-stack/aws';
import { NAMESPACE, ROOT, TENANT_ID, stackConfig, stackPaths } from './local-stack/config';
import { waitForHttp } from './local-stack/http';
import { ensureLocalKeys } from './local-stack/keys';
import { assertPortsFree } from './local-stack/ports';
import { readStackInfo, removeStackInfo, stackRunning, writeStackInfo, type StackInfo } from './local-stack/stack-file';
import { describeExit, groupAlive, SupervisedChild, type ChildExit, type ChildSpec } from './local-stack/supervisor';
import { temporalDevServerArgs, waitForTemporal } from './local-stack/temporal';
import { baseChildEnv, localTenant, stackEnvs, writeEnvFile, writeTenantsFile } from './local-stack/tenant';

interface Tools {
  ensureTemporalCli(): { path: string; how: string; version?: string } | undefined;
  ensureMoto(): { path: string; version: string };
}

const say = (line: string) => process.stdout.write(`[stack] ${line}\n`);

const children: SupervisedChild[] = [];
const inProcess: { scc?: SccSim; jada?: JadaSim; outbox?: Outbox; edge?: Edge; closeAws?: () => void } = {};
let cloudfrontShim: CloudFrontShim | undefined;
let stopping: Promise<void> | undefined;
let stackFile: string | undefined;

function onUnexpectedExit(child: SupervisedChild, exit: ChildExit): void {
  if (stopping) return;
  process.stderr.write(
    `\n[stack] ${child.name} ${describeExit(exit)}. Its last lines (full log: ${child.spec.logFile}):\n`,
  );
  for (const line of child.lastLines()) process.stderr.write(`  | ${line}\n`);
  void shutdown(1, `${child.name} stopped`);
}

/** Stops in dependency order: intake first, then the worker (which may still be calling stand-ins), Temporal last. */
function shutdown(code: number, reason: string): Promise<void> {
  if (children.length === 0 && Object.keys(inProcess).length === 0) process.exit(code);
  stopping ??= (async () => {
    const since = Date.now();
    say(`stopping (${reason})...`);
    const byName = (name: string) => children.find((c) => c.name === name);
    await byName('service')?.stop();
    await byName('worker')?.stop();
    inProcess.closeAws?.();
    await Promise.allSettled([
      inProcess.scc?.stop(),
      inProcess.jada?.stop(),
      inProcess.outbox?.stop(),
      inProcess.edge?.stop(),
      cloudfrontShim?.stop(),
      byName('moto')?.stop(),
    ]);
    await byName('temporal')?.stop();
    if (stackFile) removeStackInfo(stackFile);
    say(`${code === 0 ? 'stopped' : 'stopped after a failure'} in ${((Date.now() - since) / 1000).toFixed(1)} s`);
    process.exit(code);
  })();
  return stopping;
}

function start(spec: ChildSpec): SupervisedChild {
  const child = new SupervisedChild(spec, onUnexpectedExit);
  children.push(child);
  return child;
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  // The AWS SDK warns in every process that Node 20 support ends in 2027; the machine runs Node 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { ports, dataDir } = stackConfig(process.env);
  const paths = stackPaths(dataDir);
  const previous = readStackInfo(paths.stack);
  if (previous && stackRunning(previous)) {
    throw new Error(
      `A local stack (pid ${previous.pid}) already runs on ${relative(ROOT, dataDir) || dataDir}: stop it first (Ctrl-C in its terminal).`,
    );
  }
  if (previous) {
    const left = Object.entries(previous.children).filter(([, pid]) => groupAlive(pid));
    if (left.length > 0) {
      say(
        `a previous stack did not stop cleanly; still running: ${left.map(([name, pid]) => `${name} (kill -- -${pid})`).join(', ')}`,
      );
    }
    removeStackInfo(paths.stack);
  }
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

  for (const dir of [dataDir, paths.logs, paths.outbox]) mkdirSync(dir, { recursive: true });
  const host = '127.0.0.1';
  const url = (port: number) => `http://${host}:${port}`;
  const urls = {
    temporalUi: url(ports.temporalUi),
    service: url(ports.service),
    moto: url(ports.moto),
  };
  const temporalAddress = `${host}:${ports.temporal}`;
  const childEnv = baseChildEnv(process.env);
  const logFile = (name: string) => join(paths.logs, `${name}.log`);

  const temporal = start({
    name: 'temporal',
    command: cli.path,
    args: temporalDevServerArgs({ port: ports.temporal, uiPort: ports.temporalUi, dbFile: paths.temporalDb }),
    env: childEnv,
    cwd: ROOT,
    logFile: logFile('temporal'),
    stopTimeoutMs: 10_000,
  });
  const motoServer = start({
    name: 'moto',
    command: moto.path,
    args: ['-H', host, '-p', String(ports.motoUpstream)],
    env: childEnv,
    cwd: ROOT,
    logFile: logFile('moto'),
  });
  // Everyone reaches moto through the shim, which dedupes invalidations by CallerReference as CloudFront does.
  cloudfrontShim = await startCloudFrontShim({ upstream: url(ports.motoUpstream), port: ports.moto });

  const { keys, created } = await ensureLocalKeys(paths.keys);
  if (created) say(`generated local keys in ${paths.keys}`);
  const aws = localAwsClients(urls.moto);
  inProcess.closeAws = () => {
    aws.s3.destroy();
    aws.cloudfront.destroy();
  };
  const crewResponseUrl = `${urls.service}/tenants/${TENANT_ID}/crew-responses`;
  [inProcess.outbox, inProcess.jada, inProcess.scc, inProcess.edge] = await Promise.all([
    startOutbox({ dir: paths.outbox, smtpPort: ports.smtp, httpPort: ports.outbox }),
    startJadaSim({ token: keys.jadaDashboardToken, port: ports.jada }),
    startSccSim({
      serviceKeyHash: keys.hashes.sccServiceKey,
      port: ports.scc,
      cdnPort: ports.sccCdn,
      callback: { url: crewResponseUrl, serviceKey: keys.crewCallbackKey },
    }),
    startEdge({
      s3: aws.s3,
      sites: [
        { name: 'nested', bucket: BUCKETS.nested, port: ports.edgeNested },
        { name: 'flat', bucket: BUCKETS.flat, port: ports.edgeFlat },
      ],
    }),
  ]);
  const { outbox, jada, scc, edge } = inProcess as Required<typeof inProcess>;
  const edgeOrigins = { nested: edge.origins.nested ?? '', flat: edge.origins.flat ?? '' };

  await waitForHttp(`${urls.moto}/moto-api/`, {
    timeoutMs: 30_000,
    what: 'moto',
    stillRunning: () => motoServer.exit === undefined,
  });
  const sites = await provisionAws(aws.s3, aws.cloudfront);
  const envs = stackEnvs({
    keys,
    tenantsFile: paths.tenants,
    temporalAddress,
    temporalUiUrl: urls.temporalUi,
    smtpUrl: outbox.smtpUrl,
    motoUrl: urls.moto,
    serviceHost: host,
    servicePort: ports.service,
    serviceUrl: urls.service,
  });
  writeTenantsFile(
    paths.tenants,
    localTenant(keys, { jada: jada.url, sccApi: scc.apiUrl, edge: edgeOrigins }, sites),
    envs.worker,
  );
  const generated = (file: string, entry: string) =>
    `Generated by npm start, for \`node --env-file=${file} --import tsx ${entry}\``;
  writeEnvFile(paths.workerEnv, generated(paths.workerEnv, 'worker/main.ts'), envs.worker);
  writeEnvFile(paths.serviceEnv, generated(paths.serviceEnv, 'src/service/main.ts'), envs.service);

  await waitForTemporal(temporalAddress, 60_000, () => temporal.exit === undefined);
  say(
    `Temporal dev server ready (${((Date.now() - startedAt) / 1000).toFixed(1)} s); starting the worker and the service`,
  );

  // `node --import tsx` is `tsx` without its wrapper process: signals reach the program itself.
  const tsNode = (entry: string) => [process.execPath, ['--import', 'tsx', entry]] as const;
  const [workerCmd, workerArgs] = tsNode('worker/main.ts');
  const worker = start({
    name: 'worker',
    command: workerCmd,
    args: [...workerArgs],
    env: { ...childEnv, ...envs.worker },
    cwd: ROOT,
    logFile: logFile('worker'),
    echo: true,
    stopTimeoutMs: 15_000,
  });
  const [serviceCmd, serviceArgs] = tsNode('src/service/main.ts');
  const service = start({
    name: 'service',
    command: serviceCmd,
    args: [...serviceArgs],
    env: { ...childEnv, ...envs.service },
    cwd: ROOT,
    logFile: logFile('service'),
    echo: true,
    stopTimeoutMs: 10_000,
  });
  await Promise.all([
    worker.waitForLine(/"msg":"worker started"/, 180_000, 'the worker registering with Temporal'),
    waitForHttp(`${urls.service}/readyz`, {
      timeoutMs: 60_000,
      what: 'the service',
      stillRunning: () => service.exit === undefined,
    }),
  ]);

  const info: StackInfo = {
    startedAt: new Date(startedAt).toISOString(),
    pid: process.pid,
    tenant: TENANT_ID,
    namespace: NAMESPACE,
    urls: {
      ...urls,
      crewInbox: `${scc.apiUrl}/inbox`,
      outbox: outbox.url,
      edge: edgeOrigins,
      jada: jada.url,
      sccApi: scc.apiUrl,
      sccCdn: scc.cdnUrl,
    },
    temporalAddress,
    smtpUrl: outbox.smtpUrl,
    files: {
      tenants: paths.tenants,
      keys: paths.keys,
      workerEnv: paths.workerEnv,
      serviceEnv: paths.serviceEnv,
      logs: paths.logs,
      temporalDb: paths.temporalDb,
    },
    children: Object.fromEntries(children.flatMap((c) => (c.pid === undefined ? [] : [[c.name, c.pid]]))),
  };
  stackFile = paths.stack;
  writeStackInfo(paths.stack, info);
  printBanner(info, (Date.now() - startedAt) / 1000);
}

function printBanner(info: StackInfo, seconds: number): void {
  const rel = (path: string) => {
    const shorter = relative(process.cwd(), path);
    return shorter === '' || shorter.startsWith('..') ? path : shorter;
  };
  const rows: [string, string][] = [
    ['Temporal UI', info.urls.temporalUi],
    ['Temporal gRPC', info.temporalAddress],
    [
      'Service',
      `${info.urls.service}  (POST /tenants/${info.tenant}/bookings, X-Service-Key: intakeKey in ${rel(info.files.keys)})`,
    ],
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
      '  Post a sample booking:  npm run demo',
      `  Config: ${rel(info.files.tenants)}, ${rel(info.files.workerEnv)}, ${rel(info.files.serviceEnv)}   Logs: ${rel(info.files.logs)}/`,
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
    for (const child of children) child.kill();
    process.exit(1);
  });
}
// A crash of this script must not leave servers behind that the next start would trip over.
process.on('exit', () => {
  for (const child of children) if (child.exit === undefined) child.kill();
});

main().catch((err: unknown) => {
  process.stderr.write(`\n[stack] ${err instanceof Error ? err.message : String(err)}\n`);
  void shutdown(1, 'start-up failed');
});
