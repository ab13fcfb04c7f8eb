/**
 * Modules evaluated once and shared (deep-frozen) by every workflow in the worker's reusable V8
 * context, instead of once per workflow: the sandbox keeps a module cache per workflow, so each cached
 * booking held its own copy of zod (~0.75 MB of heap; the change validator parses with it). Only
 * stateless libraries belong here: a module that keeps per-workflow state would leak between them.
 */
export const PRELOADED_WORKFLOW_MODULES = ['zod'];
