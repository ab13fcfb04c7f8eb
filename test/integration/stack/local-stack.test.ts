import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compare } from 'bcrypt';
import { loadTenantsFile } from '../../../src/config/tenants-file';
import { CodecServerEnvSchema, ServiceEnvSchema, WorkerEnvSchema, parseEnv } from '../../../src/config/env';
import { stackConfig, PORTS } from '../../../scripts/local-stack/config';
import { ensureLocalKeys } from '../../../scripts/local-stack/keys';
import { temporalDevServerArgs } from '../../../scripts/local-stack/temporal';
import {
  baseChildEnv,
  localTenant,
  stackEnvs,
  writeEnvFile,
  writeTenantsFile,
} from '../../../scripts/local-stack/tenant';

/** The pieces `npm start` is assembled from, without starting it. */
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'local-stack-'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('local stack settings', () => {
  it('uses the fixed defaults, or the overrides', () => {
    expect(stackConfig({}).ports).toMatchObject({ temporal: 7233, temporalUi: 8233, service: 3000, smtp: 2525 });
    expect(stackConfig({ LOCAL_SERVICE_PORT: '3100', LOCAL_DATA_DIR: dir })).toMatchObject({
      ports: { service: 3100 },
      dataDir: dir,
    });
  });

  it('lists every bad override at once', () => {
    expect(() => stackConfig({ LOCAL_SMTP_PORT: 'x', LOCAL_JADA_PORT: '70000', LOCAL_OUTBOX_PORT: '3000' })).toThrow(
      [
        'Invalid local stack settings:',
        '  - LOCAL_JADA_PORT=70000: must be a port number 1-65535',
        '  - LOCAL_SMTP_PORT=x: must be a port number 1-65535',
        '  - LOCAL_OUTBOX_PORT and LOCAL_SERVICE_PORT are both 3000',
      ].join('\n'),
    );
  });
});

describe('local keys', () => {
  it('are made once and then stay the same, hashes included', async () => {
    const path = join(dir, 'local-keys.json');
    const first = await ensureLocalKeys(path);
    expect(first.created).toBe(true);
    await expect(compare(first.keys.intakeKey, first.keys.hashes.intakeKey)).resolves.toBe(true);
    const second = await ensureLocalKeys(path);
    expect(second).toEqual({ keys: first.keys, created: false });
  });

  it('get a new hash when a key was edited by hand', async () => {
    const path = join(dir, 'local-keys.json');
    const { keys } = await ensureLocalKeys(path);
    writeFileSync(path, JSON.stringify({ ...keys, intakeKey: 'my-own-local-key' }));
    const { keys: after } = await ensureLocalKeys(path);
    expect(after.intakeKey).toBe('my-own-local-key');
    await expect(compare('my-own-local-key', after.hashes.intakeKey)).resolves.toBe(true);
    expect(after.hashes.crewCallbackKey).toBe(keys.hashes.crewCallbackKey);
  });

  it('add a FareHarbor secret to a key file from before it, keeping the other keys', async () => {
    const path = join(dir, 'local-keys.json');
    const { keys } = await ensureLocalKeys(path);
    writeFileSync(path, JSON.stringify({ ...keys, fareHarborSecret: undefined }));
    const { keys: after } = await ensureLocalKeys(path);
    expect(after.fareHarborSecret).toMatch(/^[\w-]{40,}$/);
    expect({ ...after, fareHarborSecret: undefined }).toEqual({ ...keys, fareHarborSecret: undefined });
    expect((await ensureLocalKeys(path)).keys.fareHarborSecret).toBe(after.fareHarborSecret);
  });

  it('add an ops key (with its hash) and an ops session secret to a key file from before them', async () => {
    const path = join(dir, 'local-keys.json');
    const { keys } = await ensureLocalKeys(path);
    const older = {
      ...keys,
      opsKey: undefined,
      opsSessionSecret: undefined,
      hashes: { ...keys.hashes, opsKey: undefined },
    };
    writeFileSync(path, JSON.stringify(older));
    const { keys: after } = await ensureLocalKeys(path);
    expect(after.opsKey).toMatch(/^[\w-]{32}$/);
    expect(after.opsSessionSecret.length).toBeGreaterThanOrEqual(32);
    await expect(compare(after.opsKey, after.hashes.opsKey)).resolves.toBe(true);
    expect(after.intakeKey).toBe(keys.intakeKey);
  });

  it('add payload keys to a key file from before encryption, keeping the other keys and then these', async () => {
    const path = join(dir, 'local-keys.json');
    const { keys } = await ensureLocalKeys(path);
    writeFileSync(path, JSON.stringify({ ...keys, payloadKeys: undefined }));
    const { keys: after } = await ensureLocalKeys(path);
    expect(after.payloadKeys).toMatch(/^local-[0-9a-f]{8}:[A-Za-z0-9+/]{43}=$/);
    expect(after.payloadKeys).not.toBe(keys.payloadKeys);
    expect({ ...after, payloadKeys: undefined }).toEqual({ ...keys, payloadKeys: undefined });
    expect((await ensureLocalKeys(path)).keys.payloadKeys).toBe(after.payloadKeys);
  });
});

describe('generated configuration', () => {
  it('is a tenants file and env files the worker and service accept', async () => {
    const { keys } = await ensureLocalKeys(join(dir, 'local-keys.json'));
    const tenantsFile = join(dir, 'tenants.json');
    const envs = stackEnvs({
      keys,
      tenantsFile,
      temporalAddress: '127.0.0.1:7233',
      temporalUiUrl: 'http://127.0.0.1:8233',
      smtpUrl: 'smtp://127.0.0.1:2525',
      motoUrl: 'http://127.0.0.1:4050',
      serviceHost: '127.0.0.1',
      servicePort: 3000,
      serviceUrl: 'http://127.0.0.1:3000',
      stateBucket: 'jada-fulfillment-state',
      codecPort: 4070,
    });
    // Each process reads the same payload keys; the codec server admits the UI's origin only.
    for (const [schema, env] of [
      [WorkerEnvSchema, envs.worker],
      [ServiceEnvSchema, envs.service],
      [CodecServerEnvSchema, envs.codec],
    ] as const) {
      expect(parseEnv(schema, env).PAYLOAD_KEYS.map((k) => k.id)).toEqual([keys.payloadKeys.split(':')[0]]);
    }
    expect(parseEnv(CodecServerEnvSchema, envs.codec)).toMatchObject({
      CODEC_HOST: '127.0.0.1',
      CODEC_PORT: 4070,
      CODEC_CORS_ORIGIN: 'http://127.0.0.1:8233',
    });
    const tenant = localTenant(
      'jada',
      keys,
      {
        jada: 'http://127.0.0.1:4010',
        sccApi: 'http://127.0.0.1:4020',
        edge: { nested: 'http://127.0.0.1:4040', flat: 'http://127.0.0.1:4041' },
        feed: 'http://127.0.0.1:4060/feeds/jada-sea-breeze.ics',
      },
      {
        nested: {
          bucket: 'jada-guests-nested',
          distributionId: 'E1',
          cloudFrontFunction: 'jada-guests-nested-rewrite',
        },
        flat: { bucket: 'jada-guests-flat', distributionId: 'E2' },
        uploadsBucket: 'jada-guest-uploads',
      },
    );
    writeTenantsFile(tenantsFile, tenant, envs.worker);
    const [loaded] = loadTenantsFile(tenantsFile, envs.service, { resolveSecrets: false });
    expect(loaded?.id).toBe('jada');
    // The worker gets the JADA and SCC secrets; the service, which never calls them, does not.
    expect(loadTenantsFile(tenantsFile, envs.worker)[0]?.jada.token).toBe(keys.jadaDashboardToken);
    expect(Object.values(envs.service)).not.toContain(keys.jadaDashboardToken);
    expect(Object.values(envs.service)).not.toContain(keys.sccServiceKey);
    expect(loaded?.sites.map((s) => s.publicUrl)).toEqual([
      'http://127.0.0.1:4040/g/{slug}',
      'http://127.0.0.1:4041/g/{slug}.html',
    ]);
    expect(loaded?.sites.map((s) => s.cloudFrontFunction)).toEqual(['jada-guests-nested-rewrite', undefined]);
    expect(loaded?.defaultCrew).toHaveLength(2);
    expect(loaded?.channels?.fareharbor).toEqual({
      secretHash: createHash('sha256').update(keys.fareHarborSecret).digest('hex'),
      timeZone: 'America/Los_Angeles',
    });
    expect(readFileSync(tenantsFile, 'utf8')).not.toContain(keys.fareHarborSecret);
    expect(readFileSync(tenantsFile, 'utf8')).not.toContain(keys.intakeKey);
    await expect(compare(keys.opsKey, loaded?.auth.opsKeyHash ?? '')).resolves.toBe(true);
    expect(readFileSync(tenantsFile, 'utf8')).not.toContain(keys.opsKey);
    expect(envs.service.OPS_SESSION_SECRET).toBe(keys.opsSessionSecret);

    const envFile = join(dir, 'worker.env');
    writeEnvFile(envFile, 'test', { ...envs.worker, WITH_SPACE: '/my data/x', WITH_QUOTE: "O'Hara" });
    const text = readFileSync(envFile, 'utf8');
    expect(text).toContain('SMTP_URL=smtp://127.0.0.1:2525\n');
    expect(text).toContain("WITH_SPACE='/my data/x'\n");
    expect(text).toContain('WITH_QUOTE="O\'Hara"\n');
    expect(() => writeEnvFile(envFile, 'test', { BOTH: `'"` })).toThrow('BOTH cannot be written');
  });

  it('keeps settings meant for a real cluster or AWS account away from the children; OTEL_* pass', () => {
    const env = baseChildEnv({
      PATH: '/usr/bin',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      TEMPORAL_API_KEY: 'cloud',
      TEMPORAL_ADDRESS: 'x:7233',
      AWS_PROFILE: 'prod',
      SLUG_SECRET: 's',
      TEMPORAL_CLI_PATH: '/t',
    });
    expect(env).toEqual({
      PATH: '/usr/bin',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      TEMPORAL_CLI_PATH: '/t',
    });
  });
});

describe('Temporal dev server arguments', () => {
  it("register the workflow code's search attributes and keep state in the SQLite file", () => {
    const args = temporalDevServerArgs({
      port: PORTS.temporal.default,
      uiPort: PORTS.temporalUi.default,
      dbFile: '/data/temporal.sqlite',
      codecUrl: 'http://127.0.0.1:4070',
    });
    expect(args.join(' ')).toContain(
      'server start-dev --ip 127.0.0.1 --port 7233 --ui-port 8233 --db-filename /data/temporal.sqlite ' +
        '--sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal --namespace default',
    );
    expect(args.join(' ')).toContain('--ui-codec-endpoint http://127.0.0.1:4070');
    const attributes = args.flatMap((arg, i) => (args[i - 1] === '--search-attribute' ? [arg] : []));
    expect(attributes).toEqual([
      'BookingId=Keyword',
      'Tenant=Keyword',
      'CharterStart=Datetime',
      'FulfillmentStage=Keyword',
      'SccEventId=Keyword',
    ]);
  });
});
