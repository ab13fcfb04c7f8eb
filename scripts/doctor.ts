// `npm run doctor [-- --tenant <id>]`: checks every tenant's real systems (JADA, SCC, the site buckets
// and distributions, the CloudFront Function, the uploads bucket's CORS, SMTP, Temporal), read-only but
// for a canary object under doctor/ in each site bucket, and prints a table with the fix for each
// failure; exits 1 on any failure, 2 when it cannot read its configuration. With the worker's
// environment (TENANTS_FILE set) it checks what that names, as production would; without, the running
// local stack (`npm start`), from the configuration it generated under LOCAL_DATA_DIR (default .data/).
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { doctorConfig, type DoctorConfig } from '../src/doctor/config';
import { failed, runDoctor } from '../src/doctor/doctor';
import { formatReport, redact } from '../src/doctor/report';
import { dataDirFrom, stackPaths } from './local-stack/config';
import { readStackInfo, stackRunning } from './local-stack/stack-file';

const USAGE = 'usage: npm run doctor [-- --tenant <id>]';

function tenantArg(argv: readonly string[]): string | undefined {
  let tenant: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--tenant' && argv[i + 1] !== undefined) tenant = argv[++i];
    else if (arg.startsWith('--tenant=')) tenant = arg.slice('--tenant='.length);
    else throw new UsageError(`unknown argument ${arg}\n${USAGE}`);
  }
  return tenant;
}

class UsageError extends Error {}

/** The worker's environment, or the one `npm start` generated for its worker. */
function loadConfig(env: NodeJS.ProcessEnv): { config: DoctorConfig; source: string } {
  if (env.TENANTS_FILE) {
    return { config: doctorConfig(env), source: `the worker's environment (TENANTS_FILE=${env.TENANTS_FILE})` };
  }
  const dataDir = dataDirFrom(env);
  const paths = stackPaths(dataDir);
  if (!existsSync(paths.workerEnv)) {
    throw new UsageError(
      `TENANTS_FILE is not set and there is no local stack configuration at ${paths.workerEnv}:\n` +
        `  start the local stack (npm start) first, or run the doctor with the worker's environment.`,
    );
  }
  const info = readStackInfo(paths.stack);
  const running = info !== undefined && stackRunning(info);
  const source = `the local stack (${paths.workerEnv})${running ? '' : ': it does not look running, start it with npm start'}`;
  // Only what the worker is given: this shell's own TEMPORAL_* or AWS_* must not point the checks elsewhere.
  const workerEnv = parseEnv(readFileSync(paths.workerEnv, 'utf8')) as NodeJS.ProcessEnv;
  return { config: doctorConfig({ PATH: env.PATH, HOME: env.HOME, ...workerEnv }), source };
}

async function main(): Promise<number> {
  let config: DoctorConfig;
  let tenant: string | undefined;
  try {
    tenant = tenantArg(process.argv.slice(2));
    const loaded = loadConfig(process.env);
    config = loaded.config;
    process.stdout.write(`doctor: checking ${loaded.source}\n\n`);
  } catch (err) {
    process.stderr.write(`doctor: ${redact(err instanceof Error ? err.message : String(err), [])}\n`);
    return 2;
  }
  try {
    const results = await runDoctor(config, { tenant });
    process.stdout.write(formatReport(results, config.secrets));
    return failed(results).length > 0 ? 1 : 0;
  } catch (err) {
    process.stderr.write(`doctor: ${redact(err instanceof Error ? err.message : String(err), config.secrets)}\n`);
    return 2;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`doctor: ${String(err)}\n`);
    process.exitCode = 2;
  },
);
