import { z } from 'zod';
import { ACTIVITY_PROFILES, HTTP_CALL } from '../domain/time-budgets';
import { parsePayloadKeys } from '../codec/keys';
import { ConfigurationError, issuesToProblems } from './problems';

/** The longest per-request timeout for which a find-then-create still fits its attempt, with a margin. */
const HTTP_TIMEOUT_MAX_MS = Math.floor((ACTIVITY_PROFILES.externalApi.startToCloseMs * 0.9) / 2);

/** "true"/"false" only: z.coerce.boolean would read "false" as true. */
const flag = z
  .enum(['true', 'false'])
  .default('false')
  .transform((v) => v === 'true');
const positiveInt = z.coerce.number().int().positive();

/** WORKER_MAX_CACHED_WORKFLOWS unless set: chosen from the worker's measured memory (README: Worker memory). */
export const WORKER_CACHE_DEFAULT = 30;
const url = z.url();

/**
 * The payload keys, `id:base64-32-bytes,...`: the first encrypts, all decrypt. Its problems name the
 * entry and id, never the key (zod would quote a bad value, so the check is ours).
 */
export const PayloadKeysEnv = z.string().transform((text, ctx) => {
  const { keys, problems } = parsePayloadKeys(text);
  for (const message of problems) ctx.addIssue({ code: 'custom', message });
  return problems.length > 0 ? z.NEVER : keys;
});

/** How the worker and the service reach Temporal, and where tenants are configured. */
const TemporalEnv = {
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('booking-fulfillment'),
  /** Temporal Cloud API key; implies TLS. */
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: flag,
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
  /** Base URL of the Temporal UI, for links in ops emails and the demo (e.g. http://127.0.0.1:8233). */
  TEMPORAL_UI_URL: url.optional(),
  TENANTS_FILE: z.string().min(1),
  /** Every payload is encrypted with these (src/codec): both the worker and the service read and write them. */
  PAYLOAD_KEYS: PayloadKeysEnv,
};

/** Empty is unset: docker compose passes `${NAME:-}` as "". */
const unsetIfEmpty = <S extends z.ZodType>(schema: S) => z.preprocess((v) => (v === '' ? undefined : v), schema);

const prometheusAddress = z.string().regex(/^[^:\s]+:\d{1,5}$/, 'must be host:port, e.g. 0.0.0.0:9464');

/**
 * Tracing (src/telemetry/tracing.ts): off unless an exporter, an OTLP endpoint or a spans file is
 * named. These are the standard OpenTelemetry variables the code reads itself; the OTLP exporter and
 * the SDK read the rest (OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, OTEL_TRACES_SAMPLER, OTEL_BSP_*, ...).
 */
const TracingEnv = {
  OTEL_SDK_DISABLED: unsetIfEmpty(flag),
  /** Comma-separated: `otlp`, `console`, or `none`. Unset: `otlp` when an OTLP endpoint is set, else nothing. */
  OTEL_TRACES_EXPORTER: unsetIfEmpty(
    z
      .string()
      .transform((text, ctx) => {
        const names = text
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name !== '' && name !== 'none');
        const unknown = names.filter((name) => name !== 'otlp' && name !== 'console');
        if (unknown.length > 0) {
          ctx.addIssue({ code: 'custom', message: `unsupported: ${unknown.join(', ')} (use otlp, console or none)` });
          return z.NEVER;
        }
        return [...new Set(names as ('otlp' | 'console')[])];
      })
      .optional(),
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: unsetIfEmpty(url.optional()),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: unsetIfEmpty(url.optional()),
  /** The exporter speaks OTLP over HTTP with protobuf bodies, the spec's default; say so rather than ignore another. */
  OTEL_EXPORTER_OTLP_PROTOCOL: unsetIfEmpty(z.enum(['http/protobuf'], 'only http/protobuf is supported').optional()),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: unsetIfEmpty(
    z.enum(['http/protobuf'], 'only http/protobuf is supported').optional(),
  ),
  /** Spans as JSON lines appended to this file (`npm start` sets `.data/logs/spans.jsonl`). */
  TRACES_FILE: unsetIfEmpty(z.string().min(1).optional()),
};
export type TracingEnvValues = z.infer<z.ZodObject<typeof TracingEnv>>;

/**
 * How bookings are started: the service's intake, and the worker's for bookings from calendar feeds.
 * Both must agree (the slug key above all), so they read the same variables.
 */
const IntakeEnv = {
  /** Key of the HMAC that makes guest page slugs unguessable. */
  SLUG_SECRET: z.string().min(16, 'must be at least 16 characters'),
  CREW_CONFIRMATION_TIMEOUT_HOURS: z.coerce.number().positive().default(48),
  CREW_CONFIRMATION_LEAD_HOURS: z.coerce.number().nonnegative().default(24),
  /** Silent crew are reminded through SCC this long after being asked, and this long before their deadline. */
  CREW_REMINDER_AFTER_ASK_HOURS: z.coerce.number().positive().default(24),
  CREW_REMINDER_BEFORE_DEADLINE_HOURS: z.coerce.number().positive().default(12),
  /** The guest photo-upload window, fixed into each booking's workflow when it starts. */
  UPLOAD_WINDOW_OPENS_BEFORE_START_HOURS: z.coerce
    .number()
    .nonnegative()
    .default(7 * 24),
  UPLOAD_WINDOW_CLOSES_AFTER_END_HOURS: z.coerce
    .number()
    .nonnegative()
    .default(3 * 24),
  /** How often an open page gets a fresh presigned POST; at most 168 (S3 policies last 7 days). */
  UPLOAD_POLICY_REFRESH_HOURS: z.coerce
    .number()
    .positive()
    .max(168)
    .default(6 * 24),
};

/**
 * Everything the worker reads from the environment. Parsed once at start-up; every problem is
 * listed at once.
 */
export const WorkerEnvSchema = z.object({
  ...TemporalEnv,
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be smtp://user:pass@host:port or smtps://...'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** Only for local S3/CloudFront implementations (moto); unset in production. */
  AWS_ENDPOINT_URL: url.optional(),
  STATE_BUCKET: z.string().min(3),
  /** Per request to JADA and SCC; two requests in a row must fit the 30 s attempt (src/domain/time-budgets.ts). */
  HTTP_TIMEOUT_MS: positiveInt
    .max(
      HTTP_TIMEOUT_MAX_MS,
      `must be at most ${HTTP_TIMEOUT_MAX_MS}: two calls in a row must fit the JADA/SCC attempt`,
    )
    .default(HTTP_CALL.timeoutMs),
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  /**
   * How many bookings' workflow state the worker keeps in memory between their tasks (the SDK's sticky
   * cache). A booking waits days, so this, not the work, sets the worker's memory: without it the SDK
   * sizes the cache from the heap limit (thousands of bookings on a large machine). A booking that fell
   * out of the cache is replayed from its history at its next task: milliseconds of CPU, same result.
   * 0 turns the cache off (every task replays). The default comes from `npm run bench -- pipeline`
   * (README: Worker memory).
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce
    .number()
    .int()
    .min(0)
    .refine((n) => n !== 1, 'must be 0 (no cache) or at least 2')
    .default(WORKER_CACHE_DEFAULT),
  SHUTDOWN_GRACE_SECONDS: positiveInt.default(30),
  /** The SDK's log level for the worker, its workflows and activities. */
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
  /** host:port for a Prometheus /metrics endpoint of the SDK's worker metrics (task latencies, failures, slots). */
  METRICS_PROMETHEUS_ADDRESS: prometheusAddress.optional(),
  ...TracingEnv,
  // Bookings from calendar feeds are started by the worker, through the same intake as the service's.
  ...IntakeEnv,
  /** Needed only when a tenant has calendar feeds: the worker then starts their held bookings. */
  SLUG_SECRET: IntakeEnv.SLUG_SECRET.optional(),
  /** How often each feed's schedule syncs it, unless the feed says otherwise. */
  FEED_SYNC_EVERY_MINUTES: positiveInt.max(1440).default(15),
  /**
   * Create, update and remove the tenants file's schedules (feed syncs, the ops digest, crew rosters) at
   * start (`npm run schedules` does it too). Named before the digest existed; it covers them all.
   */
  FEED_SCHEDULES_AT_START: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** How ops reach the service (its ops page), for links in held-booking and feed emails. */
  PUBLIC_BASE_URL: url.optional(),
});
export type WorkerEnv = z.infer<typeof WorkerEnvSchema>;

/** Everything the HTTP service reads from the environment. */
export const ServiceEnvSchema = z.object({
  ...TemporalEnv,
  SERVICE_HOST: z.string().min(1).default('127.0.0.1'),
  SERVICE_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** How clients reach this service, for `statusUrl` in answers (e.g. https://fulfillment.example.com). */
  PUBLIC_BASE_URL: url.optional(),
  ...IntakeEnv,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Key of the HMAC that signs ops page sessions and their CSRF tokens: the same on every replica, so a
   * session works whichever one answers. Needed once a tenant has `auth.opsKeyHash`; rotating it ends
   * every session. Empty is unset (docker compose passes `${OPS_SESSION_SECRET:-}` as "").
   */
  OPS_SESSION_SECRET: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().min(32, 'must be at least 32 characters').optional(),
  ),
  /** host:port for a Prometheus /metrics endpoint of the service's metrics (intake outcomes, auth failures, latency). */
  METRICS_PROMETHEUS_ADDRESS: prometheusAddress.optional(),
  ...TracingEnv,
});
export type ServiceEnv = z.infer<typeof ServiceEnvSchema>;

/** The codec server (src/codec-server): the Temporal UI and CLI decode payloads through it. */
export const CodecServerEnvSchema = z.object({
  PAYLOAD_KEYS: PayloadKeysEnv,
  /** Loopback by default: it decrypts for whoever can reach it. */
  CODEC_HOST: z.string().min(1).default('127.0.0.1'),
  CODEC_PORT: z.coerce.number().int().min(0).max(65535).default(8888),
  /** The Temporal UI's origin (e.g. https://cloud.temporal.io), the only one a browser may call from. */
  CODEC_CORS_ORIGIN: z
    .url()
    .transform((value) => new URL(value).origin)
    .optional(),
  /** When set, requests need `Authorization: Bearer <token>`. */
  CODEC_AUTH_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type CodecServerEnv = z.infer<typeof CodecServerEnvSchema>;

export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) throw new ConfigurationError('the environment', issuesToProblems(result.error.issues));
  const value = result.data as z.infer<S> & Partial<WorkerEnv>;
  if ((value.TEMPORAL_TLS_CERT_PATH === undefined) !== (value.TEMPORAL_TLS_KEY_PATH === undefined)) {
    throw new ConfigurationError('the environment', ['TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together']);
  }
  return value;
}
