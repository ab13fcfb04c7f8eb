import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWorkflowBundle, quietBundlerLogger } from '../build-workflow-bundle';
import { ROOT } from '../local-stack/config';

/** The patch the changed workflow code records: running bookings replay without it, then take it. */
export const ROLLING_CHANGE_PATCH = 'production-test-rolling-change';
/** What the changed code writes to the memo each time a booking goes back to waiting. */
export const ROLLING_CHANGE_MEMO = { rolledOnto: 'changed-workflow-code' } as const;

/** Where the change goes: the lifecycle loop, just before a booking sleeps until its next wake-up. */
const ANCHOR = '      poked = false;\n';

/**
 * A copy of workflows/ and src/ with one change a developer might ship: behind `patched()`, the
 * lifecycle loop upserts a memo before it sleeps. Bundled as the next release's workers would load
 * it, it is what the production test rolls its workers onto while bookings wait. Under the
 * repository (.data/), so the bundler resolves @temporalio/workflow from its node_modules.
 */
export async function buildChangedWorkflowBundle(dir: string, outPath: string): Promise<{ path: string }> {
  rmSync(dir, { recursive: true, force: true });
  for (const folder of ['workflows', 'src']) cpSync(join(ROOT, folder), join(dir, folder), { recursive: true });
  const file = join(dir, 'workflows', 'booking-lifecycle.ts');
  const source = readFileSync(file, 'utf8');
  if (source.split(ANCHOR).length !== 2) {
    throw new Error(
      `workflows/booking-lifecycle.ts must hold ${JSON.stringify(ANCHOR)} exactly once: the production test changes the code there`,
    );
  }
  const changed =
    `import { patched as changedPatched, upsertMemo as changedUpsertMemo } from '@temporalio/workflow';\n` +
    source.replace(
      ANCHOR,
      `      if (changedPatched(${JSON.stringify(ROLLING_CHANGE_PATCH)})) changedUpsertMemo(${JSON.stringify(ROLLING_CHANGE_MEMO)});\n${ANCHOR}`,
    );
  writeFileSync(file, changed);
  const built = await buildWorkflowBundle(outPath, quietBundlerLogger, join(dir, 'workflows', 'index.ts'));
  return { path: built.path };
}
