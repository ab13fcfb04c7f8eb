import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildWorkflowBundle, quietBundlerLogger } from '../build-workflow-bundle';
import { ROOT } from './config';

/** What the workflow bundle is made from: the sandbox's sources, the bundler script and the lockfile. */
const INPUT_DIRS = ['workflows', 'src'];
const INPUT_FILES = ['package-lock.json', 'scripts/build-workflow-bundle.ts'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** sha256 over every input file's path and content: equal sources, equal bundle. */
export function workflowSourcesDigest(root = ROOT): string {
  const hash = createHash('sha256');
  const files = [...INPUT_DIRS.flatMap((dir) => filesUnder(join(root, dir))), ...INPUT_FILES.map((f) => join(root, f))];
  for (const file of files) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The workflow bundle the local stack's worker loads through WORKFLOW_BUNDLE_PATH, as production's
 * does: built once per version of the sources into .data/workflow-bundles/, and reused by every later
 * `npm start` and every test stack while the sources stay the same. Without it each worker start ran
 * webpack itself (10-20 s, and most of an idle worker's memory high-water mark). Written to a
 * temporary name and renamed, so a bundle in the folder is always whole.
 */
export async function ensureWorkflowBundle(): Promise<{ path: string; how: string }> {
  const dir = join(ROOT, '.data', 'workflow-bundles');
  const path = join(dir, `workflow-bundle-${workflowSourcesDigest()}.js`);
  if (existsSync(path)) return { path, how: 'reused (the sources have not changed)' };
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const partial = `${path}.partial-${process.pid}`;
  await buildWorkflowBundle(partial, quietBundlerLogger);
  renameSync(partial, path);
  // Bundles of older sources, once no worker can still be starting from them.
  for (const name of readdirSync(dir)) {
    const old = join(dir, name);
    if (old !== path && Date.now() - statSync(old).mtimeMs > 3600_000) rmSync(old, { force: true });
  }
  return { path, how: `built in ${((Date.now() - started) / 1000).toFixed(1)} s` };
}
