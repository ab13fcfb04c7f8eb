import { isAbsolute, join, resolve } from 'node:path';

/** The repository root: scripts run from anywhere (npm sets cwd, tests spawn with their own). */
export const ROOT = resolve(__dirname, '..', '..');

export const TENANT_ID = 'jada';
export const NAMESPACE = 'default';

/**
 * Every port of the stack, with the variable that overrides it. The defaults sit in a quiet range
 * (4010-4060) away from the usual dev servers; 7233/8233/3000 are what Temporal's and the service's
 * own docs use.
 */
export const PORTS = {
  temporal: { env: 'LOCAL_TEMPORAL_PORT', default: 7233, what: 'Temporal gRPC' },
  temporalUi: { env: 'LOCAL_TEMPORAL_UI_PORT', default: 8233, what: 'Temporal UI' },
  service: { env: 'LOCAL_SERVICE_PORT', default: 3000, what: 'HTTP service' },
  jada: { env: 'LOCAL_JADA_PORT', default: 4010, what: 'JADA stand-in' },
  scc: { env: 'LOCAL_SCC_PORT', default: 4020, what: 'SCC stand-in API and crew inbox' },
  sccCdn: { env: 'LOCAL_SCC_CDN_PORT', default: 4021, what: 'SCC stand-in CDN' },
  outbox: { env: 'LOCAL_OUTBOX_PORT', default: 4030, what: 'outbox page' },
  smtp: { env: 'LOCAL_SMTP_PORT', default: 2525, what: 'SMTP catcher' },
  edgeNested: { env: 'LOCAL_EDGE_NESTED_PORT', default: 4040, what: 'edge, nested guest site' },
  edgeFlat: { env: 'LOCAL_EDGE_FLAT_PORT', default: 4041, what: 'edge, flat guest site' },
  feeds: { env: 'LOCAL_FEEDS_PORT', default: 4060, what: 'marketplace calendar feed stand-in' },
  codec: { env: 'LOCAL_CODEC_PORT', default: 4070, what: 'codec server (the Temporal UI and CLI decrypt through it)' },
  moto: { env: 'LOCAL_MOTO_PORT', default: 4050, what: 'S3 and CloudFront (moto behind the CloudFront shim)' },
  motoUpstream: { env: 'LOCAL_MOTO_UPSTREAM_PORT', default: 4051, what: 'moto itself, behind the CloudFront shim' },
} as const;

export type PortName = keyof typeof PORTS;
export type Ports = Record<PortName, number>;

export interface StackConfig {
  ports: Ports;
  /** State that must outlive a restart (Temporal's SQLite, keys, the outbox) and logs. */
  dataDir: string;
}

export interface StackPaths {
  temporalDb: string;
  keys: string;
  tenants: string;
  workerEnv: string;
  serviceEnv: string;
  codecEnv: string;
  outbox: string;
  logs: string;
  /** The worker's and the service's spans (TRACES_FILE), when the stack traces. */
  spans: string;
  /** Written once the stack is up, removed when it stops: how `npm run demo` and tests find it. */
  stack: string;
}

export function stackPaths(dataDir: string): StackPaths {
  return {
    temporalDb: join(dataDir, 'temporal.sqlite'),
    keys: join(dataDir, 'local-keys.json'),
    tenants: join(dataDir, 'tenants.json'),
    workerEnv: join(dataDir, 'worker.env'),
    serviceEnv: join(dataDir, 'service.env'),
    codecEnv: join(dataDir, 'codec-server.env'),
    outbox: join(dataDir, 'outbox'),
    logs: join(dataDir, 'logs'),
    spans: join(dataDir, 'logs', 'spans.jsonl'),
    stack: join(dataDir, 'stack.json'),
  };
}

export function dataDirFrom(env: NodeJS.ProcessEnv): string {
  const dir = env.LOCAL_DATA_DIR;
  if (!dir) return join(ROOT, '.data');
  return isAbsolute(dir) ? dir : resolve(process.cwd(), dir);
}

/** Reads the overrides, listing every bad one at once. */
export function stackConfig(env: NodeJS.ProcessEnv): StackConfig {
  const problems: string[] = [];
  const ports = {} as Ports;
  for (const [name, spec] of Object.entries(PORTS) as [PortName, (typeof PORTS)[PortName]][]) {
    const raw = env[spec.env];
    const port = raw === undefined || raw === '' ? spec.default : Number(raw);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      problems.push(`${spec.env}=${raw}: must be a port number 1-65535`);
    ports[name] = port;
  }
  const seen = new Map<number, PortName>();
  for (const [name, port] of Object.entries(ports) as [PortName, number][]) {
    const other = seen.get(port);
    if (other) problems.push(`${PORTS[name].env} and ${PORTS[other].env} are both ${port}`);
    seen.set(port, name);
  }
  if (problems.length > 0)
    throw new Error(`Invalid local stack settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return { ports, dataDir: dataDirFrom(env) };
}
