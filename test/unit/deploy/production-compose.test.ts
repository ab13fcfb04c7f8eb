import { composeService, dockerfileRuntime, everyVariableSet, interpolate } from '../../../scripts/production/compose';

/** The production test reads docker-compose.yml and the Dockerfile as Compose and Docker would. */
describe('Compose interpolation', () => {
  const vars = { SET: 'value', EMPTY: '' };

  it.each([
    ['${SET}', 'value'],
    ['$SET and $$SET', 'value and $SET'],
    ['${MISSING}', ''],
    ['${MISSING:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${EMPTY-fallback}', ''],
    ['${MISSING-fallback}', 'fallback'],
    ['${SET:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ['${SET:?needed}', 'value'],
    ['${EMPTY?needed}', ''],
    ['http://${SET}:7233/x', 'http://value:7233/x'],
  ])('%s -> %j', (text, expected) => {
    expect(interpolate(text, vars)).toBe(expected);
  });

  it('a missing required variable names itself and the message', () => {
    expect(() => interpolate('${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}', {})).toThrow(
      'required variable POSTGRES_PASSWORD is missing a value: set POSTGRES_PASSWORD in .env',
    );
    expect(() => interpolate('${EMPTY:?x}', vars)).toThrow('required variable EMPTY');
  });
});

describe('docker-compose.yml and the Dockerfile, as the production test runs them', () => {
  it("the temporal service's environment, with the password from .env and the defaults", () => {
    const { environment, image } = composeService('temporal', { POSTGRES_PASSWORD: 'pw' });
    expect(image).toBe('temporalio/server:1.31.0');
    expect(environment).toMatchObject({ DB: 'postgres12', POSTGRES_USER: 'temporal', POSTGRES_PWD: 'pw' });
  });

  it('the one-shot jobs are shell scripts mounted from deploy/temporal', () => {
    expect(composeService('temporal-schema', { POSTGRES_PASSWORD: 'pw' }).entrypoint).toEqual([
      '/bin/sh',
      '/deploy/setup-schema.sh',
    ]);
    expect(composeService('temporal-setup', {}).environment.TEMPORAL_NAMESPACE).toBe('default');
  });

  it('a service that needs a secret .env lacks fails naming both', () => {
    expect(() => composeService('postgresql', {})).toThrow(
      'postgresql.environment.POSTGRES_PASSWORD: required variable POSTGRES_PASSWORD is missing a value',
    );
  });

  it("the worker's NODE_OPTIONS keep the image's and add heap limits (README, Worker memory)", () => {
    const every = everyVariableSet();
    const { NODE_OPTIONS: worker } = composeService('worker', every).environment;
    const image = dockerfileRuntime().env.NODE_OPTIONS ?? '';
    expect(image).not.toBe('');
    for (const flag of image.split(' ')) expect(worker?.split(' ')).toContain(flag);
    expect(worker).toMatch(/(^| )--max-old-space-size=\d+( |$)/);
    expect(worker).toMatch(/(^| )--max-semi-space-size=\d+( |$)/);
    expect(composeService('service', every).environment.NODE_OPTIONS).toBeUndefined();
  });

  it("the runtime stage's ENV and CMD", () => {
    const { env, cmd } = dockerfileRuntime();
    expect(env).toMatchObject({
      NODE_ENV: 'production',
      WORKFLOW_BUNDLE_PATH: '/app/dist/workflow-bundle.js',
      // Fewer glibc malloc arenas for the worker's many threads (README, Worker memory).
      MALLOC_ARENA_MAX: '2',
    });
    expect(cmd).toEqual(['node', 'dist/worker/main.js']);
  });
});
