import { ConfigurationError } from '../../../src/config/problems';
import {
  CodecServerEnvSchema,
  ServiceEnvSchema,
  WORKER_CACHE_DEFAULT,
  WorkerEnvSchema,
  parseEnv,
} from '../../../src/config/env';
import { TEST_PAYLOAD_KEYS as PAYLOAD_KEYS } from '../../support/codec';
import { loadTenants } from '../../../src/config/tenants-file';
import { tenantTimeZone } from '../../../src/config/tenant';

const HASH = '$2b$04$' + 'a'.repeat(53);

function tenantEntry(overrides: Record<string, unknown> = {}) {
  return {
    id: 'jada',
    name: 'JADA Charters',
    auth: { intakeKeyHash: HASH, crewCallbackKeyHash: HASH },
    jada: { url: 'https://dashboard.example.com/api', tokenEnv: 'JADA_TOKEN' },
    scc: { apiUrl: 'https://abc123.execute-api.us-east-1.amazonaws.com/prod', serviceKeyEnv: 'SCC_KEY' },
    sites: [
      {
        name: 'nested',
        bucket: 'guests-nested',
        distributionId: 'E1',
        objectKey: 'guests/{slug}/index.html',
        publicPath: '/g/{slug}',
        publicUrl: 'https://a.example.com/g/{slug}',
      },
    ],
    uploads: { bucket: 'guest-uploads' },
    ops: { from: 'fulfillment@example.com', to: ['ops@example.com'] },
    ...overrides,
  };
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigurationError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigurationError');
}

describe('tenants file', () => {
  test('resolves secrets from the environment and applies defaults', () => {
    const [tenant] = loadTenants({ tenants: [tenantEntry()] }, { JADA_TOKEN: 't', SCC_KEY: 'k' });
    expect(tenant?.jada.token).toBe('t');
    expect(tenant?.scc.serviceKey).toBe('k');
    expect(tenant?.uploads.maxBytes).toBe(15 * 1024 * 1024);
    expect(tenant?.defaultCrew).toEqual([]);
  });

  test('lists every problem at once, including the CloudFront URL for SCC and a key instead of a hash', () => {
    const problems = problemsOf(() =>
      loadTenants(
        {
          tenants: [
            tenantEntry({
              auth: { intakeKeyHash: 'plain-key', crewCallbackKeyHash: HASH },
              scc: { apiUrl: 'https://d111.cloudfront.net', serviceKeyEnv: 'SCC_KEY' },
              sites: [
                {
                  name: 'x',
                  bucket: 'b-1',
                  distributionId: 'E',
                  objectKey: '/no-slug.html',
                  publicPath: 'g',
                  publicUrl: 'ftp://x',
                },
              ],
            }),
          ],
        },
        {},
      ),
    );
    expect(problems.join('\n')).toMatch(/auth\.intakeKeyHash: must be a bcrypt hash/);
    expect(problems.join('\n')).toMatch(/scc\.apiUrl: must be the SCC origin/);
    expect(problems.filter((p) => p.includes('sites.0')).length).toBeGreaterThanOrEqual(3);
  });

  test('missing secrets and duplicate tenants are listed together, without values', () => {
    const problems = problemsOf(() => loadTenants({ tenants: [tenantEntry(), tenantEntry()] }, { SCC_KEY: 'k' }));
    expect(problems).toEqual([
      'tenant jada: environment variable JADA_TOKEN is not set',
      'tenant jada is listed twice',
      'tenant jada: environment variable JADA_TOKEN is not set',
    ]);
  });

  test('a tenant id with a dash is refused: it could read as another tenant plus a source in a workflow ID', () => {
    // booking-jada-fareharbor-x-1 would be tenant jada's FareHarbor booking x-1, or this tenant's booking 1.
    const problems = problemsOf(() =>
      loadTenants(
        { tenants: [tenantEntry(), tenantEntry({ id: 'jada-fareharbor-x' })] },
        { JADA_TOKEN: 't', SCC_KEY: 'k' },
      ),
    );
    expect(problems).toEqual(['tenants.1.id: must be 1-40 lower-case letters or digits (no dashes)']);
  });
});

describe('environment', () => {
  test('worker: required variables are listed together, defaults applied', () => {
    expect(problemsOf(() => parseEnv(WorkerEnvSchema, {}))).toEqual([
      'TENANTS_FILE: is required',
      'PAYLOAD_KEYS: is required',
      'SMTP_URL: is required',
      'STATE_BUCKET: is required',
    ]);
    const env = parseEnv(WorkerEnvSchema, {
      TENANTS_FILE: 't.json',
      PAYLOAD_KEYS,
      SMTP_URL: 'smtp://localhost:25',
      STATE_BUCKET: 'state',
    });
    expect(env.TEMPORAL_ADDRESS).toBe('127.0.0.1:7233');
    expect(env.TEMPORAL_TLS).toBe(false);
  });

  test('flags are "true" or "false" only: "false" is false, "yes" is an error', () => {
    const base = { TENANTS_FILE: 't', PAYLOAD_KEYS, SMTP_URL: 'smtp://x', STATE_BUCKET: 'state' };
    expect(parseEnv(WorkerEnvSchema, { ...base, TEMPORAL_TLS: 'false' }).TEMPORAL_TLS).toBe(false);
    expect(problemsOf(() => parseEnv(WorkerEnvSchema, { ...base, TEMPORAL_TLS: 'yes' }))[0]).toMatch(/^TEMPORAL_TLS:/);
  });

  test('the worker cache: WORKER_CACHE_DEFAULT (30) unless set, 0 turns it off, 1 and negatives are refused', () => {
    const base = { TENANTS_FILE: 't', PAYLOAD_KEYS, SMTP_URL: 'smtp://x', STATE_BUCKET: 'state' };
    expect(parseEnv(WorkerEnvSchema, base).WORKER_MAX_CACHED_WORKFLOWS).toBe(WORKER_CACHE_DEFAULT);
    expect(WORKER_CACHE_DEFAULT).toBe(30);
    expect(parseEnv(WorkerEnvSchema, { ...base, WORKER_MAX_CACHED_WORKFLOWS: '0' }).WORKER_MAX_CACHED_WORKFLOWS).toBe(
      0,
    );
    expect(problemsOf(() => parseEnv(WorkerEnvSchema, { ...base, WORKER_MAX_CACHED_WORKFLOWS: '1' }))).toEqual([
      'WORKER_MAX_CACHED_WORKFLOWS: must be 0 (no cache) or at least 2',
    ]);
    expect(problemsOf(() => parseEnv(WorkerEnvSchema, { ...base, WORKER_MAX_CACHED_WORKFLOWS: '-5' }))[0]).toMatch(
      /^WORKER_MAX_CACHED_WORKFLOWS:/,
    );
  });

  test('service: a short slug secret is refused', () => {
    expect(
      problemsOf(() => parseEnv(ServiceEnvSchema, { TENANTS_FILE: 't', PAYLOAD_KEYS, SLUG_SECRET: 'short' })),
    ).toEqual(['SLUG_SECRET: must be at least 16 characters']);
  });

  test('payload keys: the worker, the service and the codec server list bad entries without the key material', () => {
    const short = Buffer.alloc(16, 7).toString('base64');
    const bad = { TENANTS_FILE: 't', SLUG_SECRET: 'a-long-enough-slug-secret', PAYLOAD_KEYS: `new:${short},old` };
    const expected = [
      'PAYLOAD_KEYS: entry 1 (id new): the key must be 32 bytes, it is 16',
      'PAYLOAD_KEYS: entry 2: must be id:base64-key (no ":" found)',
    ];
    expect(problemsOf(() => parseEnv(ServiceEnvSchema, bad))).toEqual(expected);
    expect(
      problemsOf(() => parseEnv(WorkerEnvSchema, { ...bad, SMTP_URL: 'smtp://x', STATE_BUCKET: 'state' })),
    ).toEqual(expected);
    const codec = () => parseEnv(CodecServerEnvSchema, { ...bad, CODEC_AUTH_TOKEN: 'short' });
    expect(problemsOf(codec)).toEqual([...expected, 'CODEC_AUTH_TOKEN: must be at least 16 characters']);
    expect(problemsOf(codec).join('\n')).not.toContain(short);
    const env = parseEnv(CodecServerEnvSchema, { PAYLOAD_KEYS, CODEC_CORS_ORIGIN: 'https://cloud.temporal.io/' });
    expect(env).toMatchObject({
      CODEC_HOST: '127.0.0.1',
      CODEC_PORT: 8888,
      CODEC_CORS_ORIGIN: 'https://cloud.temporal.io',
    });
    expect(env.PAYLOAD_KEYS.map((k) => k.id)).toEqual(['test-2026', 'test-2025']);
  });
});

test('a FareHarbor channel takes a sha256 hex of its secret and an IANA zone, never the secret itself', () => {
  const secretHash = 'ab'.repeat(32);
  const [tenant] = loadTenants(
    { tenants: [tenantEntry({ channels: { fareharbor: { secretHash, timeZone: 'Pacific/Honolulu' } } })] },
    { JADA_TOKEN: 't', SCC_KEY: 'k' },
  );
  expect(tenant?.channels).toEqual({ fareharbor: { secretHash, timeZone: 'Pacific/Honolulu' } });
  const [plain] = loadTenants({ tenants: [tenantEntry()] }, { JADA_TOKEN: 't', SCC_KEY: 'k' });
  expect(plain?.channels).toBeUndefined();
  const problems = problemsOf(() =>
    loadTenants(
      { tenants: [tenantEntry({ channels: { fareharbor: { secretHash: 'my-secret', timeZone: 'HST' } } })] },
      { JADA_TOKEN: 't', SCC_KEY: 'k' },
    ),
  );
  expect(problems).toEqual([
    'tenants.0.channels.fareharbor.secretHash: must be the sha256 of the secret in lower-case hex, never the secret itself',
    'tenants.0.channels.fareharbor.timeZone: must be an IANA time zone such as Pacific/Honolulu',
  ]);
});

test('the digest and rosters: a zone, a time of day and a lead, with defaults; the zone falls back to the channels', () => {
  const env = { JADA_TOKEN: 't', SCC_KEY: 'k' };
  const [set] = loadTenants(
    {
      tenants: [
        tenantEntry({
          timeZone: 'America/New_York',
          digest: { at: '06:30' },
          rosters: { leadHours: 12, enabled: false },
        }),
      ],
    },
    env,
  );
  expect(set).toMatchObject({
    timeZone: 'America/New_York',
    digest: { enabled: true, at: '06:30' },
    rosters: { enabled: false, leadHours: 12, everyMinutes: 60 },
  });
  const [plain] = loadTenants({ tenants: [tenantEntry()] }, env);
  expect(plain?.digest).toBeUndefined();
  expect(tenantTimeZone(plain!)).toBe('UTC');
  expect(tenantTimeZone({ channels: { fareharbor: { secretHash: '', timeZone: 'Pacific/Honolulu' } } })).toBe(
    'Pacific/Honolulu',
  );
  const problems = problemsOf(() =>
    loadTenants(
      { tenants: [tenantEntry({ timeZone: 'EST', digest: { at: '7:00' }, rosters: { everyMinutes: 1 } })] },
      env,
    ),
  );
  expect(problems).toEqual([
    'tenants.0.timeZone: must be an IANA time zone such as America/New_York',
    'tenants.0.digest.at: must be a 24-hour time such as 07:00',
    'tenants.0.rosters.everyMinutes: Too small: expected number to be >=5',
  ]);
});

test('the service loads tenants without the JADA and SCC secrets', () => {
  const [tenant] = loadTenants({ tenants: [tenantEntry()] }, {}, 'tenants.json', { resolveSecrets: false });
  expect(tenant?.auth.intakeKeyHash).toBe(HASH);
  expect(tenant?.jada.token).toBe('');
});

test('the ops page: an optional bcrypt auth.opsKeyHash (never the key), and an OPS_SESSION_SECRET of at least 32 characters', () => {
  const [withOps] = loadTenants(
    { tenants: [tenantEntry({ auth: { intakeKeyHash: HASH, crewCallbackKeyHash: HASH, opsKeyHash: HASH } })] },
    {},
    'tenants.json',
    { resolveSecrets: false },
  );
  expect(withOps?.auth.opsKeyHash).toBe(HASH);
  expect(
    problemsOf(() =>
      loadTenants(
        { tenants: [tenantEntry({ auth: { intakeKeyHash: HASH, crewCallbackKeyHash: HASH, opsKeyHash: 'the-key' } })] },
        {},
        'tenants.json',
        { resolveSecrets: false },
      ),
    ),
  ).toEqual(['tenants.0.auth.opsKeyHash: must be a bcrypt hash ($2b$...), never the key itself']);
  const base = {
    TENANTS_FILE: 't',
    SLUG_SECRET: 's'.repeat(16),
    PAYLOAD_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  };
  expect(parseEnv(ServiceEnvSchema, base).OPS_SESSION_SECRET).toBeUndefined();
  expect(parseEnv(ServiceEnvSchema, { ...base, OPS_SESSION_SECRET: '' }).OPS_SESSION_SECRET).toBeUndefined();
  expect(problemsOf(() => parseEnv(ServiceEnvSchema, { ...base, OPS_SESSION_SECRET: 'x'.repeat(31) }))).toEqual([
    'OPS_SESSION_SECRET: must be at least 32 characters',
  ]);
});

test('calendar feeds: the export URL by variable (its token) or as is, every problem listed, names unique', () => {
  const feed = { name: 'boatsetter', source: 'boatsetter', boat: 'Sea Breeze', timeZone: 'America/New_York' };
  const [tenant] = loadTenants(
    {
      tenants: [
        tenantEntry({
          feeds: [
            { ...feed, urlEnv: 'BS_FEED_URL' },
            { ...feed, name: 'gmb', source: 'getmyboat', url: 'http://127.0.0.1:4060/feeds/x.ics', everyMinutes: 5 },
          ],
        }),
      ],
    },
    { JADA_TOKEN: 't', SCC_KEY: 'k', BS_FEED_URL: 'https://www.boatsetter.com/calendar/abc.ics?token=s3cret' },
  );
  expect(tenant?.feeds).toEqual([
    { ...feed, currency: 'USD', url: 'https://www.boatsetter.com/calendar/abc.ics?token=s3cret' },
    {
      ...feed,
      name: 'gmb',
      source: 'getmyboat',
      currency: 'USD',
      url: 'http://127.0.0.1:4060/feeds/x.ics',
      everyMinutes: 5,
    },
  ]);
  expect(loadTenants({ tenants: [tenantEntry()] }, { JADA_TOKEN: 't', SCC_KEY: 'k' })[0]?.feeds).toEqual([]);

  const problems = problemsOf(() =>
    loadTenants(
      {
        tenants: [
          tenantEntry({
            feeds: [
              { ...feed, name: 'Boat-Setter', url: 'https://a.example/x.ics', urlEnv: 'BS' },
              { ...feed, source: 'airbnb', timeZone: 'EST' },
            ],
          }),
        ],
      },
      { JADA_TOKEN: 't', SCC_KEY: 'k' },
    ),
  );
  expect(problems).toEqual(
    expect.arrayContaining([
      'tenants.0.feeds.0.name: must be 1-20 lower-case letters or digits',
      expect.stringContaining('tenants.0.feeds.0.url: give exactly one of url and urlEnv'),
      expect.stringContaining('tenants.0.feeds.1.source'),
      'tenants.0.feeds.1.timeZone: must be an IANA time zone such as Pacific/Honolulu',
    ]),
  );
  // Once every feed is well-formed: names must be unique, and the variables they name set.
  const twice = {
    tenants: [
      tenantEntry({
        feeds: [
          { ...feed, urlEnv: 'MISSING_FEED_URL' },
          { ...feed, url: 'https://a.example/x.ics' },
        ],
      }),
    ],
  };
  expect(problemsOf(() => loadTenants(twice, { JADA_TOKEN: 't', SCC_KEY: 'k' }))).toEqual([
    'tenants.0.feeds.1.name: is listed twice',
  ]);
  const unset = { tenants: [tenantEntry({ feeds: [{ ...feed, urlEnv: 'MISSING_FEED_URL' }] })] };
  expect(problemsOf(() => loadTenants(unset, { JADA_TOKEN: 't', SCC_KEY: 'k' }))).toEqual([
    'tenant jada: environment variable MISSING_FEED_URL is not set',
  ]);
});

test('worker: SLUG_SECRET is optional (feeds need it, the worker says so at start), the feed interval bounded', () => {
  const base = { TENANTS_FILE: 't.json', PAYLOAD_KEYS, SMTP_URL: 'smtp://127.0.0.1:25', STATE_BUCKET: 'state' };
  const env = parseEnv(WorkerEnvSchema, base);
  expect(env.SLUG_SECRET).toBeUndefined();
  expect(env.FEED_SYNC_EVERY_MINUTES).toBe(15);
  expect(env.FEED_SCHEDULES_AT_START).toBe(true);
  expect(
    problemsOf(() => parseEnv(WorkerEnvSchema, { ...base, SLUG_SECRET: 'short', FEED_SYNC_EVERY_MINUTES: '0' })),
  ).toEqual(['SLUG_SECRET: must be at least 16 characters', expect.stringContaining('FEED_SYNC_EVERY_MINUTES')]);
});
