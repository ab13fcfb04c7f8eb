// The app as the image's runtime stage holds it, built outside the repository: what `npm run
// test:production` and `npm run bench -- pipeline` run, so that both measure what is deployed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../local-stack/config';
import { composeService, dockerfileRuntime, everyVariableSet } from './compose';

/** `npm run build`, then dist/ and the package files in a folder outside the repository, `npm ci --omit=dev`. */
export function buildApp(dir: string): void {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) cpSync(join(ROOT, file), join(dir, file));
  // The Dockerfile's prod-deps stage, with the machine's npm cache.
  execFileSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** The image's runtime ENV, its /app paths moved to where the build was copied. */
export function runtimeEnv(appDir: string): Record<string, string> {
  const { env } = dockerfileRuntime();
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value.replace(/^\/app(?=\/|$)/, appDir)]));
}

/** The worker's NODE_OPTIONS in docker-compose.yml: its heap limits (README, Worker memory). */
export function composeWorkerNodeOptions(): string {
  const nodeOptions = composeService('worker', everyVariableSet()).environment.NODE_OPTIONS;
  assert.match(
    nodeOptions ?? '',
    /--max-old-space-size=\d+/,
    'docker-compose.yml worker NODE_OPTIONS sets a heap limit',
  );
  return nodeOptions!;
}
