import type { CrewAssignment } from '../domain/booking';

/**
 * One place a guest page is published: an S3 bucket behind a CloudFront distribution. `objectKey`,
 * `publicPath` and `publicUrl` are templates with `{slug}`.
 * The defaults model the two sites of the operator:
 *  - nested: object `guests/{slug}/index.html`, served at `/g/{slug}` by a CloudFront Function rewrite;
 *  - flat:   object `g/{slug}.html`, served at `/g/{slug}.html`.
 */
export interface Site {
  name: string;
  bucket: string;
  distributionId: string;
  objectKey: string;
  publicPath: string;
  publicUrl: string;
  /**
   * The CloudFront Function (viewer request) that serves publicPath from objectKey, for a site whose
   * two differ (nested): `npm run doctor` compares its live code with src/publish/cloudfront-function.
   */
  cloudFrontFunction?: string;
}

/** A tenant (charter operator) as the worker and service use it, with its secrets resolved from env. */
export interface Tenant {
  id: string;
  /** Operator name as guests and ops read it. */
  name: string;
  /**
   * bcrypt hashes of the keys callers present in X-Service-Key: the booking intake's, and SCC's
   * crew-response callback's; and, when the tenant has the ops page, of the key ops log in with.
   * Hashes, not keys, so the tenants file holds no secret.
   */
  auth: { intakeKeyHash: string; crewCallbackKeyHash: string; opsKeyHash?: string };
  jada: { baseUrl: string; token: string };
  /** SCC's origin (API Gateway) URL, never the CDN domain: CloudFront strips X-Service-Key. */
  scc: { apiUrl: string; serviceKey: string };
  sites: Site[];
  /** Guest photo uploads: presigned S3 POSTs into this bucket under `uploads/{slug}/`. */
  uploads: { bucket: string; maxBytes: number };
  ops: { from: string; to: string[] };
  defaultCrew: CrewAssignment[];
  contact: { phone?: string; email?: string };
  meetingPoint?: { name: string; directionsUrl?: string };
  channels?: { fareharbor?: FareHarborChannel };
  /** Marketplace calendar exports synced on Temporal Schedules (feed-sync workflow); none by default. */
  feeds?: CalendarFeed[];
  /**
   * The operator's IANA zone: the daily digest's time and its days (today, tomorrow, yesterday) are
   * read in it. The tenants file's `timeZone`, else FareHarbor's zone, else the first feed's, else UTC.
   */
  timeZone?: string;
  /** The daily ops digest and the crew rosters (Temporal Schedules); defaults when absent. */
  digest?: DigestSettings;
  rosters?: RosterSettings;
}

/** The daily ops digest: sent at `at` (HH:MM, tenant-local) unless `enabled` is false. */
export interface DigestSettings {
  enabled: boolean;
  at: string;
}

/** One roster per charter, `leadHours` before it starts, from a schedule run every `everyMinutes`. */
export interface RosterSettings {
  enabled: boolean;
  leadHours: number;
  everyMinutes: number;
}

export const DEFAULT_DIGEST: DigestSettings = { enabled: true, at: '07:00' };
export const DEFAULT_ROSTERS: RosterSettings = { enabled: true, leadHours: 24, everyMinutes: 60 };

/** The zone the tenant's days are read in (see Tenant.timeZone). */
export function tenantTimeZone(tenant: Pick<Tenant, 'timeZone' | 'channels' | 'feeds'>): string {
  return tenant.timeZone ?? tenant.channels?.fareharbor?.timeZone ?? tenant.feeds?.[0]?.timeZone ?? 'UTC';
}

/** A marketplace's iCal export of one boat; `url` is resolved (it may carry the marketplace's token). */
export interface CalendarFeed {
  name: string;
  url: string;
  source: 'boatsetter' | 'getmyboat';
  boat: string;
  timeZone: string;
  currency: string;
  /** How often the schedule syncs it; FEED_SYNC_EVERY_MINUTES (15) when absent. */
  everyMinutes?: number;
}

/**
 * FareHarbor's webhook cannot send headers, so its secret is in the path: `secretHash` is its sha256
 * (hex). `timeZone` is the operator's IANA zone, which FareHarbor's times (offsets only) cannot name.
 */
export interface FareHarborChannel {
  secretHash: string;
  timeZone?: string;
}

/** Where the worker and service find a tenant; unknown ids are a configuration error, never retried. */
export interface TenantDirectory {
  get(id: string): Tenant | undefined;
  ids(): string[];
}

export function tenantDirectory(tenants: readonly Tenant[]): TenantDirectory {
  const byId = new Map(tenants.map((t) => [t.id, t]));
  return { get: (id) => byId.get(id), ids: () => [...byId.keys()] };
}
