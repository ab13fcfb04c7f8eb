import { existsSync, readFileSync } from 'node:fs';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createActivities, type GuestPagePublication } from '../../activities';
import { tenantDirectory, type Tenant } from '../../src/config/tenant';
import type { Booking } from '../../src/domain/booking';
import type { CrewMemberStatus } from '../../src/domain/crew';
import { DEFAULT_UPLOAD_WINDOW, uploadWindow, type UploadWindowState } from '../../src/domain/time';
import { createMailTransport } from '../../src/mail/transport';
import { defaultSites } from '../../src/publish/sites';
import { sampleTenant } from '../../sim/samples';
import { startEdge } from '../../sim/edge';
import { createBucket, createDistribution, motoClients, readObject, uniqueName } from './aws';
import { uniqueTenantId } from './fulfillment';
import { testServers } from './temporal';
import { MockActivityEnvironment } from '@temporalio/testing';

/**
 * A real browser for the guest page tests: Debian's chromium, never one downloaded by Playwright, so
 * CI and laptops test the same binary that the apt repository patches.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Headless, and quiet on the network: no QUIC, no component or safe-browsing updates, no sync, so
 * the only requests are the ones the page makes and the "no external requests" check means what it says.
 */
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  // A missing browser fails the run: a skipped browser test would pass CI with the page untested.
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`${CHROMIUM_PATH} not found: install Debian's chromium: apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** Everything a page did that a test may want to rule out: requests, console output, errors, dialogs. */
export interface PageActivity {
  requests: { method: string; url: string }[];
  console: { type: string; text: string }[];
  errors: string[];
  dialogs: string[];
  /** Origins of every request since the last clear(). */
  origins(): Set<string>;
  clear(): void;
}

export function watchPage(page: Page): PageActivity {
  const activity: PageActivity = {
    requests: [],
    console: [],
    errors: [],
    dialogs: [],
    origins: () => new Set(activity.requests.map((r) => new URL(r.url).origin)),
    clear() {
      activity.requests.length = 0;
      activity.console.length = 0;
      activity.errors.length = 0;
      activity.dialogs.length = 0;
    },
  };
  page.on('request', (request) => activity.requests.push({ method: request.method(), url: request.url() }));
  page.on('console', (message) => activity.console.push({ type: message.type(), text: message.text() }));
  page.on('pageerror', (error) => activity.errors.push(error.message));
  page.on('dialog', (dialog) => {
    activity.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss().catch(() => undefined);
  });
  return activity;
}

export interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

let axeSource: string | undefined;

/**
 * Runs axe-core in the page. The source goes in through evaluate rather than addScriptTag: the guest
 * page's CSP admits only its own hashed script, so an injected <script> tag would be blocked, and
 * relaxing the CSP for the audit would audit a different page.
 */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core'), 'utf8');
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    const { violations } = await axe.run();
    return violations.map(({ id, impact, help, nodes }) => ({
      id,
      impact,
      help,
      nodes: nodes.map(({ target, failureSummary }) => ({ target, failureSummary })),
    }));
  });
}

/** HTML's whitespace (not JavaScript's \s, which also takes NBSP and friends) collapsed as rendering does. */
export function collapseSpace(text: string): string {
  return text.replace(/[\t\n\f\r ]+/g, ' ').trim();
}

export interface PublishedGuestPage {
  slug: string;
  /** The nested site's page (the first site, which the page's own links name). */
  pageUrl: string;
  calendarUrl: string;
  /** The page as stored in S3, byte for byte what the edge serves. */
  html: string;
  publication: GuestPagePublication;
}

export interface GuestSite {
  tenant: Tenant;
  s3: S3Client;
  cloudfront: CloudFrontClient;
  uploadsBucket: string;
  origins: { nested: string; flat: string };
  /** Origin of the S3 stand-in, where the page's upload form posts. */
  s3Origin: string;
  /** Renders and publishes through the real publishGuestPage activity, under a fresh slug. */
  publish(options: {
    state: UploadWindowState;
    booking: Booking;
    crew: CrewMemberStatus[];
    now?: number;
  }): Promise<PublishedGuestPage>;
  stop(): Promise<void>;
}

/**
 * The guest page as guests get it, all local: both default sites in moto behind the local edge
 * (src/sim/edge.ts, which runs the repo's CloudFront Function), an uploads bucket, and the activity
 * that renders and publishes. The edge's origins become the sites' public URLs, so the page's links,
 * the upload redirect and the calendar file all resolve in the browser.
 */
export async function startGuestSite(options: { uploadMaxBytes: number }): Promise<GuestSite> {
  const { motoUrl } = testServers();
  const { s3, cloudfront } = motoClients(motoUrl);
  const [nestedBucket, flatBucket, uploadsBucket, stateBucket] = (await Promise.all(
    ['page-nested', 'page-flat', 'page-uploads', 'page-state'].map((prefix) => createBucket(s3, uniqueName(prefix))),
  )) as [string, string, string, string];
  const [nestedDistribution, flatDistribution] = await Promise.all([
    createDistribution(cloudfront, nestedBucket),
    createDistribution(cloudfront, flatBucket),
  ]);
  const edge = await startEdge({
    s3,
    sites: [
      { name: 'nested', bucket: nestedBucket },
      { name: 'flat', bucket: flatBucket },
    ],
  });
  const origins = { nested: edge.origins.nested ?? '', flat: edge.origins.flat ?? '' };
  const tenant = sampleTenant({
    id: uniqueTenantId(),
    sites: defaultSites({
      nested: { bucket: nestedBucket, distributionId: nestedDistribution.id, domain: origins.nested },
      flat: { bucket: flatBucket, distributionId: flatDistribution.id, domain: origins.flat },
    }),
    uploads: { bucket: uploadsBucket, maxBytes: options.uploadMaxBytes },
    defaultCrew: [],
  });
  // Never connects: publishing sends no mail.
  const mail = createMailTransport('smtp://127.0.0.1:9');
  let clock = Date.now();
  const activities = createActivities({
    tenants: tenantDirectory([tenant]),
    s3,
    cloudfront,
    mail,
    stateBucket,
    now: () => clock,
  });
  return {
    tenant,
    s3,
    cloudfront,
    uploadsBucket,
    origins,
    s3Origin: new URL(motoUrl).origin,
    async publish({ state, booking, crew, now }) {
      clock = now ?? Date.now();
      const slug = uniqueName('carole-may-29');
      // An activity runs in an activity context (heartbeats, cancellation), as a worker gives it.
      const publication = (await new MockActivityEnvironment().run(() =>
        activities.publishGuestPage({
          tenant: tenant.id,
          workflowId: `booking-${tenant.id}-${slug}`,
          booking,
          slug,
          crew,
          version: 1,
          uploadWindow: uploadWindow(booking.charter, DEFAULT_UPLOAD_WINDOW),
          uploadState: state,
        }),
      )) as Awaited<ReturnType<typeof activities.publishGuestPage>>;
      const [nested] = publication.pages;
      if (!nested?.calendarUrl)
        throw new Error(`publishGuestPage published no calendar file: ${JSON.stringify(publication)}`);
      const stored = await readObject(s3, nestedBucket, `guests/${slug}/index.html`);
      return {
        slug,
        pageUrl: nested.url,
        calendarUrl: nested.calendarUrl,
        html: stored.body.toString('utf8'),
        publication,
      };
    },
    async stop() {
      mail.close();
      await edge.stop();
      s3.destroy();
      cloudfront.destroy();
    },
  };
}
