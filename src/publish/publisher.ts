import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Site } from '../config/tenant';
import { ensureInvalidation, invalidationCallerReference } from './cloudfront';
import { GUEST_PAGE_CACHE_CONTROL, GUEST_PAGE_CONTENT_TYPE, putObject } from './s3';
import { expandSite, invalidationPaths } from './sites';
import { PublishInputError } from './errors';

export interface PublishedPage {
  site: string;
  bucket: string;
  objectKey: string;
  publicUrl: string;
  invalidationId: string;
  /** False when a previous attempt of the same page version already invalidated this site. */
  invalidationCreated: boolean;
}

export interface PublishGuestPageInput {
  s3: S3Client;
  cloudfront: CloudFrontClient;
  sites: Site[];
  slug: string;
  html: string;
  workflowId: string;
  /** Increases with every re-render of the page; one invalidation per site per version. */
  version: number;
  /** Passed through to ensureInvalidation: no matching invalidation can be older than this. */
  notBefore?: Date;
}

/**
 * Puts the same bytes to every site, then invalidates each site's paths. Safe to repeat: the keys
 * derive from the slug and the invalidations from workflow ID + version.
 */
export async function publishGuestPage(input: PublishGuestPageInput): Promise<PublishedPage[]> {
  const body = Buffer.from(input.html, 'utf8');
  // Check everything before writing anything, so a bad slug, template or version publishes nowhere.
  const names = input.sites.map((site) => site.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  // The site name is part of the CallerReference: two sites sharing one would share an invalidation.
  if (duplicate !== undefined) throw new PublishInputError(`two sites are named ${JSON.stringify(duplicate)}`);
  const targets = input.sites.map((template) => ({
    site: expandSite(template, input.slug),
    callerReference: invalidationCallerReference(input.workflowId, input.version, template.name),
  }));
  return Promise.all(
    targets.map(async ({ site, callerReference }): Promise<PublishedPage> => {
      await putObject(input.s3, {
        bucket: site.bucket,
        key: site.objectKey,
        body,
        contentType: GUEST_PAGE_CONTENT_TYPE,
        cacheControl: GUEST_PAGE_CACHE_CONTROL,
      });
      // Only after the put: invalidating first would let the edge fetch and cache the old page again.
      const invalidation = await ensureInvalidation(input.cloudfront, {
        distributionId: site.distributionId,
        paths: invalidationPaths(site),
        callerReference,
        notBefore: input.notBefore,
      });
      return {
        site: site.name,
        bucket: site.bucket,
        objectKey: site.objectKey,
        publicUrl: site.publicUrl,
        invalidationId: invalidation.id,
        invalidationCreated: invalidation.created,
      };
    }),
  );
}
