import { execFileSync } from 'node:child_process';
import { accessSync, chownSync, constants, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ManagedProcess, freePort } from '../local-stack/processes';

/**
 * A throwaway PostgreSQL cluster for the production test, from the machine's own PostgreSQL
 * (`pg_config --bindir`): `initdb` into a fresh folder, then `postgres` on a free loopback port with
 * password (SCRAM) logins over TCP, as the compose file's `postgres` image runs it. PostgreSQL refuses to
 * run as root, so under root it runs as the `postgres` user the Debian package creates.
 */
export interface Postgres {
  host: '127.0.0.1';
  port: number;
  user: string;
  /** `postgres --version` and the server's own `SELECT version()`. */
  version: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export interface PostgresOptions {
  dataDir: string;
  user: string;
  password: string;
  logFile: string;
}

const bindir = (): string => execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();

/** Under root, as the `postgres` user (`runuser`), which must be able to reach the data folder. */
function asOwner(command: string, args: string[]): { command: string; args: string[]; uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return { command, args };
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { command: 'runuser', args: ['-u', 'postgres', '--', command, ...args], uid: id('-u'), gid: id('-g') };
}

export async function startPostgres(o: PostgresOptions): Promise<Postgres> {
  const bin = bindir();
  rmSync(o.dataDir, { recursive: true, force: true });
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  const passwordFile = join(dirname(o.dataDir), 'postgres-password');
  writeFileSync(passwordFile, `${o.password}\n`, { mode: 0o600 });
  const init = asOwner(join(bin, 'initdb'), [
    '--pgdata',
    o.dataDir,
    '--username',
    o.user,
    `--pwfile=${passwordFile}`,
    '--auth-host=scram-sha-256',
    '--auth-local=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C.UTF-8',
    // A test cluster: nothing to lose if the machine dies during initdb.
    '--no-sync',
  ]);
  if (init.uid !== undefined) {
    chownSync(o.dataDir, init.uid, init.gid!);
    chownSync(passwordFile, init.uid, init.gid!);
    try {
      execFileSync('runuser', ['-u', 'postgres', '--', 'test', '-w', o.dataDir]);
    } catch {
      throw new Error(
        `the postgres user cannot reach ${o.dataDir}: every folder above it must be searchable by others (chmod o+x)`,
      );
    }
  }
  try {
    execFileSync(init.command, init.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: Buffer; stdout?: Buffer };
    throw new Error(`initdb failed: ${e.stderr?.toString() ?? ''}${e.stdout?.toString() ?? ''}`);
  } finally {
    rmSync(passwordFile, { force: true });
  }

  const port = await freePort();
  const run = asOwner(join(bin, 'postgres'), [
    '-D',
    o.dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${o.dataDir}`,
    // Temporal opens up to SQL_MAX_CONNS (20) per store and per role: four roles, two stores.
    '-c',
    'max_connections=300',
  ]);
  const child = new ManagedProcess({
    name: 'postgres',
    command: run.command,
    args: run.args,
    env: { PATH: process.env.PATH, LANG: 'C.UTF-8' },
    logFile: o.logFile,
    stopTimeoutMs: 15_000,
  });
  await child.waitForLine(/database system is ready to accept connections/, 60_000, 'PostgreSQL starting');
  const env = { ...process.env, PGPASSWORD: o.password };
  const selectVersion = execFileSync(
    join(bin, 'psql'),
    ['-h', '127.0.0.1', '-p', String(port), '-U', o.user, '-d', 'postgres', '-Atc', 'SELECT version()'],
    { encoding: 'utf8', env },
  ).trim();
  const binaryVersion = execFileSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' }).trim();
  return {
    host: '127.0.0.1',
    port,
    user: o.user,
    version: `${binaryVersion} (${selectVersion.split(',')[0]})`,
    process: child,
    stop: async () => {
      await child.stop();
    },
  };
}

/** Whether `dir`'s ancestors let the postgres user through (a private temp folder does not). */
export function reachableByPostgres(dir: string): boolean {
  if (process.getuid?.() !== 0) return true;
  try {
    accessSync(dir, constants.F_OK);
    execFileSync('runuser', ['-u', 'postgres', '--', 'test', '-x', dir]);
    return true;
  } catch {
    return false;
  }
}
