// Finds or provisions the external programs the tests and `npm start` need, saying what it does.
// Versions are pinned here and nowhere else.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TOOLS_DIR = join(ROOT, '.tools');
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
export const MOTO_VERSION = '5.2.5';

const log = (msg) => process.stderr.write(`[tools] ${msg}\n`);

function which(cmd) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, cmd);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function versionOf(binary) {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/**
 * The `temporal` CLI, in this order: $TEMPORAL_CLI_PATH, `temporal` on PATH, the cached build in
 * .tools/bin, else a fresh `go install` into .tools/bin. Returns undefined only when none is possible
 * (no Go toolchain), in which case the SDK may download the server itself.
 */
export function ensureTemporalCli() {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} does not exist`);
    return { path: fromEnv, how: 'TEMPORAL_CLI_PATH', version: versionOf(fromEnv) };
  }
  const onPath = which('temporal');
  if (onPath) return { path: onPath, how: 'PATH', version: versionOf(onPath) };
  const cached = join(TOOLS_DIR, 'bin', 'temporal');
  if (existsSync(cached)) return { path: cached, how: 'cached build in .tools/bin', version: versionOf(cached) };
  const go = which('go');
  if (!go) {
    log('no temporal CLI and no Go toolchain: falling back to the SDK download of the dev server');
    return undefined;
  }
  mkdirSync(join(TOOLS_DIR, 'bin'), { recursive: true });
  log(
    `building the Temporal CLI: go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} (takes a few minutes, once)`,
  );
  const started = Date.now();
  const result = spawnSync(go, ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
    stdio: 'inherit',
    env: { ...process.env, GOBIN: join(TOOLS_DIR, 'bin') },
  });
  if (result.status !== 0) throw new Error(`go install of the Temporal CLI failed with exit code ${result.status}`);
  log(`built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s: ${cached}`);
  return {
    path: cached,
    how: `built with go install (${Math.round((Date.now() - started) / 1000)} s)`,
    version: versionOf(cached),
  };
}

/** moto's server in a project-local venv (.tools/venv), installed from PyPI when missing. */
export function ensureMoto() {
  const venv = join(TOOLS_DIR, 'venv');
  const motoServer = join(venv, 'bin', 'moto_server');
  const python = join(venv, 'bin', 'python');
  if (existsSync(motoServer)) {
    const check = spawnSync(python, ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf8' });
    if (check.status === 0 && check.stdout.trim() === MOTO_VERSION) return { path: motoServer, version: MOTO_VERSION };
  }
  const started = Date.now();
  log(`installing moto[server]==${MOTO_VERSION} into .tools/venv`);
  if (!existsSync(python)) {
    const made = spawnSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
    if (made.status !== 0) throw new Error('python3 -m venv failed: install python3 with the venv module');
  }
  const pip = spawnSync(
    python,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `moto[server]==${MOTO_VERSION}`],
    {
      stdio: 'inherit',
    },
  );
  if (pip.status !== 0)
    throw new Error(`pip install moto[server]==${MOTO_VERSION} failed with exit code ${pip.status}`);
  log(`installed moto in ${Math.round((Date.now() - started) / 1000)} s`);
  return { path: motoServer, version: MOTO_VERSION };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const cli = ensureTemporalCli();
  log(cli ? `temporal CLI: ${cli.path} (${cli.how}) ${cli.version ?? ''}` : 'temporal CLI: SDK download');
  const moto = ensureMoto();
  log(`moto_server: ${moto.path} (moto ${moto.version})`);
}
