import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CrewAssignmentSchema, isIanaTimeZone } from '../domain/booking';
import { ConfigurationError, issuesToProblems } from './problems';
import type { Tenant } from './tenant';

const envName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must name an environment variable, e.g. ACME_JADA_TOKEN');
const bcryptHash = z
  .string()
  .regex(/^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/, 'must be a bcrypt hash ($2b$...), never the key itself');
const sha256Hex = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'must be the sha256 of the secret in lower-case hex, never the secret itself');
const template = z.string().includes('{slug}', { message: 'must contain {slug}' });

const SiteSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]{1,40}$/),
    bucket: z.string().min(3).max(63),
    distributionId: z.string().min(1),
    objectKey: template.refine((k) => !k.startsWith('/'), 'must not start with /'),
    publicPath: template.refine((p) => p.startsWith('/'), 'must start with /'),
    publicUrl: template.refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL'),
    /** The CloudFront Function that rewrites publicPath to objectKey on this site's distribution (`npm run doctor` checks its code). */
    cloudFrontFunction: z
      .string()
      .regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be a CloudFront Function name (letters, digits, - and _)')
      .optional(),
  })
  .strict();

/**
 * A marketplace calendar export (Boatsetter, GetMyBoat) synced on a Temporal Schedule. Its URL carries
 * the marketplace's private token, so it is named by environment variable (`urlEnv`); `url` is for
 * feeds without one (the local stand-in).
 */
const FeedSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9]{1,20}$/, 'must be 1-20 lower-case letters or digits'),
    url: z.url().optional(),
    urlEnv: envName.optional(),
    source: z.enum(['boatsetter', 'getmyboat']),
    boat: z.string().trim().min(1).max(120),
    timeZone: z.string().refine(isIanaTimeZone, 'must be an IANA time zone such as Pacific/Honolulu'),
    /** The currency of the held booking's (empty) pricing until ops complete it. */
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code such as USD')
      .default('USD'),
    everyMinutes: z.number().int().min(1).max(1440).optional(),
  })
  .strict()
  .refine((f) => (f.url === undefined) !== (f.urlEnv === undefined), {
    message: 'give exactly one of url and urlEnv (an environment variable holding the URL and its token)',
    path: ['url'],
  });

/**
 * The tenants file: everything about each operator except secrets, which it names by environment
 * variable so the file can live in the repo or a config map.
 */
export const TenantFileEntrySchema = z
  .object({
    // No dashes: workflow IDs are `booking-{tenant}-{source}-{bookingId}`, and a dash in a tenant id
    // would let tenant "a" with booking "b-x" and tenant "a-b" with booking "x" share one ID.
    id: z.string().regex(/^[a-z0-9]{1,40}$/, 'must be 1-40 lower-case letters or digits (no dashes)'),
    name: z.string().min(1),
    auth: z
      .object({ intakeKeyHash: bcryptHash, crewCallbackKeyHash: bcryptHash, opsKeyHash: bcryptHash.optional() })
      .strict(),
    jada: z.object({ url: z.url(), tokenEnv: envName }).strict(),
    scc: z
      .object({ apiUrl: z.url(), serviceKeyEnv: envName })
      .strict()
      .refine((s) => !/cloudfront\.net/i.test(s.apiUrl), {
        message: 'must be the SCC origin (API Gateway) URL: CloudFront strips X-Service-Key',
        path: ['apiUrl'],
      }),
    sites: z.array(SiteSchema).min(1),
    uploads: z
      .object({
        bucket: z.string().min(3).max(63),
        maxBytes: z
          .number()
          .int()
          .positive()
          .default(15 * 1024 * 1024),
      })
      .strict(),
    ops: z.object({ from: z.string().min(3), to: z.array(z.email()).min(1) }).strict(),
    defaultCrew: z.array(CrewAssignmentSchema).default([]),
    contact: z.object({ phone: z.string().optional(), email: z.email().optional() }).strict().default({}),
    meetingPoint: z
      .object({ name: z.string().min(1), directionsUrl: z.url().optional() })
      .strict()
      .optional(),
    /** Channels that push bookings to their own path rather than through intake's key. */
    channels: z
      .object({
        fareharbor: z
          .object({
            secretHash: sha256Hex,
            timeZone: z
              .string()
              .refine(isIanaTimeZone, 'must be an IANA time zone such as Pacific/Honolulu')
              .optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    /** The operator's zone for the digest's days; defaults as tenantTimeZone() says. */
    timeZone: z.string().refine(isIanaTimeZone, 'must be an IANA time zone such as America/New_York').optional(),
    digest: z
      .object({
        enabled: z.boolean().default(true),
        at: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time such as 07:00')
          .default('07:00'),
      })
      .strict()
      .optional(),
    rosters: z
      .object({
        enabled: z.boolean().default(true),
        leadHours: z.number().positive().max(168).default(24),
        everyMinutes: z.number().int().min(5).max(1440).default(60),
      })
      .strict()
      .optional(),
    feeds: z
      .array(FeedSchema)
      .default([])
      .superRefine((feeds, ctx) => {
        const names = new Set<string>();
        feeds.forEach((f, i) => {
          if (names.has(f.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: 'is listed twice' });
          names.add(f.name);
        });
      }),
  })
  .strict();
export type TenantFileEntry = z.infer<typeof TenantFileEntrySchema>;

export const TenantsFileSchema = z.object({ tenants: z.array(TenantFileEntrySchema).min(1) }).strict();

export interface LoadTenantsOptions {
  /**
   * The worker needs the JADA and SCC secrets; the HTTP service never calls them, so it skips them
   * and they stay out of its environment (their fields are then empty strings).
   */
  resolveSecrets?: boolean;
}

/** Validates the file and resolves every secret reference; lists every problem at once. */
export function loadTenants(
  raw: unknown,
  env: NodeJS.ProcessEnv,
  source = 'the tenants file',
  { resolveSecrets = true }: LoadTenantsOptions = {},
): Tenant[] {
  const parsed = TenantsFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigurationError(source, issuesToProblems(parsed.error.issues));
  const problems: string[] = [];
  const secret = (tenantId: string, name: string): string => {
    if (!resolveSecrets) return '';
    const value = env[name];
    if (!value) problems.push(`tenant ${tenantId}: environment variable ${name} is not set`);
    return value ?? '';
  };
  const seen = new Set<string>();
  const tenants = parsed.data.tenants.map((t): Tenant => {
    if (seen.has(t.id)) problems.push(`tenant ${t.id} is listed twice`);
    seen.add(t.id);
    return {
      id: t.id,
      name: t.name,
      auth: t.auth,
      jada: { baseUrl: t.jada.url, token: secret(t.id, t.jada.tokenEnv) },
      scc: { apiUrl: t.scc.apiUrl, serviceKey: secret(t.id, t.scc.serviceKeyEnv) },
      sites: t.sites,
      uploads: t.uploads,
      ops: t.ops,
      defaultCrew: t.defaultCrew,
      contact: t.contact,
      meetingPoint: t.meetingPoint,
      ...(t.channels ? { channels: t.channels } : {}),
      feeds: t.feeds.map(({ url, urlEnv, ...feed }) => ({
        ...feed,
        url: urlEnv === undefined ? (url as string) : secret(t.id, urlEnv),
      })),
      ...(t.timeZone ? { timeZone: t.timeZone } : {}),
      ...(t.digest ? { digest: t.digest } : {}),
      ...(t.rosters ? { rosters: t.rosters } : {}),
    };
  });
  if (problems.length > 0) throw new ConfigurationError(source, problems);
  return tenants;
}

/** The tenants file's JSON, not yet validated (loadTenants does that). */
export function readTenantsFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigurationError(path, [`cannot read it as JSON: ${(err as Error).message}`]);
  }
}

export function loadTenantsFile(path: string, env: NodeJS.ProcessEnv, options: LoadTenantsOptions = {}): Tenant[] {
  return loadTenants(readTenantsFile(path), env, path, options);
}
