import type { CrewMemberStatus } from '../src/domain/crew';
import type { UploadWindow, UploadWindowState } from '../src/domain/time';
import { putPageOnSites } from '../src/publish/publisher';
import { createUploadPolicy } from '../src/publish/upload-policy';
import { calendarLocation, expandSite } from '../src/publish/sites';
import { renderGuestPage, type UploadState } from '../src/page/render';
import { renderCalendarFile } from '../src/page/ics';
import { renderCancelledPage } from '../src/page/cancelled';
import { inAttempt, type ActivityContext, type BookingRef } from './context';
import { awsFailure, configurationFailure } from './failures';

export interface GuestPagePublication {
  version: number;
  uploadState: UploadState['state'];
  bytes: number;
  pages: { site: string; url: string; invalidationId: string; calendarUrl?: string }[];
}

/**
 * Steps 4 and 6: render the page (and its .ics) and publish it to every site. Safe to repeat: keys
 * derive from the slug, invalidations from workflow ID + page version.
 */
export function guestPageActivities(ctx: ActivityContext) {
  return {
    async publishGuestPage(
      input: BookingRef & {
        slug: string;
        crew: CrewMemberStatus[];
        version: number;
        uploadWindow: UploadWindow;
        /** Decided by the workflow on its clock, which its durable timers follow. */
        uploadState: UploadWindowState;
        /**
         * The booking's revision, as the calendar file's SEQUENCE, so calendars take a changed booking
         * as an update of the entry. Absent in histories from before bookings changed: 0.
         */
        sequence?: number;
      },
    ): Promise<GuestPagePublication> {
      const {
        tenant: tenantId,
        workflowId,
        booking,
        slug,
        crew,
        version,
        uploadWindow: window,
        uploadState: state,
        sequence,
      } = input;
      const tenant = ctx.tenant(tenantId);
      const firstSite = tenant.sites[0];
      if (!firstSite) throw configurationFailure(`Tenant "${tenantId}" has no sites to publish the guest page to`);
      const at = ctx.now();
      const operator = { name: tenant.name, ...tenant.contact };
      return inAttempt(async ({ signal }) => {
        try {
          // The same page goes to every site, so its links (upload redirect, calendar file) name the first.
          const primary = expandSite(firstSite, slug);
          let upload: UploadState;
          if (state === 'open') {
            const policy = await createUploadPolicy(ctx.s3, {
              bucket: tenant.uploads.bucket,
              slug,
              maxBytes: tenant.uploads.maxBytes,
              expiresInSeconds: Math.max(60, Math.floor((window.closesAt - at) / 1000)),
              successRedirect: `${primary.publicUrl}?uploaded=1`,
            });
            upload = {
              state,
              ...window,
              form: { url: policy.url, fields: policy.fields, maxBytes: policy.maxBytes, accept: policy.accept },
            };
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
            sequence,
          });
          const pages = await putPageOnSites({
            s3: ctx.s3,
            cloudfront: ctx.cloudfront,
            sites: tenant.sites,
            slug,
            html,
            calendar,
            workflowId,
            version,
            signal,
          });
          return {
            version,
            uploadState: state,
            bytes: Buffer.byteLength(html),
            pages: pages.map((p) => ({
              site: p.site,
              url: p.publicUrl,
              invalidationId: p.invalidationId,
              calendarUrl: p.calendarUrl,
            })),
          };
        } catch (err) {
          throw awsFailure(err, 'Publishing the guest page failed');
        }
      });
    },

    /**
     * Compensation for a cancelled booking: the page becomes a "cancelled" notice without guest
     * details, the calendar file is deleted, and both are invalidated as page version `version`.
     */
    async withdrawGuestPage(input: Omit<BookingRef, 'booking'> & { slug: string; version: number }) {
      const { tenant: tenantId, workflowId, slug, version } = input;
      const tenant = ctx.tenant(tenantId);
      return inAttempt(async ({ signal }) => {
        try {
          const pages = await putPageOnSites({
            s3: ctx.s3,
            cloudfront: ctx.cloudfront,
            sites: tenant.sites,
            slug,
            html: renderCancelledPage({ operator: { name: tenant.name, ...tenant.contact } }),
            removeCalendar: true,
            workflowId,
            version,
            signal,
          });
          return {
            version,
            pages: pages.map((p) => ({ site: p.site, url: p.publicUrl, invalidationId: p.invalidationId })),
          };
        } catch (err) {
          throw awsFailure(err, 'Withdrawing the guest page failed');
        }
      });
    },
  };
}
