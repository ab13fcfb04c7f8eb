import { createHash } from 'node:crypto';
import { HeadObjectCommand, NotFound, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { MailTransport } from '../src/mail/transport';
import { ApplicationFailure, log } from '@temporalio/activity';
import type { Booking, CrewAssignment } from '../src/domain/booking';
import type { CrewMemberStatus } from '../src/domain/crew';
import type { UploadWindow, UploadWindowState } from '../src/domain/time';
import type { Tenant, TenantDirectory } from '../src/config/tenant';
import { JadaClient } from '../src/clients/jada';
import { SccClient } from '../src/clients/scc';
import { publishGuestPage as publishToSites } from '../src/publish/publisher';
import { createUploadPolicy } from '../src/publish/upload-policy';
import { calendarLocation, expandSite } from '../src/publish/sites';
import { PublishInputError } from '../src/publish/errors';
import { renderGuestPage, type UploadState } from '../src/page/render';
import { renderCalendarFile } from '../src/page/ics';
import { composeOpsSummary } from '../src/mail/summary';
import { opsSummaryMessageId } from '../src/mail/message-id';
import { isRetryableMailError, sendOpsSummary as sendMail } from '../src/mail/transport';
import { configurationFailure, toActivityFailure } from './failures';

export interface ActivityDeps {
  tenants: TenantDirectory;
  s3: S3Client;
  cloudfront: CloudFrontClient;
  mail: MailTransport;
  /** Private bucket for the worker's own records (which ops emails were sent). */
  stateBucket: string;
  /** Link from the ops email to a workflow in the Temporal UI; `{workflowId}` is replaced. */
  temporalUiWorkflowUrl?: string;
  /** Per-request timeout towards JADA and SCC. */
  httpTimeoutMs?: number;
  now?: () => number;
}

export interface BookingRef {
  tenant: string;
  workflowId: string;
  booking: Booking;
}

export interface CalendarEntry {
  jadaEventId: string;
  created: boolean;
}

export interface CrewEvent {
  sccEventId: string;
  created: boolean;
  /** Who SCC notified; the magic links themselves are credentials and never leave the activity. */
  notifiedCrewIds: string[];
}

export interface GuestPagePublication {
  version: number;
  uploadState: UploadState['state'];
  bytes: number;
  pages: { site: string; url: string; invalidationId: string; calendarUrl?: string }[];
}

export interface OpsSummarySent {
  messageId: string;
  /** True when an earlier attempt already sent it: nothing was sent this time. */
  alreadySent: boolean;
}

/**
 * The activities, built from their dependencies (STYLE: activities by factory). Each one is an
 * idempotent call into src/: running it twice for the same booking has one effect.
 */
export function createActivities(deps: ActivityDeps) {
  const now = deps.now ?? Date.now;

  function tenantOf(id: string): Tenant {
    const tenant = deps.tenants.get(id);
    if (!tenant) throw configurationFailure(`Unknown tenant "${id}": add it to the tenants file of the worker`);
    return tenant;
  }

  return {
    async createCalendarEntry({ tenant: tenantId, workflowId, booking }: BookingRef): Promise<CalendarEntry> {
      const tenant = tenantOf(tenantId);
      try {
        const jada = new JadaClient({ baseUrl: tenant.jada.baseUrl, token: tenant.jada.token, timeoutMs: deps.httpTimeoutMs });
        const { event, created } = await jada.ensureEvent({
          title: `${booking.guest.name} · ${booking.boat} (${booking.source})`,
          start: booking.charter.start,
          end: booking.charter.end,
          notes: calendarNotes(booking),
          externalId: workflowId,
        });
        log.info(created ? 'JADA calendar entry created' : 'JADA calendar entry already existed', { jadaEventId: event.id });
        return { jadaEventId: event.id, created };
      } catch (err) {
        throw toActivityFailure(err, 'Creating the JADA calendar entry failed');
      }
    },

    async createCrewEvent({ tenant: tenantId, workflowId, booking, crew }: BookingRef & { crew: CrewAssignment[] }): Promise<CrewEvent> {
      const tenant = tenantOf(tenantId);
      try {
        const scc = new SccClient({ apiUrl: tenant.scc.apiUrl, serviceKey: tenant.scc.serviceKey, timeoutMs: deps.httpTimeoutMs });
        const { event, created } = await scc.ensureEvent({
          event_name: `${booking.boat}: ${booking.guest.name} (party of ${booking.guest.partySize})`,
          start_time: booking.charter.start,
          end_time: booking.charter.end,
          notes: booking.notes,
          crew: crew.map((c) => ({ id: c.id, role: c.role })),
          external_id: workflowId,
        });
        log.info(created ? 'SCC crew event created' : 'SCC crew event already existed', { sccEventId: event.id });
        return { sccEventId: event.id, created, notifiedCrewIds: event.magic_links.map((l) => l.crew_id) };
      } catch (err) {
        throw toActivityFailure(err, 'Creating the SCC crew event failed');
      }
    },

    async publishGuestPage(
      input: BookingRef & {
        slug: string;
        crew: CrewMemberStatus[];
        version: number;
        uploadWindow: UploadWindow;
        /** Decided by the workflow on its clock, which its durable timers follow. */
        uploadState: UploadWindowState;
      },
    ): Promise<GuestPagePublication> {
      const { tenant: tenantId, workflowId, booking, slug, crew, version, uploadWindow: window, uploadState: state } = input;
      const tenant = tenantOf(tenantId);
      const firstSite = tenant.sites[0];
      if (!firstSite) throw configurationFailure(`Tenant "${tenantId}" has no sites to publish the guest page to`);
      const at = now();
      const operator = { name: tenant.name, ...tenant.contact };
      try {
        // The same page goes to every site, so its links (upload redirect, calendar file) name the first.
        const primary = expandSite(firstSite, slug);
        let upload: UploadState;
        if (state === 'open') {
          const policy = await createUploadPolicy(deps.s3, {
            bucket: tenant.uploads.bucket,
            slug,
            maxBytes: tenant.uploads.maxBytes,
            expiresInSeconds: Math.max(60, Math.floor((window.closesAt - at) / 1000)),
            successRedirect: `${primary.publicUrl}?uploaded=1`,
          });
          upload = { state, ...window, form: { url: policy.url, fields: policy.fields, maxBytes: policy.maxBytes, accept: policy.accept } };
        } else {
          upload = { state, ...window };
        }
        const html = renderGuestPage({
          booking,
          slug,
          operator,
          meetingPoint: tenant.meetingPoint,
          crew,
          now: at,
          upload,
          calendarFileUrl: calendarLocation(primary).publicUrl,
        });
        const calendar = renderCalendarFile({
          booking,
          slug,
          operator,
          meetingPoint: tenant.meetingPoint,
          pageUrl: primary.publicUrl,
          now: at,
        });
        const pages = await publishToSites({
          s3: deps.s3,
          cloudfront: deps.cloudfront,
          sites: tenant.sites,
          slug,
          html,
          calendar,
          workflowId,
          version,
        });
        return {
          version,
          uploadState: state,
          bytes: Buffer.byteLength(html),
          pages: pages.map((p) => ({ site: p.site, url: p.publicUrl, invalidationId: p.invalidationId, calendarUrl: p.calendarUrl })),
        };
      } catch (err) {
        throw awsFailure(err, 'Publishing the guest page failed');
      }
    },

    async sendOpsSummary(
      input: BookingRef & { crew: CrewMemberStatus[]; pages: { site: string; url: string }[]; jadaEventId: string; sccEventId: string },
    ): Promise<OpsSummarySent> {
      const tenant = tenantOf(input.tenant);
      const messageId = opsSummaryMessageId(input.workflowId);
      // SMTP cannot be asked "did you get this already?", so the worker keeps its own record. A crash
      // between send and record can still send twice; the deterministic Message-ID lets mail clients
      // fold that duplicate.
      const ledgerKey = `ops-mail/${createHash('sha256').update(messageId).digest('hex')}.json`;
      try {
        if (await objectExists(deps.s3, deps.stateBucket, ledgerKey)) return { messageId, alreadySent: true };
      } catch (err) {
        throw awsFailure(err, 'Checking whether the ops summary was already sent failed');
      }
      const summary = composeOpsSummary({
        tenantName: tenant.name,
        booking: input.booking,
        workflowId: input.workflowId,
        crew: input.crew,
        pages: input.pages,
        jadaEventId: input.jadaEventId,
        sccEventId: input.sccEventId,
        temporalUiUrl: deps.temporalUiWorkflowUrl?.replace('{workflowId}', encodeURIComponent(input.workflowId)),
      });
      try {
        await sendMail(deps.mail, { from: tenant.ops.from, to: tenant.ops.to, messageId, summary });
      } catch (err) {
        const message = `Sending the ops summary email failed: ${err instanceof Error ? err.message : String(err)}`;
        throw isRetryableMailError(err)
          ? ApplicationFailure.retryable(message, 'MailUnavailable')
          : ApplicationFailure.nonRetryable(message, 'MailRejected');
      }
      try {
        await deps.s3.send(
          new PutObjectCommand({
            Bucket: deps.stateBucket,
            Key: ledgerKey,
            Body: JSON.stringify({ messageId, workflowId: input.workflowId, sentAt: new Date(now()).toISOString() }),
            ContentType: 'application/json',
          }),
        );
      } catch (err) {
        log.warn('Ops summary sent but not recorded; a retry may send it again', { error: String(err) });
      }
      return { messageId, alreadySent: false };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

function calendarNotes(booking: Booking): string {
  const contact = [booking.guest.email, booking.guest.phone].filter(Boolean).join(', ');
  return [
    `Party of ${booking.guest.partySize}`,
    contact && `Guest: ${contact}`,
    `Source: ${booking.source} #${booking.bookingId}`,
    booking.notes,
  ]
    .filter(Boolean)
    .join('\n');
}

async function objectExists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (err) {
    if (err instanceof NotFound || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw err;
  }
}

/** AWS answers that mean "later", although they come as 4xx. */
const AWS_TRANSIENT = new Set(['Throttling', 'ThrottlingException', 'SlowDown', 'RequestTimeout', 'TooManyInvalidationsInProgress']);

/**
 * Publish input that can never work, and AWS 4xx answers (no such bucket, access denied) are our
 * configuration's fault: they fail at once for ops to fix. 5xx, throttling and network errors retry.
 */
function awsFailure(err: unknown, step: string): ApplicationFailure {
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const name = err instanceof Error ? err.name : 'Error';
  const message = `${step}: ${name}${err instanceof Error && err.message ? `: ${err.message}` : ''}`;
  const permanent =
    err instanceof PublishInputError ||
    (status !== undefined && status >= 400 && status < 500 && status !== 429 && !AWS_TRANSIENT.has(name));
  return permanent ? ApplicationFailure.nonRetryable(message, name) : ApplicationFailure.retryable(message, name);
}
