import { dirname, join } from 'node:path';

/**
 * The bundle's `preloadModules`: workflows/shared-modules, evaluated once and shared (deep-frozen) by
 * every workflow in the worker's reusable V8 context instead of once per cached booking (what belongs
 * there, and why, is in that file). `workflowsPath` is the workflows/ entry the bundle is built from,
 * so a copy of workflows/ (the production test's changed code) preloads its own copy.
 */
export function preloadedWorkflowModules(workflowsPath: string): string[] {
  return [join(dirname(workflowsPath), 'shared-modules')];
}
