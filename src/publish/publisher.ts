import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Site } from '../config/tenant';
import { ensureInvalidation, invalidationCallerReference } from './cloudfront';
import {
  GUEST_CALENDAR_CONTENT_TYPE,
  GUEST_PAGE_CACHE_CONTROL,
  GUEST_PAGE_CONTENT_TYPE,
  deleteObject,
  putObject,
} from './s3';
import { calendarLocation, expandSite, invalidationPaths } from './sites';
import { PublishInputError } from './errors';

export interface PublishedPage {
  site: string;
  bucket: string;
  objectKey: string;
  publicUrl: string;
  /** The same for every attempt of the same page version: CloudFront dedupes by CallerReference. */
  invalidationId: string;
  /** Where this site serves the calendar file; only when one was published. */
  calendarUrl?: string;
}

export interface PutPageOnSitesInput {
  s3: S3Client;
  cloudfront: CloudFrontClient;
  sites: Site[];
  slug: string;
  html: string;
  /** The charter as an iCalendar file, put beside the page on every site (see calendarLocation). */
  calendar?: string;
  /** Delete the calendar file beside the page instead (a cancelled charter must not be imported). */
  removeCalendar?: boolean;
  workflowId: string;
  /** Increases with every re-render of the page; one invalidation per site per version. */
  version: number;
  /** The activity's cancellation: no call starts, and none in flight goes on, once it is aborted. */
  signal?: AbortSignal;
}

/**
 * Puts the same bytes to every site (the page, and the calendar file beside it), then invalidates
 * each site's paths. Safe to repeat: the keys derive from the slug and the invalidations from
 * workflow ID + version.
 */
export async function putPageOnSites(input: PutPageOnSitesInput): Promise<PublishedPage[]> {
  const body = Buffer.from(input.html, 'utf8');
  const calendar = input.calendar === undefined ? undefined : Buffer.from(input.calendar, 'utf8');
  // Check everything before writing anything, so a bad slug, template or version publishes nowhere.
  const names = input.sites.map((site) => site.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  // The site name is part of the CallerReference: two sites sharing one would share an invalidation.
  if (duplicate !== undefined) throw new PublishInputError(`two sites are named ${JSON.stringify(duplicate)}`);
  const targets = input.sites.map((template) => {
    const site = expandSite(template, input.slug);
    return {
      site,
      calendarAt: calendar || input.removeCalendar ? calendarLocation(site) : undefined,
      callerReference: invalidationCallerReference(input.workflowId, input.version, template.name),
    };
  });
  const call = { signal: input.signal };
  return Promise.all(
    targets.map(async ({ site, calendarAt, callerReference }): Promise<PublishedPage> => {
      const page = {
        bucket: site.bucket,
        key: site.objectKey,
        body,
        contentType: GUEST_PAGE_CONTENT_TYPE,
        cacheControl: GUEST_PAGE_CACHE_CONTROL,
      };
      await Promise.all([
        putObject(input.s3, page, call),
        calendar && calendarAt
          ? putObject(
              input.s3,
              { ...page, key: calendarAt.objectKey, body: calendar, contentType: GUEST_CALENDAR_CONTENT_TYPE },
              call,
            )
          : undefined,
        input.removeCalendar && calendarAt
          ? deleteObject(input.s3, { bucket: site.bucket, key: calendarAt.objectKey }, call)
          : undefined,
      ]);
      // Only after the puts: invalidating first would let the edge fetch and cache the old files again.
      const invalidationId = await ensureInvalidation(input.cloudfront, {
        distributionId: site.distributionId,
        paths: [...new Set([...invalidationPaths(site), ...(calendarAt ? [calendarAt.publicPath] : [])])],
        callerReference,
        signal: input.signal,
      });
      return {
        site: site.name,
        bucket: site.bucket,
        objectKey: site.objectKey,
        publicUrl: site.publicUrl,
        invalidationId,
        ...(calendarAt && calendar ? { calendarUrl: calendarAt.publicUrl } : {}),
      };
    }),
  );
}
