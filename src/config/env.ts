import { z } from 'zod';
import { ConfigurationError, issuesToProblems } from './problems';

/** "true"/"false" only: z.coerce.boolean would read "false" as true. */
const flag = z.enum(['true', 'false']).default('false').transform((v) => v === 'true');
const positiveInt = z.coerce.number().int().positive();
const url = z.url();

/**
 * Everything the worker reads from the environment (the service adds its own keys in issue 3).
 * Parsed once at start-up; every problem is listed at once.
 */
export const WorkerEnvSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('booking-fulfillment'),
  /** Temporal Cloud API key; implies TLS. */
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: flag,
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
  /** Base URL of the Temporal UI, for links in ops emails (e.g. http://127.0.0.1:8233). */
  TEMPORAL_UI_URL: url.optional(),
  TENANTS_FILE: z.string().min(1),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be smtp://user:pass@host:port or smtps://...'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** Only for local S3/CloudFront implementations (moto); unset in production. */
  AWS_ENDPOINT_URL: url.optional(),
  STATE_BUCKET: z.string().min(3),
  HTTP_TIMEOUT_MS: positiveInt.default(10_000),
  UPLOAD_WINDOW_OPENS_BEFORE_START_HOURS: z.coerce.number().nonnegative().default(7 * 24),
  UPLOAD_WINDOW_CLOSES_AFTER_END_HOURS: z.coerce.number().nonnegative().default(3 * 24),
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  SHUTDOWN_GRACE_SECONDS: positiveInt.default(30),
});
export type WorkerEnv = z.infer<typeof WorkerEnvSchema>;

export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) throw new ConfigurationError('the environment', issuesToProblems(result.error.issues));
  const value = result.data as z.infer<S> & Partial<WorkerEnv>;
  if ((value.TEMPORAL_TLS_CERT_PATH === undefined) !== (value.TEMPORAL_TLS_KEY_PATH === undefined)) {
    throw new ConfigurationError('the environment', ['TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together']);
  }
  return value;
}
