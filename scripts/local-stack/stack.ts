import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startEdge, type Edge } from '../../sim/edge';
import { startFeedSim, type FeedSim } from '../../sim/feeds';
import { startFaultyProxy, type FaultyProxy } from '../../sim/faulty-proxy';
import { startJadaSim, type JadaSim } from '../../sim/jada';
import { startOutbox, type Outbox } from '../../sim/outbox';
import { startSccSim, type SccSim, type SccSimOptions } from '../../sim/scc';
import type { Tenant } from '../../src/config/tenant';
import { loadTenantsFile } from '../../src/config/tenants-file';
import { ensureWorkflowBundle } from './bundle';
import { localAwsClients, localBuckets, provisionAws, startLocalAws, type LocalAws } from './aws';
import { NAMESPACE, PORTS, ROOT, TENANT_ID, stackPaths, type Ports, type StackPaths } from './config';
import { ensureLocalKeys, type LocalKeys } from './keys';
import { ManagedProcess, freePort, waitForHttp, type ChildExit } from './processes';
import { removeStackInfo, writeStackInfo, type StackInfo } from './stack-file';
import { temporalDevServerArgs, waitForTemporal } from './temporal';
import {
  baseChildEnv,
  LOCAL_FEED,
  fareHarborWebhookUrl,
  opsPageUrl,
  localTenant,
  stackEnvs,
  writeEnvFile,
  writeTenantsFile,
  type StackEnvs,
} from './tenant';

export type AppRole = 'worker' | 'service';

export interface LocalStackOptions {
  /** State that outlives a restart (Temporal's SQLite, keys, the outbox), generated configuration and logs. */
  dataDir: string;
  /** Fixed ports (npm start), or free ones picked for this stack (tests, benchmarks). */
  ports: Ports | 'free';
  /** Where the tools are: the Temporal CLI and moto's server (scripts/tools.mjs provides both). */
  tools: { temporalCli?: string; motoServer?: string };
  /** A Temporal to use instead of starting the dev server (the tests share one per run). */
  temporal?: { address: string };
  /**
   * PAYLOAD_KEYS instead of the keys file's: stacks sharing one Temporal (the tests) must share them,
   * as every process of one namespace does (the worker reads the others' schedules).
   */
  payloadKeys?: string;
  /** A running moto (behind its CloudFront shim) to use instead of starting one. */
  awsUrl?: string;
  tenantId?: string;
  /** Prefix of the stack's bucket names, so that stacks sharing a moto keep apart. */
  resourcePrefix?: string;
  taskQueue?: string;
  /** Added to the worker's and the service's environment (shorter crew deadlines, a metrics port). */
  env?: { worker?: Record<string, string>; service?: Record<string, string> };
  /**
   * Run the worker and service from `npm run build` output in this directory (dist/ next to production
   * dependencies only), as the image does; without it they run from the TypeScript sources.
   */
  built?: string;
  /** With `built`: the image's runtime environment (the Dockerfile's ENV), else NODE_ENV and the bundle path. */
  runtimeEnv?: Record<string, string>;
  /**
   * Put a proxy that can inject failures (sim/faulty-proxy.ts) between the worker and S3/CloudFront:
   * `stack.awsFaults`. The stand-ins' own faults are on `jada.faults`, `scc.faults`, `outbox.faults`.
   */
  faultyAws?: boolean;
  /** The SCC stand-in's crew give this answer as soon as their event exists (the pipeline benchmark). */
  crewAnswerAtOnce?: SccSimOptions['answerAtOnce'];
  /**
   * The worker and the service write every span to `logs/spans.jsonl` (TRACES_FILE; npm start). The
   * OTEL_* variables of this shell reach them either way, e.g. an OTLP endpoint for a local Jaeger.
   */
  traces?: boolean;
  /** Print every child's lines on stdout as well (npm start). */
  echo?: boolean;
  /** A child exited that nobody stopped. */
  onUnexpectedExit?: (child: ManagedProcess, exit: ChildExit) => void;
  /** Progress lines. */
  say?: (line: string) => void;
}

/** How long each part may take to come up on a busy two-core machine. */
const STARTUP_TIMEOUT_MS = { temporal: 60_000, worker: 180_000, service: 60_000, codec: 60_000 };

/**
 * The whole pipeline on one machine with no cloud account: the Temporal dev server on a SQLite file,
 * moto behind the CloudFront shim, the JADA and SCC stand-ins (crew inbox included), the SMTP outbox,
 * an edge server per guest site running the CloudFront Function, and the worker and the service as
 * child processes configured by environment only, as in production. `npm start`, its test, the
 * end-to-end tests and the pipeline benchmark all run this one.
 */
export class LocalStack {
  readonly paths: StackPaths;
  readonly tenantId: string;
  /** Set by start(). */
  info!: StackInfo;
  keys!: LocalKeys;
  envs!: StackEnvs;
  /** The tenant as the worker loads it, secrets resolved. */
  tenant!: Tenant;
  jada!: JadaSim;
  scc!: SccSim;
  outbox!: Outbox;
  edge!: Edge;
  /** The marketplace feed stand-in: the demo and tests edit its events. */
  feeds!: FeedSim;
  /** Clients for S3 and CloudFront through the shim, for set-up and assertions. */
  aws!: { s3: S3Client; cloudfront: CloudFrontClient; url: string };
  /** Between the worker and S3/CloudFront, with `faultyAws`. */
  awsFaults?: FaultyProxy;
  worker?: ManagedProcess;
  service?: ManagedProcess;
  /** The codec server the Temporal UI and CLI decrypt payloads through. */
  codec?: ManagedProcess;
  temporal?: ManagedProcess;
  /** From the sources (without `built`): the bundle the worker loads, made once per version of them. */
  workflowBundle?: string;
  private localAws?: LocalAws;
  private ports!: Ports;
  private stopping?: Promise<void>;

  constructor(private readonly options: LocalStackOptions) {
    this.paths = stackPaths(options.dataDir);
    this.tenantId = options.tenantId ?? TENANT_ID;
  }

  /** Starts every part and resolves once all answer; on a failure, stops what did start and rethrows. */
  async start(): Promise<this> {
    try {
      await this.startParts();
    } catch (err) {
      await this.stop();
      throw err;
    }
    return this;
  }

  /** Every child process, in start order: those the stack started and still knows. */
  get processes(): ManagedProcess[] {
    return [this.temporal, this.localAws?.process, this.codec, this.worker, this.service].filter(
      (child): child is ManagedProcess => child !== undefined,
    );
  }

  private async startParts(): Promise<void> {
    const { options, paths } = this;
    const startedAt = Date.now();
    const say = options.say ?? (() => undefined);
    this.ports = options.ports === 'free' ? await freePorts() : options.ports;
    const { ports } = this;
    for (const dir of [options.dataDir, paths.logs, paths.outbox]) mkdirSync(dir, { recursive: true });
    const url = (port: number) => `http://127.0.0.1:${port}`;
    const childEnv = baseChildEnv(process.env);
    const logFile = (name: string) => join(paths.logs, `${name}.log`);
    const watch = options.onUnexpectedExit;

    if (!options.temporal) {
      if (!options.tools.temporalCli) throw new Error('the local stack needs the Temporal CLI (scripts/tools.mjs)');
      this.temporal = new ManagedProcess(
        {
          name: 'temporal',
          command: options.tools.temporalCli,
          args: temporalDevServerArgs({
            port: ports.temporal,
            uiPort: ports.temporalUi,
            dbFile: paths.temporalDb,
            codecUrl: url(ports.codec),
          }),
          env: childEnv,
          logFile: logFile('temporal'),
          stopTimeoutMs: 10_000,
        },
        watch,
      );
    }
    const temporalAddress = options.temporal?.address ?? `127.0.0.1:${ports.temporal}`;
    if (!options.awsUrl) {
      if (!options.tools.motoServer) throw new Error('the local stack needs moto (scripts/tools.mjs)');
      this.localAws = await startLocalAws({
        motoServer: options.tools.motoServer,
        port: ports.moto,
        upstreamPort: ports.motoUpstream,
        logFile: logFile('moto'),
        env: childEnv,
        onUnexpectedExit: watch,
      });
    }
    const awsUrl = options.awsUrl ?? this.localAws!.url;

    const { keys, created } = await ensureLocalKeys(paths.keys);
    if (created) say(`generated local keys in ${paths.keys}`);
    this.keys = options.payloadKeys ? { ...keys, payloadKeys: options.payloadKeys } : keys;
    const clients = localAwsClients(awsUrl);
    this.aws = { ...clients, url: awsUrl };
    const buckets = localBuckets(options.resourcePrefix ?? this.tenantId);
    const serviceUrl = url(ports.service);
    [this.outbox, this.jada, this.scc, this.edge, this.feeds] = await Promise.all([
      startOutbox({ dir: paths.outbox, smtpPort: ports.smtp, httpPort: ports.outbox }),
      startJadaSim({ token: keys.jadaDashboardToken, port: ports.jada }),
      startSccSim({
        serviceKeyHash: keys.hashes.sccServiceKey,
        port: ports.scc,
        cdnPort: ports.sccCdn,
        callback: { url: `${serviceUrl}/tenants/${this.tenantId}/crew-responses`, serviceKey: keys.crewCallbackKey },
        answerAtOnce: options.crewAnswerAtOnce,
      }),
      startEdge({
        s3: clients.s3,
        sites: [
          { name: 'nested', bucket: buckets.nested, port: ports.edgeNested },
          { name: 'flat', bucket: buckets.flat, port: ports.edgeFlat },
        ],
      }),
      startFeedSim({ port: ports.feeds }),
    ]);
    const feedUrl = this.feeds.feedUrl(LOCAL_FEED.standInName);
    const edgeOrigins = { nested: this.edge.origins.nested ?? '', flat: this.edge.origins.flat ?? '' };

    const sites = await provisionAws(clients.s3, clients.cloudfront, buckets, [edgeOrigins.nested, edgeOrigins.flat]);
    if (options.faultyAws) this.awsFaults = await startFaultyProxy(awsUrl);
    this.envs = stackEnvs({
      keys: this.keys,
      tenantsFile: paths.tenants,
      temporalAddress,
      temporalUiUrl: url(ports.temporalUi),
      codecPort: ports.codec,
      smtpUrl: this.outbox.smtpUrl,
      motoUrl: this.awsFaults?.url ?? awsUrl,
      serviceHost: '127.0.0.1',
      servicePort: ports.service,
      serviceUrl,
      stateBucket: buckets.state,
      taskQueue: options.taskQueue,
    });
    if (options.traces) {
      this.envs.worker.TRACES_FILE = paths.spans;
      this.envs.service.TRACES_FILE = paths.spans;
    }
    const tenantEntry = localTenant(
      this.tenantId,
      keys,
      { jada: this.jada.url, sccApi: this.scc.apiUrl, edge: edgeOrigins, feed: feedUrl },
      { ...sites, uploadsBucket: buckets.uploads },
    );
    writeTenantsFile(paths.tenants, tenantEntry, this.envs.worker);
    [this.tenant] = loadTenantsFile(paths.tenants, this.envs.worker) as [Tenant];
    const generated = (file: string, entry: string) =>
      `Generated by npm start, for \`node --env-file=${file} --import tsx ${entry}\``;
    writeEnvFile(paths.workerEnv, generated(paths.workerEnv, 'worker/main.ts'), this.envs.worker);
    writeEnvFile(paths.serviceEnv, generated(paths.serviceEnv, 'src/service/main.ts'), this.envs.service);
    writeEnvFile(paths.codecEnv, generated(paths.codecEnv, 'src/codec-server/main.ts'), this.envs.codec);
    await this.startCodecServer();

    if (this.temporal) {
      const temporal = this.temporal;
      await waitForTemporal(temporalAddress, STARTUP_TIMEOUT_MS.temporal, () => temporal.running);
      say(`Temporal dev server ready (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
    }
    if (!options.built) {
      const bundle = await ensureWorkflowBundle();
      this.workflowBundle = bundle.path;
      say(`workflow bundle ${relative(ROOT, bundle.path)}: ${bundle.how}`);
    }
    say('starting the worker and the service');
    await this.startApp();

    this.info = {
      startedAt: new Date(startedAt).toISOString(),
      pid: process.pid,
      tenant: this.tenantId,
      namespace: NAMESPACE,
      urls: {
        temporalUi: url(ports.temporalUi),
        codec: url(ports.codec),
        service: serviceUrl,
        fareHarborWebhook: fareHarborWebhookUrl(serviceUrl, this.tenantId, keys),
        opsPage: opsPageUrl(serviceUrl, this.tenantId),
        feed: feedUrl,
        feeds: this.feeds.url,
        moto: awsUrl,
        crewInbox: `${this.scc.apiUrl}/inbox`,
        outbox: this.outbox.url,
        edge: edgeOrigins,
        jada: this.jada.url,
        sccApi: this.scc.apiUrl,
        sccCdn: this.scc.cdnUrl,
      },
      temporalAddress,
      smtpUrl: this.outbox.smtpUrl,
      files: {
        tenants: paths.tenants,
        keys: paths.keys,
        workerEnv: paths.workerEnv,
        serviceEnv: paths.serviceEnv,
        codecEnv: paths.codecEnv,
        logs: paths.logs,
        ...(options.traces ? { spans: paths.spans } : {}),
        temporalDb: paths.temporalDb,
      },
      children: Object.fromEntries(
        this.processes.flatMap((c) => (c.pid === undefined ? [] : [[c.name, c.pid] as const])),
      ),
    };
    writeStackInfo(paths.stack, this.info);
  }

  /** How a child runs one of our entry points: from the build output with `built`, else the sources. */
  private entry(source: string, emitted: string): string[] {
    const built = this.options.built;
    return built ? [join(built, 'dist', emitted)] : ['--import', 'tsx', join(ROOT, source)];
  }

  /** The codec server: not part of startApp, since a crash of the app leaves the viewers' decoding alone. */
  private async startCodecServer(): Promise<void> {
    const codec = new ManagedProcess(
      {
        name: 'codec',
        command: process.execPath,
        args: this.entry('src/codec-server/main.ts', 'src/codec-server/main.js'),
        env: { ...baseChildEnv(process.env), ...this.envs.codec },
        cwd: this.options.built ?? ROOT,
        logFile: join(this.paths.logs, 'codec.log'),
        echo: this.options.echo,
        stopTimeoutMs: 5_000,
      },
      this.options.onUnexpectedExit,
    );
    this.codec = codec;
    await waitForHttp(`http://127.0.0.1:${this.ports.codec}/healthz`, {
      timeoutMs: STARTUP_TIMEOUT_MS.codec,
      what: 'the codec server',
      stillRunning: () => codec.running,
    });
  }

  /** Starts the worker and the service (again, after crashApp()) and waits until both are up. */
  async startApp(): Promise<void> {
    const worker = this.spawnApp('worker', 'worker');
    const service = this.spawnApp('service', 'service');
    this.worker = worker;
    this.service = service;
    await Promise.all([this.appReady(worker, 'worker'), this.appReady(service, 'service')]).catch((err: unknown) => {
      const tail = (child: ManagedProcess) => child.lastLines(15).join('\n  ');
      throw new Error(
        `${err instanceof Error ? err.message : String(err)}\n worker:\n  ${tail(worker)}\n service:\n  ${tail(service)}`,
      );
    });
  }

  /**
   * One more worker or service process beside (or instead of) the stack's own, named `name` (its log
   * file too), with `env` over the stack's environment: the production test runs two of each and
   * rolls workers onto another workflow bundle. Resolves once it is up; the caller stops it.
   */
  async startReplica(role: AppRole, name: string, env: Record<string, string> = {}): Promise<ManagedProcess> {
    const child = this.spawnApp(role, name, env);
    await this.appReady(child, role).catch(async (err: unknown) => {
      await child.stop();
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n  ${child.lastLines(15).join('\n  ')}`);
    });
    return child;
  }

  /**
   * How a worker or service runs: the entry point from the sources, or from `built` with the image's
   * runtime environment; configured by environment only.
   */
  private spawnApp(role: AppRole, name: string, env: Record<string, string> = {}): ManagedProcess {
    const { options } = this;
    const built = options.built;
    const runtimeEnv = built
      ? (options.runtimeEnv ?? {
          NODE_ENV: 'production',
          WORKFLOW_BUNDLE_PATH: join(built, 'dist', 'workflow-bundle.js'),
        })
      : role === 'worker' && this.workflowBundle
        ? { WORKFLOW_BUNDLE_PATH: this.workflowBundle }
        : {};
    // `node --import tsx` is `tsx` without its wrapper process: signals reach the program itself.
    const args =
      role === 'worker'
        ? this.entry('worker/main.ts', 'worker/main.js')
        : this.entry('src/service/main.ts', 'src/service/main.js');
    return new ManagedProcess(
      {
        name,
        command: process.execPath,
        args,
        env: {
          ...baseChildEnv(process.env),
          ...this.envs[role],
          ...runtimeEnv,
          ...options.env?.[role],
          ...env,
        },
        cwd: built ?? ROOT,
        logFile: join(this.paths.logs, `${name}.log`),
        echo: options.echo,
        stopTimeoutMs: role === 'worker' ? 15_000 : 10_000,
      },
      options.onUnexpectedExit,
    );
  }

  /** A worker is up once it polls its task queue; a service once /readyz answers (Temporal reached). */
  private appReady(child: ManagedProcess, role: AppRole): Promise<unknown> {
    if (role === 'worker') {
      return child.waitForLine(
        /"msg":"worker started"/,
        STARTUP_TIMEOUT_MS.worker,
        'the worker registering with Temporal',
      );
    }
    const port = child.spec.env.SERVICE_PORT ?? String(this.ports.service);
    return waitForHttp(`http://127.0.0.1:${port}/readyz`, {
      timeoutMs: STARTUP_TIMEOUT_MS.service,
      what: `the service (${child.name})`,
      stillRunning: () => child.running,
    });
  }

  /** SIGKILL to the worker and the service, as a machine losing power would: a crash, not a shutdown. */
  async crashApp(): Promise<void> {
    await Promise.all([this.worker?.kill(), this.service?.kill()]);
  }

  /**
   * Stops in dependency order: intake first, then the worker (which may still be calling stand-ins),
   * the stand-ins and moto, Temporal last. Safe to call more than once, and after a failed start.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.service?.stop();
      await this.worker?.stop();
      this.aws?.s3.destroy();
      this.aws?.cloudfront.destroy();
      await Promise.allSettled([
        this.scc?.stop(),
        this.jada?.stop(),
        this.outbox?.stop(),
        this.edge?.stop(),
        this.feeds?.stop(),
        this.awsFaults?.stop(),
        this.localAws?.stop(),
        this.codec?.stop(),
      ]);
      await this.temporal?.stop();
      removeStackInfo(this.paths.stack);
    })();
    return this.stopping;
  }
}

/** A free port for every part, no two the same. */
async function freePorts(): Promise<Ports> {
  const ports = {} as Ports;
  for (const name of Object.keys(PORTS) as (keyof Ports)[]) ports[name] = await freePort();
  return ports;
}
