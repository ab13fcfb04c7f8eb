// `npm test`: provisions what the tests need when it is missing (the Temporal CLI, moto in a
// project-local venv, Temporal's time-skipping test server), then type-checks, lints and runs every jest
// project.
import { spawnSync } from 'node:child_process';
import { ROOT, TEMPORAL_CLI_VERSION, ensureMoto, ensureTemporalCli, ensureTestServer } from './tools.mjs';

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

// The AWS SDK warns on every process that Node 20 support ends in 2027; the machine runs Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

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
