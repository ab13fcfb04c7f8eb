// Bundles workflows/ once, at image build time: production workers load the bundle through
// WORKFLOW_BUNDLE_PATH instead of running webpack on every start (temporalio/samples-typescript,
// production/). Usage: tsx scripts/build-workflow-bundle.ts dist/workflow-bundle.js
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../src/codec/data-converter';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../src/telemetry/temporal-tracing';
import { workflowBundlerOptions } from '../src/config/workflow-bundle';

/** webpack's progress stays quiet; its warnings and errors still show. */
export const quietBundlerLogger: NonNullable<BundleOptions['logger']> = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => process.stderr.write(`[bundler] ${message}\n`),
  error: (message: string) => process.stderr.write(`[bundler] ${message}\n`),
};

export interface BuiltBundle {
  path: string;
  bytes: number;
}

/** The bundler options of the shipped bundle; the workflow-memory benchmark varies them. */
export function shippedBundleOptions(workflowsPath = require.resolve('../workflows')) {
  return {
    workflowsPath,
    // The workflow sandbox converts its own errors to failures: with the encoding failure converter.
    failureConverterPath: FAILURE_CONVERTER_PATH,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    ...workflowBundlerOptions(workflowsPath),
  } satisfies BundleOptions;
}

/** `workflowsPath`: another copy of workflows/ (the production test bundles changed workflow code). */
export async function buildWorkflowBundle(
  outPath: string,
  logger?: BundleOptions['logger'],
  workflowsPath = require.resolve('../workflows'),
): Promise<BuiltBundle> {
  const { code } = await bundleWorkflowCode({ ...shippedBundleOptions(workflowsPath), logger });
  const path = resolve(outPath);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, code);
  return { path, bytes: Buffer.byteLength(code) };
}

if (require.main === module) {
  const outPath = process.argv[2];
  if (!outPath) {
    console.error('usage: tsx scripts/build-workflow-bundle.ts <output.js>');
    process.exit(2);
  }
  buildWorkflowBundle(outPath).then(
    ({ path, bytes }) => console.log(`workflow bundle: ${path} (${Math.round(bytes / 1024)} KiB)`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
