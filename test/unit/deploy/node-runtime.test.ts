import { execFileSync } from 'node:child_process';
import { ROOT, readRepoFile } from '../../support/repo';

/** The versions scripts/tools.mjs pins, read by node itself: the file is an ES module. */
const pinned = JSON.parse(
  execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "import { NODE_MIN_MAJOR, NODE_VERSION } from './scripts/tools.mjs'; console.log(JSON.stringify({ NODE_MIN_MAJOR, NODE_VERSION }));",
    ],
    { cwd: ROOT, encoding: 'utf8' },
  ),
) as { NODE_MIN_MAJOR: number; NODE_VERSION: string };
const pinnedMajor = pinned.NODE_VERSION.split('.')[0];
const pkg = JSON.parse(readRepoFile('package.json')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};

describe('the Node.js runtime', () => {
  test('package.json engines, the oldest supported major, is the one scripts/tools.mjs enforces', () => {
    expect(pkg.engines.node).toBe(`>=${pinned.NODE_MIN_MAJOR}`);
  });

  test('types are those of the oldest supported major, so no newer API type-checks', () => {
    expect(pkg.devDependencies['@types/node']).toMatch(new RegExp(`^\\^${pinned.NODE_MIN_MAJOR}\\.`));
  });

  test('.nvmrc, the image and CI run the major line scripts/tools.mjs provisions', () => {
    expect(readRepoFile('.nvmrc').trim()).toBe(pinnedMajor);
    expect(readRepoFile('Dockerfile')).toMatch(new RegExp(`^ARG NODE_IMAGE=node:${pinnedMajor}-bookworm-slim$`, 'm'));
    expect(readRepoFile('.ci/run')).toContain('node scripts/tools.mjs node-bin-dir --pinned-major');
    expect(Number(pinnedMajor)).toBeGreaterThanOrEqual(pinned.NODE_MIN_MAJOR);
  });
});
