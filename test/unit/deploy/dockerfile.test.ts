import { posix } from 'node:path';
import { emittedJs, readRepoFile, sourceEmitting } from '../../support/repo';

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  name?: string;
  instructions: Instruction[];
}

/** Dockerfile stages with continuation lines joined; comments and parser directives dropped. */
function stages(text: string): Stage[] {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const result: Stage[] = [];
  for (const line of logical) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args };
    if (instruction.keyword === 'FROM') result.push({ name: / AS (\S+)$/i.exec(args)?.[1], instructions: [] });
    result.at(-1)?.instructions.push(instruction);
  }
  return result;
}

const all = (stage: Stage, keyword: string) =>
  stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

/** WORKDIR, including what a stage inherits from the stage it is built FROM. */
function workdir(stage: Stage): string {
  const parent = DOCKERFILE.find((s) => s !== stage && s.name === all(stage, 'FROM')[0]?.split(/\s+/)[0]);
  return all(stage, 'WORKDIR').reduce((dir, next) => posix.resolve(dir, next), parent ? workdir(parent) : '/');
}

/** `ENV A=1 B=2` (values without spaces, as in this Dockerfile). */
function env(stage: Stage): Record<string, string> {
  return Object.fromEntries(
    all(stage, 'ENV').flatMap((args) => args.split(/\s+/).map((pair) => pair.split('=', 2) as [string, string])),
  );
}

/** `COPY [--from=stage] src... dest` as [from, sources, dest]. */
function copies(stage: Stage): { from?: string; sources: string[]; dest: string }[] {
  return all(stage, 'COPY').map((args) => {
    const words = args.split(/\s+/);
    const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
    const paths = words.filter((w) => !w.startsWith('--'));
    return { from, sources: paths.slice(0, -1), dest: paths.at(-1)! };
  });
}

const exec = (args: string): string[] => JSON.parse(args) as string[];

const DOCKERFILE = stages(readRepoFile('Dockerfile'));
const FINAL = DOCKERFILE.at(-1)!;
const stageNamed = (name: string | undefined) => DOCKERFILE.find((s) => s.name === name);

describe('Dockerfile', () => {
  test('is multi-stage', () => {
    expect(DOCKERFILE.length).toBeGreaterThanOrEqual(2);
  });

  test('runs as a non-root user', () => {
    const user = all(FINAL, 'USER').at(-1);
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
  });

  test('runs in production mode with the prebuilt workflow bundle', () => {
    const vars = env(FINAL);
    expect(vars.NODE_ENV).toBe('production');
    const bundle = vars.WORKFLOW_BUNDLE_PATH;
    expect(bundle).toMatch(/^\//);

    // Follow the bundle from the command that writes it, through COPY --from, to the final stage.
    const [builder, out] = DOCKERFILE.flatMap((stage) =>
      all(stage, 'RUN').flatMap((run) => {
        const match = /scripts\/build-workflow-bundle\.ts\s+(\S+)/.exec(run);
        return match ? [[stage, posix.resolve(workdir(stage), match[1]!)] as const] : [];
      }),
    )[0] ?? [undefined, undefined];
    expect(out).toBeDefined();
    const shipped = copies(FINAL).flatMap(({ from, sources, dest }) =>
      from !== undefined && stageNamed(from) === builder
        ? sources
            .map((src) => posix.resolve(workdir(builder!), src))
            .filter((src) => out!.startsWith(`${src}/`))
            .map((src) => posix.join(posix.resolve(workdir(FINAL), dest), out!.slice(src.length)))
        : [],
    );
    expect(shipped).toContain(bundle);
  });

  test('ships the CloudFront Function source where the built code reads it', () => {
    const loaderDir = posix.dirname(emittedJs('src/publish/cloudfront-function/index.ts')!);
    const runs = DOCKERFILE.flatMap((stage) => all(stage, 'RUN')).join('\n');
    expect(runs).toContain(`cp src/publish/cloudfront-function/guest-rewrite.js ${loaderDir}/guest-rewrite.js`);
  });

  test('installs production dependencies only in the image it ships', () => {
    const nodeModules = copies(FINAL).filter(({ sources }) => sources.some((s) => /(^|\/)node_modules\/?$/.test(s)));
    expect(nodeModules).toHaveLength(1);
    const installer = stageNamed(nodeModules[0]!.from);
    expect(installer && all(installer, 'RUN').some((run) => /npm ci\b.*--omit=dev/.test(run))).toBe(true);
  });

  test('its default command runs a file the TypeScript build emits', () => {
    const [node, script] = exec(all(FINAL, 'CMD').at(-1)!);
    expect(node).toBe('node');
    expect(workdir(FINAL)).toBe('/app');
    expect(sourceEmitting(script!)).toBe('worker/main.ts');
  });
});

describe('.dockerignore', () => {
  const rules = readRepoFile('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  /** Only `*` and literal paths (optionally negated) are used, so matching is simple: last rule wins. */
  const inContext = (path: string) =>
    rules.reduce((included, rule) => {
      const negated = rule.startsWith('!');
      const pattern = negated ? rule.slice(1) : rule;
      const matches = pattern === '*' || path === pattern || path.startsWith(`${pattern}/`);
      return matches ? negated : included;
    }, true);

  test('uses only patterns this test understands', () => {
    expect(rules.filter((rule) => rule !== '*' && /[*?[\]]/.test(rule))).toEqual([]);
  });

  test('lets in everything the Dockerfile copies from the build context', () => {
    const sources = DOCKERFILE.flatMap((stage) =>
      copies(stage)
        .filter((c) => c.from === undefined)
        .flatMap((c) => c.sources),
    );
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.filter((source) => !inContext(source.replace(/^\.\//, '').replace(/\/$/, '')))).toEqual([]);
  });

  test('keeps local secrets, state and build output out of the context', () => {
    for (const path of ['.env', '.git', 'node_modules', '.tools', '.data', 'dist', 'test', 'deploy']) {
      expect([path, inContext(path)]).toEqual([path, false]);
    }
  });
});
