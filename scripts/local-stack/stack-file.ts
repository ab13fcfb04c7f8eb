import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * What a running stack publishes about itself in .data/stack.json: its URLs for `npm run demo` and
 * for tests, and the process ids they may check after it stops.
 */
export interface StackInfo {
  startedAt: string;
  /** The supervisor (scripts/start.ts). */
  pid: number;
  tenant: string;
  namespace: string;
  urls: {
    temporalUi: string;
    /** The codec server: `temporal workflow show --codec-endpoint <this>`. */
    codec: string;
    service: string;
    /** The local tenant's FareHarbor webhook, secret included (it is local). */
    fareHarborWebhook: string;
    /** The local tenant's ops page (log in with `opsKey` from the keys file). */
    opsPage: string;
    /** The feed stand-in's Boatsetter export of the demo boat, and its control API's base. */
    feed: string;
    feeds: string;
    crewInbox: string;
    outbox: string;
    edge: { nested: string; flat: string };
    jada: string;
    sccApi: string;
    sccCdn: string;
    moto: string;
  };
  temporalAddress: string;
  smtpUrl: string;
  files: {
    tenants: string;
    keys: string;
    workerEnv: string;
    serviceEnv: string;
    codecEnv: string;
    logs: string;
    /** Every span of the worker and the service, as JSON lines, when the stack traces (npm start). */
    spans?: string;
    temporalDb: string;
  };
  /** Child processes by name; each leads its own process group. */
  children: Record<string, number>;
}

export function writeStackInfo(path: string, info: StackInfo): void {
  writeFileSync(path, `${JSON.stringify(info, null, 2)}\n`);
}

export function readStackInfo(path: string): StackInfo | undefined {
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as StackInfo;
}

export function removeStackInfo(path: string): void {
  rmSync(path, { force: true });
}

/** Whether the supervisor that wrote the file is still alive (a crashed one leaves the file behind). */
export function stackRunning(info: StackInfo): boolean {
  try {
    process.kill(info.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
