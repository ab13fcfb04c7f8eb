// `npm run doctor [-- --tenant <id>]`: checks every tenant's real systems (JADA, SCC, the site buckets
// and distributions, the CloudFront Function, the uploads bucket's CORS, SMTP, Temporal), read-only but
// for a canary object under doctor/ in each site bucket, and prints a table with the fix for each
// failure; exits 1 on any failure, 2 when it cannot read its configuration. With the worker's
// environment (TENANTS_FILE set) it checks what that names, as production would (the image's entry is
// src/doctor/main.ts); without, the running local stack (`npm start`), from the configuration it
// generated under LOCAL_DATA_DIR (default .data/).
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { DoctorUsageError, runDoctorMain, workerEnvironment, type LoadedConfig } from '../src/doctor/cli';
import { doctorConfig } from '../src/doctor/config';
import { dataDirFrom, stackPaths } from './local-stack/config';
import { readStackInfo, stackRunning } from './local-stack/stack-file';

/** The worker's environment, or the one `npm start` generated for its worker. */
function loadConfig(env: NodeJS.ProcessEnv): LoadedConfig {
  if (env.TENANTS_FILE) return workerEnvironment(env);
  const paths = stackPaths(dataDirFrom(env));
  if (!existsSync(paths.workerEnv)) {
    throw new DoctorUsageError(
      `TENANTS_FILE is not set and there is no local stack configuration at ${paths.workerEnv}:\n` +
        `  start the local stack (npm start) first, or run the doctor with the worker's environment.`,
    );
  }
  const info = readStackInfo(paths.stack);
  const running = info !== undefined && stackRunning(info);
  const source = `the local stack (${paths.workerEnv})${running ? '' : ': it does not look running, start it with npm start'}`;
  // Only what the worker is given: this shell's own TEMPORAL_* or AWS_* must not point the checks elsewhere.
  const workerEnv = parseEnv(readFileSync(paths.workerEnv, 'utf8')) as NodeJS.ProcessEnv;
  return { config: doctorConfig(workerEnv), source };
}

runDoctorMain(loadConfig);
