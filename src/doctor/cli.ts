import { doctorConfig, type DoctorConfig } from './config';
import { failed, runDoctor } from './doctor';
import { formatReport, redact } from './report';

const USAGE = 'usage: npm run doctor [-- --tenant <id>]';

/** A problem with the command line or the configuration: exit 2, nothing checked. */
export class DoctorUsageError extends Error {}

function tenantArg(argv: readonly string[]): string | undefined {
  let tenant: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--tenant' && argv[i + 1] !== undefined) tenant = argv[++i];
    else if (arg.startsWith('--tenant=')) tenant = arg.slice('--tenant='.length);
    else throw new DoctorUsageError(`unknown argument ${arg}\n${USAGE}`);
  }
  return tenant;
}

export interface LoadedConfig {
  config: DoctorConfig;
  /** What is being checked, for the first line printed. */
  source: string;
}

/** The worker's environment, as production gives it: TENANTS_FILE and the rest of WorkerEnvSchema. */
export function workerEnvironment(env: NodeJS.ProcessEnv): LoadedConfig {
  if (!env.TENANTS_FILE) {
    throw new DoctorUsageError(
      "TENANTS_FILE is not set: run the doctor with the worker's environment (TENANTS_FILE, SMTP_URL, TEMPORAL_*, ...)",
    );
  }
  return { config: doctorConfig(env), source: `the worker's environment (TENANTS_FILE=${env.TENANTS_FILE})` };
}

/**
 * Parses the arguments, loads the configuration, runs every check and prints the table. Resolves to
 * the exit code: 0 all passed, 1 a check failed, 2 nothing could be checked.
 */
export async function doctorCli(
  argv: readonly string[],
  load: () => LoadedConfig,
  out: { stdout: (text: string) => void; stderr: (text: string) => void },
): Promise<number> {
  let loaded: LoadedConfig;
  let tenant: string | undefined;
  try {
    tenant = tenantArg(argv);
    loaded = load();
  } catch (err) {
    out.stderr(`doctor: ${redact(err instanceof Error ? err.message : String(err), [])}\n`);
    return 2;
  }
  out.stdout(`doctor: checking ${loaded.source}\n\n`);
  try {
    const results = await runDoctor(loaded.config, { tenant });
    out.stdout(formatReport(results, loaded.config.secrets));
    return failed(results).length > 0 ? 1 : 0;
  } catch (err) {
    out.stderr(`doctor: ${redact(err instanceof Error ? err.message : String(err), loaded.config.secrets)}\n`);
    return 2;
  }
}

/** Runs the doctor as a process's main and sets its exit code. */
export function runDoctorMain(load: (env: NodeJS.ProcessEnv) => LoadedConfig): void {
  doctorCli(process.argv.slice(2), () => load(process.env), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`doctor: ${String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
