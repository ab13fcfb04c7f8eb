import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcrypt';
import { parse } from 'yaml';
import type { z } from 'zod';
import { ServiceEnvSchema, WorkerEnvSchema } from '../../../src/config/env';
import { TenantsFileSchema, loadTenants } from '../../../src/config/tenants-file';
import { SEARCH_ATTRIBUTE_KEYS } from '../../../workflows/search-attributes';
import {
  ROOT,
  durationSeconds,
  interpolatedNames,
  interpolation,
  readRepoFile,
  sourceEmitting,
  valueWithoutOverrides,
} from '../../support/repo';

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, unknown> | string[];
  ports?: (string | number | { target: number; published?: string | number })[];
  volumes?: (string | { type?: string; source?: string; target: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: unknown; disable?: boolean };
  restart?: string;
  stop_grace_period?: string;
}

const COMPOSE_TEXT = readRepoFile('docker-compose.yml');
const compose = parse(COMPOSE_TEXT, { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const service = (name: string): ComposeService => {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};

function environment(svc: ComposeService): Record<string, unknown> {
  const env = svc.environment ?? {};
  if (!Array.isArray(env)) return env;
  return Object.fromEntries(
    env.map((entry) => [entry.split('=')[0]!, entry.includes('=') ? entry.slice(entry.indexOf('=') + 1) : null]),
  );
}

/** Bind mounts as [host path as Compose resolves it without overrides, container path]. */
function bindMounts(svc: ComposeService): [string, string][] {
  return (svc.volumes ?? []).flatMap((volume): [string, string][] => {
    if (typeof volume !== 'string')
      return volume.type === 'bind' && volume.source ? [[volume.source, volume.target]] : [];
    // `${VAR:-./default}:/target:ro`: split after the interpolation, which may itself contain ':'.
    const match = /^(\$\{[^}]*\}|[^:]+):([^:]+)(?::[a-z,]+)?$/.exec(volume);
    if (!match) return [];
    const source = valueWithoutOverrides(match[1]) ?? match[1]!;
    return source.startsWith('.') || source.startsWith('/') ? [[source, match[2]!]] : [];
  });
}

const mountedRepoFile = (svc: ComposeService, containerPath: string): string | undefined =>
  bindMounts(svc).find(([, target]) => target === containerPath)?.[0];

const APP_SERVICES = { worker: WorkerEnvSchema, service: ServiceEnvSchema } as const;
const AWS_SDK_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'];
/** Read by the OpenTelemetry SDK and its OTLP exporter themselves (src/telemetry/tracing.ts). */
const OTEL_SDK_VARIABLES = ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_TRACES_SAMPLER', 'OTEL_TRACES_SAMPLER_ARG'];
const SECRET_NAME = /KEY|SECRET|TOKEN|PASSWORD|PWD/;
const URL_WITH_CREDENTIALS = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i;

const isRequired = (field: z.ZodType) => !field.safeParse(undefined).success;

/** The tenants file the app containers read, as Compose mounts it without overrides. */
function mountedTenantsFile(name: keyof typeof APP_SERVICES): string {
  const svc = service(name);
  const containerPath = valueWithoutOverrides(environment(svc).TENANTS_FILE);
  if (!containerPath) throw new Error(`${name}: TENANTS_FILE must name a path in the container`);
  const hostPath = mountedRepoFile(svc, containerPath);
  if (!hostPath) throw new Error(`${name}: nothing is mounted at TENANTS_FILE (${containerPath})`);
  return hostPath;
}

function tenantSecretNames(tenantsFile: string): string[] {
  const file = TenantsFileSchema.parse(JSON.parse(readRepoFile(tenantsFile)));
  return file.tenants.flatMap((t) => [
    t.jada.tokenEnv,
    t.scc.serviceKeyEnv,
    ...t.feeds.flatMap((f) => (f.urlEnv ? [f.urlEnv] : [])),
  ]);
}

describe('docker-compose.yml', () => {
  test('has the production-like stack', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-ui', 'temporal-setup', 'worker', 'service']) {
      expect(services).toHaveProperty([name]);
    }
  });

  describe.each(Object.entries(APP_SERVICES))('%s', (name, schema) => {
    const svc = service(name);
    const env = environment(svc);
    const tenantSecrets = tenantSecretNames(mountedTenantsFile(name as keyof typeof APP_SERVICES));
    const shape: Record<string, z.ZodType> = schema.shape;

    test('sets only variables the code reads', () => {
      const known = new Set([
        ...Object.keys(shape),
        ...AWS_SDK_VARIABLES,
        ...OTEL_SDK_VARIABLES,
        'NODE_ENV',
        // node's own: the worker's heap limit (README, Worker memory).
        'NODE_OPTIONS',
        ...tenantSecrets,
      ]);
      expect(Object.keys(env).filter((key) => !known.has(key))).toEqual([]);
    });

    test('provides every required variable of its schema', () => {
      const required = Object.keys(shape).filter((key) => isRequired(shape[key]!));
      expect(required.length).toBeGreaterThan(0);
      expect(required.filter((key) => !(key in env) || env[key] === null)).toEqual([]);
    });

    test('gives each variable a value its schema accepts, unless it comes from .env', () => {
      const rejected = Object.entries(env).flatMap(([key, raw]) => {
        const field = shape[key];
        const value = valueWithoutOverrides(raw);
        if (!field || value === undefined) return [];
        const result = field.safeParse(value);
        return result.success ? [] : [`${key}=${JSON.stringify(value)}: ${result.error.issues[0]?.message}`];
      });
      expect(rejected).toEqual([]);
    });

    // The worker calls JADA and SCC; the service loads the tenants file with resolveSecrets: false.
    if (name === 'worker') {
      test('gets every secret the tenants file names', () => {
        expect(tenantSecrets.length).toBeGreaterThan(0);
        for (const secret of tenantSecrets) expect(interpolation(env[secret])?.name).toBe(secret);
      });
    } else {
      test('gets none of the JADA and SCC secrets, which it never uses', () => {
        expect(tenantSecrets.filter((secret) => secret in env)).toEqual([]);
      });
    }

    test('is built from the Dockerfile and runs a file the TypeScript build emits', () => {
      expect(svc.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
      const command = Array.isArray(svc.command) ? svc.command : (svc.command ?? '').split(/\s+/);
      expect(command[0]).toBe('node');
      expect(sourceEmitting(command[1] ?? '')).toBeDefined();
    });

    test('reaches Temporal at the compose service and starts after the namespace is set up', () => {
      expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(svc.depends_on).toMatchObject({ 'temporal-setup': { condition: 'service_completed_successfully' } });
    });
  });

  test('publishes the service on the port it listens on, on every interface of the container', () => {
    const svc = service('service');
    const env = environment(svc);
    const port = Number(valueWithoutOverrides(env.SERVICE_PORT));
    // The schema's default host (127.0.0.1) would be unreachable through a published port.
    expect(valueWithoutOverrides(env.SERVICE_HOST)).toBe('0.0.0.0');
    const targets = (svc.ports ?? []).map((p) =>
      typeof p === 'object' ? p.target : Number(String(p).split('/')[0]!.split(':').pop()),
    );
    expect(targets).toEqual([port]);
    expect(JSON.stringify(svc.healthcheck?.test)).toContain('/healthz');
  });

  test('gives the worker longer to stop than its own shutdown grace time', () => {
    const worker = service('worker');
    const grace = Number(valueWithoutOverrides(environment(worker).SHUTDOWN_GRACE_SECONDS) ?? 30);
    expect(durationSeconds(worker.stop_grace_period ?? '10s')).toBeGreaterThan(grace);
  });

  test('worker, service and setup agree on the namespace and task queue', () => {
    const [worker, svc, setup] = ['worker', 'service', 'temporal-setup'].map((name) => environment(service(name)));
    expect(svc!.TEMPORAL_NAMESPACE).toBe(worker!.TEMPORAL_NAMESPACE);
    expect(setup!.TEMPORAL_NAMESPACE).toBe(worker!.TEMPORAL_NAMESPACE);
    expect(svc!.TEMPORAL_TASK_QUEUE).toBe(worker!.TEMPORAL_TASK_QUEUE);
  });

  test('temporal-setup registers exactly the search attributes the workflow sets', () => {
    const cliType: Record<string, string> = {
      KEYWORD: 'Keyword',
      TEXT: 'Text',
      INT: 'Int',
      DOUBLE: 'Double',
      BOOL: 'Bool',
      DATETIME: 'Datetime',
      KEYWORD_LIST: 'KeywordList',
    };
    const registered = String(environment(service('temporal-setup')).SEARCH_ATTRIBUTES)
      .split(/\s+/)
      .sort();
    expect(registered).toEqual(SEARCH_ATTRIBUTE_KEYS.map((key) => `${key.name}=${cliType[key.type]}`).sort());
  });

  test('holds no secret: secret-looking values are interpolated, without a default', () => {
    const leaks = Object.entries(services).flatMap(([name, svc]) =>
      Object.entries(environment(svc)).flatMap(([key, value]) => {
        const ref = interpolation(value);
        if (ref) {
          const hasDefault = (ref.operator === ':-' || ref.operator === '-') && ref.argument !== '';
          return SECRET_NAME.test(key) && hasDefault ? [`${name}.${key} has a default`] : [];
        }
        if (value === null) return [];
        return SECRET_NAME.test(key) || URL_WITH_CREDENTIALS.test(String(value)) ? [`${name}.${key} is a literal`] : [];
      }),
    );
    expect(leaks).toEqual([]);
  });

  test('every condition it waits for can happen', () => {
    const impossible = Object.entries(services).flatMap(([name, svc]) =>
      Object.entries(Array.isArray(svc.depends_on) ? {} : (svc.depends_on ?? {})).flatMap(([dep, { condition }]) => {
        const target = service(dep);
        if (condition === 'service_healthy' && !target.healthcheck?.test)
          return [`${name} waits for ${dep} to be healthy: it has no healthcheck`];
        // A one-shot job that Docker restarts never "completes successfully".
        if (condition === 'service_completed_successfully' && (target.restart ?? 'no') !== 'no')
          return [`${name} waits for ${dep} to complete: it restarts`];
        return [];
      }),
    );
    expect(impossible).toEqual([]);
  });

  test('mounts files that exist, and the dynamic config Temporal is told to read', () => {
    const missing = Object.values(services).flatMap((svc) =>
      bindMounts(svc)
        .map(([source]) => source)
        .filter((source) => !existsSync(join(ROOT, source))),
    );
    expect(missing).toEqual([]);
    const temporal = service('temporal');
    const dynamicConfig = mountedRepoFile(temporal, String(environment(temporal).DYNAMIC_CONFIG_FILE_PATH));
    expect(dynamicConfig).toBe('./deploy/temporal/dynamicconfig.yaml');
    const settings = parse(readRepoFile(dynamicConfig!)) as Record<string, unknown>;
    expect(Object.keys(settings).length).toBeGreaterThan(0);
    const malformed = Object.entries(settings)
      .filter(
        ([, values]) =>
          !Array.isArray(values) || !values.every((v) => typeof v === 'object' && v !== null && 'value' in v),
      )
      .map(([key]) => key);
    expect(malformed).toEqual([]);
  });

  test('the one-shot Temporal jobs run the scripts in deploy/temporal', () => {
    for (const name of ['temporal-schema', 'temporal-setup']) {
      const svc = service(name);
      const script = (Array.isArray(svc.entrypoint) ? svc.entrypoint : []).find((arg) => arg.endsWith('.sh'));
      expect(script && mountedRepoFile(svc, script)).toMatch(/^\.\/deploy\/temporal\/.+\.sh$/);
    }
  });

  test('deploy/compose.env.example lists every variable the file interpolates', () => {
    const documented = new Set(
      readRepoFile('deploy/compose.env.example')
        .split('\n')
        .map((line) => /^([A-Z_][A-Z0-9_]*)=/.exec(line)?.[1])
        .filter((name): name is string => name !== undefined),
    );
    expect([...interpolatedNames(COMPOSE_TEXT)].filter((name) => !documented.has(name))).toEqual([]);
  });
});

describe('deploy/tenants.example.json', () => {
  const raw: unknown = JSON.parse(readRepoFile('deploy/tenants.example.json'));

  test('passes TenantsFileSchema', () => {
    const result = TenantsFileSchema.safeParse(raw);
    expect(result.success ? [] : result.error.issues).toEqual([]);
  });

  test('loads once the secrets it names are set', () => {
    const env = Object.fromEntries(
      tenantSecretNames('deploy/tenants.example.json').map((name) => [name, `value-of-${name}`]),
    );
    expect(loadTenants(raw, env).map((t) => t.id)).toEqual(['acme']);
  });

  test('its hashes are of the example keys deploy/README.md documents', async () => {
    const [tenant] = TenantsFileSchema.parse(raw).tenants;
    const readme = readRepoFile('deploy/README.md');
    for (const [hash, key] of [
      [tenant!.auth.intakeKeyHash, 'example-intake-key-acme-charters-not-a-secret'],
      [tenant!.auth.crewCallbackKeyHash, 'example-crew-callback-key-acme-charters-not-a-secret'],
    ] as const) {
      expect(readme).toContain(key);
      await expect(bcrypt.compare(key, hash)).resolves.toBe(true);
    }
  });
});

describe('deploy/temporal scripts', () => {
  test.each(['setup-schema.sh', 'setup-namespace.sh'])('%s is POSIX sh that stops on the first error', (file) => {
    const path = join(ROOT, 'deploy', 'temporal', file);
    const script = readRepoFile(`deploy/temporal/${file}`);
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(script).toMatch(/^set -eu$/m);
    const check = spawnSync('sh', ['-n', path], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
