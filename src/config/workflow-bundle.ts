import { dirname, join } from 'node:path';
import type { BundleOptions } from '@temporalio/worker';

/**
 * The bundle's `preloadModules`: workflows/shared-modules, evaluated once and shared (deep-frozen) by
 * every workflow in the worker's reusable V8 context instead of once per cached booking (what belongs
 * there, and why, is in that file). `workflowsPath` is the workflows/ entry the bundle is built from,
 * so a copy of workflows/ (the production test's changed code) preloads its own copy.
 */
function preloadedWorkflowModules(workflowsPath: string): string[] {
  return [join(dirname(workflowsPath), 'shared-modules')];
}

/**
 * The bundle's inline source map keeps its mappings, so workflow failures and stack traces still name
 * workflows/*.ts lines, but not the sources' text: the SDK reads `sourcesContent` only for
 * `showStackTraceSources`, which this worker leaves off. That text was 2.1 MB of a 6 MB bundle (2.9 MB
 * once base64-encoded), held as a string by the worker's main thread and again by its workflow thread.
 */
const SOURCE_MAP_DEVTOOL = 'inline-nosources-source-map';

type WebpackConfig = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];

/** What every workflow bundle is built with: the prebuilt one and the one a worker bundles at start. */
export function workflowBundlerOptions(workflowsPath: string) {
  return {
    preloadModules: preloadedWorkflowModules(workflowsPath),
    webpackConfigHook: (config: WebpackConfig): WebpackConfig => ({ ...config, devtool: SOURCE_MAP_DEVTOOL }),
  } satisfies Partial<BundleOptions>;
}
