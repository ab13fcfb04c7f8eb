import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Everything the child prints is appended here. */
  logFile: string;
  /** Also print its lines on the console, prefixed with its name. */
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

const TAIL_LINES = 30;

/**
 * One supervised child. It runs in its own process group, so a Ctrl-C in the terminal reaches only
 * the supervisor, which stops the children in its own order; and stopping a child reaches whatever
 * the child started.
 */
export class SupervisedChild {
  readonly exited: Promise<ChildExit>;
  /** Set once the child has exited and its process group is empty. */
  exit?: ChildExit;
  private readonly child: ChildProcess;
  private readonly log: WriteStream;
  private readonly tail: string[] = [];
  private readonly watchers = new Set<(line: string) => void>();
  private stopRequested = false;

  constructor(
    readonly spec: ChildSpec,
    onUnexpectedExit: (child: SupervisedChild, exit: ChildExit) => void,
  ) {
    this.log = createWriteStream(spec.logFile, { flags: 'a' });
    this.log.write(`\n--- ${new Date().toISOString()} ${spec.command} ${spec.args.join(' ')}\n`);
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
      // 'close', not 'exit': by then its output has been read, so the tail shown on a crash is complete.
      this.child.once('close', (code, signal) => resolve({ code, signal }));
    }).then((exit) => {
      this.exit = exit;
      this.log.end(`--- exited ${describeExit(exit)}\n`);
      if (!this.stopRequested) onUnexpectedExit(this, exit);
      return exit;
    });
  }

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last lines it printed, for saying why it died. */
  lastLines(): string[] {
    return [...this.tail];
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

  /** SIGTERM to its process group, SIGKILL when it has not gone within the stop timeout. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    if (this.exit === undefined && this.child.pid !== undefined) {
      signalGroup(this.child.pid, 'SIGTERM');
      const timeoutMs = this.spec.stopTimeoutMs ?? 5000;
      const timer = setTimeout(() => {
        process.stderr.write(
          `[stack] ${this.name} did not stop within ${timeoutMs / 1000} s after SIGTERM: killing it\n`,
        );
        this.kill();
      }, timeoutMs);
      await this.exited;
      clearTimeout(timer);
    }
    await this.groupGone(this.spec.stopTimeoutMs ?? 5000);
  }

  kill(): void {
    this.stopRequested = true;
    if (this.child.pid !== undefined) signalGroup(this.child.pid, 'SIGKILL');
  }

  /**
   * The child may exit before something it started (tsx's runner, a server's helper): wait for its
   * whole process group to be gone, then kill what is left, so nothing outlives the stack.
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
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private onLine(line: string): void {
    this.log.write(`${line}\n`);
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
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
