// `npm test`: provisions what the tests need when it is missing (Node 24 when this node is older than 22,
// the Temporal CLI, moto in a project-local venv, Temporal's time-skipping test server), then
// type-checks, lints and runs every jest project.
import { spawnSync } from 'node:child_process';
import { dirname, delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  NODE_MIN_MAJOR,
  ROOT,
  TEMPORAL_CLI_VERSION,
  ensureMoto,
  ensureNode,
  ensureTemporalCli,
  ensureTestServer,
} from './tools.mjs';

// On an older node this file runs again on the provisioned one, first on PATH so that npx, jest and
// every process the tests start run on it too.
const node = ensureNode();
if (node.path !== process.execPath) {
  console.log(
    `npm test: Node ${process.version} is older than ${NODE_MIN_MAJOR} (package.json "engines"): ` +
      `running the tests on Node ${node.version} (${node.how}): ${node.path}`,
  );
  const again = spawnSync(node.path, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, PATH: `${dirname(node.path)}${delimiter}${process.env.PATH ?? ''}` },
  });
  process.exit(again.status ?? 1);
}
console.log(`Node ${process.version}: ${process.execPath}`);

const cli = ensureTemporalCli();
if (cli) {
  process.env.TEMPORAL_CLI_PATH = cli.path;
  console.log(`Temporal CLI ${TEMPORAL_CLI_VERSION} (${cli.how}): ${cli.path}\n  ${cli.version ?? ''}`);
} else {
  console.log('Temporal CLI: none found or buildable; the SDK will download the dev server');
}
const moto = ensureMoto();
console.log(`moto ${moto.version}: ${moto.path}`);
const testServer = await ensureTestServer();
process.env.TEMPORAL_TEST_SERVER_PATH = testServer.path;
console.log(`Temporal test server ${testServer.version} (${testServer.how}): ${testServer.path}`);

const run = (label, cmd, args) => {
  const started = Date.now();
  console.log(`\n> ${label}`);
  const result = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: process.env });
  console.log(
    `< ${label}: ${result.status === 0 ? 'ok' : `failed (${result.status ?? result.signal})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (result.status !== 0) process.exit(result.status ?? 1);
};

const jestArgs = process.argv.slice(2);
if (jestArgs.length === 0) {
  run('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
  run('lint', 'npm', ['run', '--silent', 'lint']);
}
run('jest', 'npx', ['jest', ...jestArgs]);
