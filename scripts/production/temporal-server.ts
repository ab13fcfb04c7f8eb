import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { ROOT } from '../local-stack/config';
import { ManagedProcess, freePort, poll } from '../local-stack/processes';
import { composeService, type ComposeService } from './compose';

const exec = promisify(execFile);

/** What scripts/tools.mjs ensureTemporalServer() provides. */
export interface TemporalServerTools {
  server: string;
  sqlTool: string;
  schemaDir: string;
  version: string;
}

/** The values .env would give docker compose: the production test's own throwaway secrets. */
export type ComposeVars = Record<string, string>;

/**
 * Compose runs each service in its own container, where `postgresql` and `temporal` are host names and
 * mounted files sit at container paths. Here every process shares loopback: the overrides below turn
 * the former into 127.0.0.1 and free ports, and `mounted()` turns the latter into repository paths.
 * Nothing else in a service's environment is changed, so a wrong variable in the file fails here.
 */
const CONTAINER_MOUNTS: Record<string, string> = {
  '/deploy/setup-schema.sh': join(ROOT, 'deploy', 'temporal', 'setup-schema.sh'),
  '/deploy/setup-namespace.sh': join(ROOT, 'deploy', 'temporal', 'setup-namespace.sh'),
  '/etc/temporal/config/dynamicconfig/charter-fulfillment.yaml': join(ROOT, 'deploy', 'temporal', 'dynamicconfig.yaml'),
};

function mounted(containerPath: string): string {
  const host = CONTAINER_MOUNTS[containerPath];
  if (!host) throw new Error(`docker-compose.yml refers to ${containerPath}, which this test does not mount`);
  return host;
}

/** The one-shot job's entrypoint (`[/bin/sh, /deploy/x.sh]`), run here with the repository's script. */
function oneShotCommand(svc: ComposeService): [string, string[]] {
  const [shell, script, ...rest] = svc.entrypoint ?? [];
  if (shell !== '/bin/sh' || !script) throw new Error(`expected entrypoint [/bin/sh, <script>], got ${svc.entrypoint}`);
  return ['sh', [mounted(script), ...rest]];
}

async function runOneShot(
  name: string,
  svc: ComposeService,
  env: Record<string, string>,
  logFile: string,
  timeoutMs: number,
): Promise<string> {
  const [command, args] = oneShotCommand(svc);
  // A container has a HOME; the Temporal CLI refuses to start without one (it looks for its config there).
  const job = new ManagedProcess({ name, command, args, env: { HOME: process.env.HOME ?? tmpdir(), ...env }, logFile });
  const timer = setTimeout(() => void job.kill(), timeoutMs);
  const exit = await job.exited;
  clearTimeout(timer);
  if (exit.code !== 0) {
    throw new Error(`${name} (${args[0]}) failed (${exit.code ?? exit.signal}):\n  ${job.lastLines(25).join('\n  ')}`);
  }
  return job.output();
}

export interface PostgresEndpoint {
  host: string;
  port: number;
}

/** PATH with the server's binaries and the Temporal CLI first, as in the admin-tools image. */
const toolPath = (tools: TemporalServerTools, cli: string) =>
  [join(tools.server, '..'), join(cli, '..'), process.env.PATH].join(':');

/** docker-compose.yml's `temporal-schema` job: deploy/temporal/setup-schema.sh with the SQL tool. */
export async function setupSchema(
  tools: TemporalServerTools,
  cli: string,
  pg: PostgresEndpoint,
  vars: ComposeVars,
  logFile: string,
): Promise<string> {
  const svc = composeService('temporal-schema', vars);
  const env = {
    ...svc.environment,
    POSTGRES_SEEDS: pg.host,
    DB_PORT: String(pg.port),
    SCHEMA_ROOT: tools.schemaDir,
    PATH: toolPath(tools, cli),
  };
  return runOneShot('temporal-schema', svc, env, logFile, 180_000);
}

/** docker-compose.yml's `temporal-setup` job: the namespace and search attributes, with the CLI. */
export async function setupNamespace(
  tools: TemporalServerTools,
  cli: string,
  address: string,
  vars: ComposeVars,
  logFile: string,
): Promise<string> {
  const svc = composeService('temporal-setup', vars);
  const env = { ...svc.environment, TEMPORAL_ADDRESS: address, PATH: toolPath(tools, cli) };
  return runOneShot('temporal-setup', svc, env, logFile, 240_000);
}

/** The ports of every server role, which the embedded config template reads from the environment. */
const PORT_VARIABLES = [
  'FRONTEND_GRPC_PORT',
  'FRONTEND_HTTP_PORT',
  'FRONTEND_MEMBERSHIP_PORT',
  'HISTORY_GRPC_PORT',
  'HISTORY_MEMBERSHIP_PORT',
  'MATCHING_GRPC_PORT',
  'MATCHING_MEMBERSHIP_PORT',
  'WORKER_GRPC_PORT',
  'WORKER_MEMBERSHIP_PORT',
  'INTERNAL_FRONTEND_GRPC_PORT',
  'INTERNAL_FRONTEND_HTTP_PORT',
  'INTERNAL_FRONTEND_MEMBERSHIP_PORT',
] as const;

/**
 * docker-compose.yml's `temporal` service: `temporal-server start` (the image's entrypoint), whose
 * configuration is the server's embedded template rendered from this environment, as in the image.
 * Restartable on the same ports and database: the production test restarts it under waiting bookings.
 */
export class TemporalServer {
  process?: ManagedProcess;
  readonly address: string;
  /** `temporal-server --version` and what the frontend reports. */
  version = '';

  private constructor(
    private readonly tools: TemporalServerTools,
    private readonly env: Record<string, string>,
    private readonly logFile: string,
  ) {
    this.address = `127.0.0.1:${env.FRONTEND_GRPC_PORT}`;
  }

  static async create(
    tools: TemporalServerTools,
    pg: PostgresEndpoint,
    vars: ComposeVars,
    logFile: string,
  ): Promise<TemporalServer> {
    const svc = composeService('temporal', vars);
    const ports: Record<string, string> = {};
    for (const name of PORT_VARIABLES) {
      // cluster_membership.rpc_port is a SMALLINT: a port the kernel picks (32768 and up) fails the
      // first heartbeat with "out of range for type smallint"; freePort draws from below that.
      ports[name] = String(await freePort());
    }
    const env = {
      ...svc.environment,
      POSTGRES_SEEDS: pg.host,
      DB_PORT: String(pg.port),
      BIND_ON_IP: '127.0.0.1',
      DYNAMIC_CONFIG_FILE_PATH: mounted(svc.environment.DYNAMIC_CONFIG_FILE_PATH ?? ''),
      ...ports,
      PATH: process.env.PATH ?? '',
    };
    return new TemporalServer(tools, env, logFile);
  }

  /** The environment the server runs with, passwords masked: for the test's output. */
  describeEnv(): string {
    return Object.entries(this.env)
      .filter(([key]) => key !== 'PATH')
      .map(([key, value]) => `${key}=${/PWD|PASSWORD/.test(key) ? '***' : value}`)
      .join(' ');
  }

  async start(timeoutMs = 120_000): Promise<void> {
    const { stdout } = await exec(this.tools.server, ['--version']);
    this.process = new ManagedProcess({
      name: 'temporal-server',
      command: this.tools.server,
      args: ['start'],
      env: this.env,
      logFile: this.logFile,
      stopTimeoutMs: 30_000,
    });
    const child = this.process;
    const info = await poll(
      async () => {
        const connection = await Connection.connect({ address: this.address, connectTimeout: 1000 });
        try {
          return await connection.workflowService.getSystemInfo({});
        } finally {
          await connection.close();
        }
      },
      { timeoutMs, what: 'the Temporal server answering', stillRunning: () => child.running, intervalMs: 500 },
    );
    this.version = `${stdout.trim()} (frontend reports ${info.serverVersion})`;
  }

  async stop(): Promise<void> {
    await this.process?.stop();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}
