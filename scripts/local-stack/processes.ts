import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

/**
 * Child processes for the local stack, its tests and the benchmarks: one way to start a server, wait
 * for it, and stop it (or crash it) with everything it started.
 */

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Everything the child prints is appended here too. */
  logFile?: string;
  /** Also print its lines on this process's stdout, prefixed with its name. */
  echo?: boolean;
  /** How long it may take to stop after SIGTERM before its process group is killed. */
  stopTimeoutMs?: number;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all. */
  error?: Error;
}

/** Lines kept in memory, for saying why a child died and for tests that read what it printed. */
const KEPT_LINES = 2000;

/**
 * One child in its own process group: a Ctrl-C in the terminal reaches only its parent, which stops
 * the children in its own order, and stopping a child reaches whatever the child started.
 */
export class ManagedProcess {
  readonly exited: Promise<ChildExit>;
  /** Set once the child has exited. */
  exit?: ChildExit;
  private readonly child: ChildProcess;
  private readonly log?: WriteStream;
  private readonly lines: string[] = [];
  private readonly watchers = new Set<(line: string) => void>();
  private stopRequested = false;

  /** `onUnexpectedExit` is called when the child exits without stop() or kill() having been asked. */
  constructor(
    readonly spec: ProcessSpec,
    onUnexpectedExit?: (child: ManagedProcess, exit: ChildExit) => void,
  ) {
    if (spec.logFile) {
      this.log = createWriteStream(spec.logFile, { flags: 'a' });
      this.log.write(`\n--- ${new Date().toISOString()} ${spec.command} ${spec.args.join(' ')}\n`);
    }
    this.child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.onLine(line));
    }
    this.exited = new Promise<ChildExit>((resolve) => {
      this.child.once('error', (error) => resolve({ code: null, signal: null, error }));
      // 'close', not 'exit': by then its output has been read, so the lines shown on a crash are complete.
      this.child.once('close', (code, signal) => resolve({ code, signal }));
    }).then((exit) => {
      this.exit = exit;
      this.log?.end(`--- exited ${describeExit(exit)}\n`);
      if (!this.stopRequested) onUnexpectedExit?.(this, exit);
      return exit;
    });
  }

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** The last lines it printed. */
  lastLines(count = 30): string[] {
    return this.lines.slice(-count);
  }

  /** Everything it printed that is still kept, as one text. */
  output(): string {
    return this.lines.join('\n');
  }

  /** Resolves with the first line (from now on) that matches; rejects if the child exits first or time runs out. */
  waitForLine(pattern: RegExp, timeoutMs: number, what: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        this.watchers.delete(watch);
        fn();
      };
      const watch = (line: string) => {
        if (pattern.test(line)) done(() => resolve(line));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`${this.name}: ${what} did not happen within ${timeoutMs / 1000} s`))),
        timeoutMs,
      );
      this.watchers.add(watch);
      void this.exited.then((exit) =>
        done(() => reject(new Error(`${this.name} ${describeExit(exit)} before ${what}`))),
      );
    });
  }

  /** SIGTERM, then SIGKILL to the group after `stopTimeoutMs`; resolves once the whole group is gone. */
  async stop(): Promise<ChildExit> {
    this.stopRequested = true;
    const timeoutMs = this.spec.stopTimeoutMs ?? 5000;
    if (this.exit === undefined && this.child.pid !== undefined) {
      signalGroup(this.child.pid, 'SIGTERM');
      const timer = setTimeout(() => {
        process.stderr.write(
          `[stack] ${this.name} did not stop within ${timeoutMs / 1000} s after SIGTERM: killing it\n`,
        );
        signalGroup(this.child.pid!, 'SIGKILL');
      }, timeoutMs);
      await this.exited;
      clearTimeout(timer);
    }
    await this.groupGone(timeoutMs);
    return this.exited;
  }

  /** SIGKILL to the whole group: a crash, not a shutdown. Resolves once it has exited. */
  async kill(): Promise<ChildExit> {
    this.stopRequested = true;
    if (this.child.pid !== undefined) signalGroup(this.child.pid, 'SIGKILL');
    return this.exited;
  }

  /**
   * The child may exit before something it started (tsx's runner, a server's helper): wait for its
   * whole process group to be gone, then kill what is left, so nothing outlives it.
   */
  private async groupGone(timeoutMs: number): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined) return;
    const deadline = Date.now() + timeoutMs;
    while (groupAlive(pid)) {
      if (Date.now() > deadline) {
        signalGroup(pid, 'SIGKILL');
        return;
      }
      await sleep(50);
    }
  }

  private onLine(line: string): void {
    this.log?.write(`${line}\n`);
    this.lines.push(line);
    if (this.lines.length > KEPT_LINES) this.lines.shift();
    if (this.spec.echo) process.stdout.write(`[${this.name}] ${line}\n`);
    for (const watch of [...this.watchers]) watch(line);
  }
}

export function describeExit(exit: ChildExit): string {
  if (exit.error) return `could not start (${exit.error.message})`;
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface PollOptions {
  timeoutMs: number;
  /** What is awaited, for the error message. */
  what: string;
  intervalMs?: number;
  /** Stop early, and say so, when the process behind it is gone. */
  stillRunning?: () => boolean;
}

/**
 * Calls `probe` until it returns a value other than undefined; a throw counts as "not yet" and its
 * message is kept for the timeout error.
 */
export async function poll<T>(probe: () => Promise<T | undefined>, options: PollOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (options.stillRunning && !options.stillRunning()) throw new Error(`${options.what}: the process exited`);
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    }
    await sleep(options.intervalMs ?? 250);
  }
  throw new Error(`${options.what} did not happen within ${options.timeoutMs / 1000} s (last: ${last})`);
}

/** Polls until the URL answers with one of `okStatuses` (any 2xx by default). */
export function waitForHttp(
  url: string,
  options: Omit<PollOptions, 'what'> & { what: string; okStatuses?: number[] },
): Promise<void> {
  return poll(
    async () => {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      const body = await res.text();
      if (options.okStatuses ? options.okStatuses.includes(res.status) : res.ok) return true;
      throw new Error(`HTTP ${res.status} ${body.slice(0, 200)}`);
    },
    { ...options, what: `${options.what} answering at ${url}` },
  ).then(() => undefined);
}

/**
 * A free loopback port for a server that binds it later, never the same one twice in this process.
 *
 * Drawn at random from [20000, the kernel's ephemeral range): a port the kernel picks for listen(0)
 * lies in that range, where any outgoing connection on the machine can take it before our server
 * binds it (CI saw `listen EADDRINUSE` that way). Below 32768 it also fits a SMALLINT column, which
 * the Temporal server's cluster_membership.rpc_port is.
 */
export async function freePort(): Promise<number> {
  const below = Math.min(EPHEMERAL_PORTS_FROM, 32768);
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * (below - 20000));
    if (handedOut.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.unref();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port between 20000 and ${below}`);
}

const handedOut = new Set<number>();

/** The low end of the kernel's ephemeral port range (Linux), or the usual 32768 elsewhere: read once. */
const EPHEMERAL_PORTS_FROM = ((): number => {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 21000 ? low : 32768;
  } catch {
    return 32768;
  }
})();
