import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { buildWorkflowBundle, type BuiltBundle } from '../../../scripts/build-workflow-bundle';
import { ROOT } from '../../support/repo';
import { HISTORIES_DIR, HISTORY_ERA, replayOptions } from '../../support/histories';

const quiet = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** What the image ships as WORKFLOW_BUNDLE_PATH: built once, then loaded the way the worker loads it. */
describe('scripts/build-workflow-bundle.ts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'workflow-bundle-'));
  let bundle: BuiltBundle;

  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    bundle = await buildWorkflowBundle(join(dir, 'nested', 'workflow-bundle.js'), quiet);
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('writes the bundle, creating its directory', () => {
    expect(existsSync(bundle.path)).toBe(true);
    expect(bundle.bytes).toBeGreaterThan(0);
    expect(readFileSync(bundle.path, 'utf8')).toContain('bookingFulfillment');
  });

  test('carries the encoding failure converter, and nothing of the codec (node:crypto stays outside the sandbox)', () => {
    const code = readFileSync(bundle.path, 'utf8');
    expect(code).toContain('src/codec/failure-converter');
    expect(code).toContain('encodeCommonAttributes: true');
    for (const outside of ['createCipheriv', 'EncryptionCodec', 'encryption-codec'])
      expect(code).not.toContain(outside);
  });

  test("its inline source map maps to the workflows' .ts lines and carries no source text", async () => {
    const code = readFileSync(bundle.path, 'utf8');
    const comment = code.lastIndexOf('//# sourceMappingURL=data:application/json');
    const map = JSON.parse(
      Buffer.from(code.slice(code.indexOf('base64,', comment) + 'base64,'.length), 'base64').toString('utf8'),
    ) as { sources: string[]; sourcesContent?: unknown; mappings: string };
    expect(map.sourcesContent).toBeUndefined();
    expect(map.sources).toContainEqual(expect.stringMatching(/workflows\/booking-lifecycle\.ts$/));
    // What the SDK's workflow thread does with a stack frame (worker/lib/workflow/vm-shared.js), with its own copy of source-map.
    const { SourceMapConsumer } = createRequire(require.resolve('@temporalio/worker'))(
      'source-map',
    ) as typeof import('source-map');
    const lines = code.slice(0, comment).split('\n');
    const line = lines.findIndex((l) => l.includes('async function bookingLifecycle('));
    expect(line).toBeGreaterThanOrEqual(0);
    const column = lines[line]!.indexOf('async function bookingLifecycle(');
    const consumer = await new SourceMapConsumer(map as never);
    try {
      const original = consumer.originalPositionFor({ line: line + 1, column });
      expect(original.source).toMatch(/workflows\/booking-lifecycle\.ts$/);
      const declared = readFileSync(join(ROOT, 'workflows', 'booking-lifecycle.ts'), 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('function bookingLifecycle('));
      expect(original.line).toBe(declared + 1);
    } finally {
      consumer.destroy();
    }
  });

  test('preloads workflows/shared-modules: its modules are evaluated once per worker, not per booking', () => {
    // A bare require of a side-effect-free package compiles to `0;` (what preloadModules: ['zod'] was).
    const preload = /preloadModules\(\) \{([^}]*)\}/.exec(readFileSync(bundle.path, 'utf8'))?.[1] ?? '';
    expect(preload).toContain('__webpack_require__(');
    expect(preload).toContain('./workflows/shared-modules.ts');
  });

  test('a worker given the bundle replays every history of the current era', async () => {
    // The current era is what live bookings run: each of its histories must replay on the shipped bundle.
    const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith(`.${HISTORY_ERA}.json`));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      await Worker.runReplayHistory(
        replayOptions(bundle.path),
        JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')),
        file,
      );
    }
  }, 120_000);
});
