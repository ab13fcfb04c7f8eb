import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes';
import { startLocalAws, type LocalAws } from '../../scripts/local-stack/aws';
import { ensureWorkflowBundle } from '../../scripts/local-stack/bundle';

const ROOT = resolve(__dirname, '..', '..');
/** Events after which the test server suggests continue-as-new (see globalSetup). */
export const SUGGEST_CONTINUE_AS_NEW_AT = 400;

export interface GlobalServers {
  temporal: TestWorkflowEnvironment;
  moto: LocalAws;
  tmpDir: string;
}

/**
 * One Temporal dev server (the real `temporal` CLI), one moto server (behind the CloudFront shim, so
 * invalidations dedupe by CallerReference as on CloudFront) and one workflow bundle for the whole
 * integration run. Test files reach them through TEST_* environment variables.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const cliPath = process.env.TEMPORAL_CLI_PATH ?? join(ROOT, '.tools', 'bin', 'temporal');
  const testServer = process.env.TEMPORAL_TEST_SERVER_PATH ?? provisionedTestServer();
  const tmpDir = mkdtempSync(join(tmpdir(), 'charter-fulfillment-test-'));
  const [moto, temporal, bundle] = await Promise.all([
    startLocalAws({ motoServer: join(ROOT, '.tools', 'venv', 'bin', 'moto_server') }),
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: existsSync(cliPath) ? { type: 'existing-path', path: cliPath } : undefined,
        ip: '127.0.0.1',
        searchAttributes: SEARCH_ATTRIBUTE_KEYS,
        log: { format: 'json', level: 'error' },
        // The server suggests continue-as-new at 4,096 events by default; at 400, a test booking with a
        // few dozen changes carries its state into a new run, as a long-lived one would in production.
        extraArgs: ['--dynamic-config-value', `limit.historyCount.suggestContinueAsNew=${SUGGEST_CONTINUE_AS_NEW_AT}`],
      },
    }),
    // The local stack's bundle of these sources: one webpack build per version, shared with the test stacks.
    ensureWorkflowBundle(),
  ]);

  process.env.TEST_TEMPORAL_ADDRESS = temporal.address;
  process.env.TEST_MOTO_URL = moto.url;
  process.env.TEST_MOTO_DIRECT_URL = moto.directUrl;
  process.env.TEST_WORKFLOW_BUNDLE = bundle.path;
  process.env.TEST_TMP_DIR = tmpDir;
  if (existsSync(cliPath)) process.env.TEST_TEMPORAL_CLI = cliPath;
  if (testServer instanceof Error) process.env.TEST_TEMPORAL_TEST_SERVER_ERROR = testServer.message;
  else process.env.TEST_TEMPORAL_TEST_SERVER = testServer;
  (globalThis as { __servers__?: GlobalServers }).__servers__ = { temporal, moto, tmpDir };
  process.stderr.write(
    `\n[global-setup] Temporal dev server ${temporal.address} (${existsSync(cliPath) ? cliPath : 'SDK download'}), ` +
      `moto ${moto.directUrl} behind the CloudFront shim ${moto.url}, workflows bundled, in ${Date.now() - started} ms\n`,
  );
}

/**
 * The time-skipping test server, for the test files that create their own environment on it. `npm test`
 * sets TEMPORAL_TEST_SERVER_PATH; a bare `npx jest` asks scripts/tools.mjs, which reuses its cache (or
 * provisions it, saying so on stderr), so the version stays pinned in one place. Without it (no Java or
 * Maven) only those test files fail, with the reason.
 */
function provisionedTestServer(): string | Error {
  try {
    return execFileSync(process.execPath, [join(ROOT, 'scripts', 'tools.mjs'), 'test-server-path'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
  } catch (err) {
    return new Error(`no Temporal test server: node scripts/tools.mjs test-server-path failed (${String(err)})`);
  }
}
