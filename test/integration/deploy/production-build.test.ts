import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { sampleBooking } from '../../../sim/samples';
import { ManagedProcess } from '../../../scripts/local-stack/processes';
import type { LocalStack } from '../../../scripts/local-stack/stack';
import { startTestStack } from '../../support/local-stack';
import { waitFor } from '../../support/wait';

const exec = promisify(execFile);
const ROOT = resolve(__dirname, '..', '..', '..');

jest.setTimeout(420_000);

/** Every file below `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

/** Runs a built entry point with only PATH set and collects what it says before it exits. */
async function runWithoutConfiguration(dir: string, entry: string): Promise<{ code: number | null; output: string }> {
  const child = new ManagedProcess({
    name: entry,
    command: process.execPath,
    args: [entry],
    cwd: dir,
    env: { PATH: process.env.PATH, NODE_ENV: 'production' },
  });
  const { code } = await child.exited;
  return { code, output: child.output() };
}

/**
 * What the image's runtime stage holds, made without Docker: `npm run build` output next to
 * production dependencies only (`npm ci --omit=dev`). If the shipped code imported a
 * devDependency (a stand-in's smtp-server, a test helper), the entry points would fail here with
 * "Cannot find module" instead of starting.
 */
describe('the production build', () => {
  let dir: string;
  let dist: string[];

  beforeAll(async () => {
    await exec('npm', ['run', 'build'], { cwd: ROOT });
    dir = mkdtempSync(join(tmpdir(), 'production-build-'));
    cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
    for (const file of ['package.json', 'package-lock.json']) cpSync(join(ROOT, file), join(dir, file));
    await exec('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: dir,
    });
    dist = filesUnder(join(dir, 'dist'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the shipped folders only: nothing from sim/, test/ or scripts/', () => {
    const tops = [...new Set(dist.map((file) => file.split('/')[0]))].sort();
    expect(tops).toEqual(['activities', 'src', 'worker', 'workflow-bundle.js', 'workflows']);
    expect(dist.filter((file) => /(^|\/)(sim|test|scripts)\//.test(file))).toEqual([]);
    // Source maps name every file a module came from, bundled ones included.
    const sources = dist
      .filter((file) => file.endsWith('.map'))
      .flatMap((file) => (JSON.parse(readFileSync(join(dir, 'dist', file), 'utf8')) as { sources: string[] }).sources);
    expect(sources.filter((source) => /(^|\/)(sim|test|scripts)\//.test(source))).toEqual([]);
    const bundle = readFileSync(join(dir, 'dist', 'workflow-bundle.js'), 'utf8');
    expect(bundle).not.toMatch(/\/(sim|test)\/[\w-]+\.ts/);
  });

  it('installed no devDependency that a stand-in or test needs', () => {
    for (const name of ['smtp-server', 'mailparser', '@temporalio/testing', 'playwright-core', 'tsx', 'jest']) {
      expect({ name, installed: existsSync(join(dir, 'node_modules', name)) }).toEqual({ name, installed: false });
    }
  });

  it.each([
    ['worker', 'dist/worker/main.js'],
    ['service', 'dist/src/service/main.js'],
  ])('%s without configuration prints its configuration errors and exits 1', async (_name, entry) => {
    const { code, output } = await runWithoutConfiguration(dir, entry);
    expect(output).not.toContain('Cannot find module');
    expect(output).toContain('Invalid configuration in the environment');
    expect(output).toContain('TENANTS_FILE: is required');
    expect(code).toBe(1);
  });

  describe('configured', () => {
    let stack: LocalStack;

    beforeAll(async () => {
      stack = await startTestStack({ built: dir });
    });
    afterAll(() => stack?.stop());

    it('starts the worker and the service, which take a booking to the crew wait', async () => {
      const booking = sampleBooking();
      const headers = { 'content-type': 'application/json', 'x-service-key': stack.keys.intakeKey };
      const res = await fetch(`${stack.info.urls.service}/tenants/${stack.tenantId}/bookings`, {
        method: 'POST',
        headers,
        body: JSON.stringify(booking),
      });
      expect(res.status).toBe(202);
      const { statusUrl } = (await res.json()) as { statusUrl: string };
      const status = await waitFor(
        async () => (await (await fetch(statusUrl, { headers })).json()) as { stage?: string },
        (s) => s.stage === 'AWAITING_CREW',
        60_000,
      );
      expect(status.stage).toBe('AWAITING_CREW');
      expect(stack.jada.events.map((e) => e.externalId)).toHaveLength(1);
      expect(stack.worker?.output()).not.toContain('Cannot find module');
      expect(stack.worker?.spec.args).toEqual([join(dir, 'dist', 'worker', 'main.js')]);
    });

    it("runs the doctor from the build with the worker's environment: all green", async () => {
      const doctor = new ManagedProcess({
        name: 'doctor',
        command: process.execPath,
        args: ['dist/src/doctor/main.js', '--tenant', stack.tenantId],
        cwd: dir,
        env: { PATH: process.env.PATH, NODE_ENV: 'production', ...stack.envs.worker },
      });
      const { code } = await doctor.exited;
      expect(doctor.output()).not.toContain('Cannot find module');
      expect(doctor.output()).toMatch(/all \d+ checks passed/);
      expect(code).toBe(0);
    });
  });
});
